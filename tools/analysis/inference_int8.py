"""int8 frozen towers: agreement with fp32, and speed per clip.

    # agreement on a dataset split (the demo's test set with a checkpoint)
    python tools/analysis/inference_int8.py configs/umbenet/umbenet_demo.py \\
        --checkpoint epoch_30.pth --split test
    # agreement on synthetic talking-face clips, full-size random weights
    python tools/analysis/inference_int8.py configs/umbenet/umbenet_dfew.py \\
        --synthetic 6
    # speed per clip: umbe fp32 (default kernels, oneDNN), umbe int8 and
    # the public UMBEnet code, in one process, alternating
    python tools/analysis/inference_int8.py configs/umbenet/umbenet_mafw.py \\
        --speed --public-repo /tmp/umbenet_official --batch 2 --reps 2

Agreement: every clip goes through the config's test pipeline and the
model twice, fp32 and with :func:`umbe.apis.tower_optimization.
quantize_towers`; printed are the top-1 agreement and the largest
``|p_int8 - p_fp32|`` over clips and classes.

Speed: inference (``no_grad``) on one synthetic batch of the config's clip
shape, the models one after the other, ``--reps`` rounds after a
warm-up each; medians per clip. ``--public-repo`` names a checkout of the
public UMBEnet code (github Xinji-Mai/UMBEnet): it is imported from there,
never copied (the repository has no license). It needs ``openai-clip`` and
``pytorch-lightning`` (use a throwaway virtual environment); its CLIP towers
are built with random weights from the published ViT-L/14 and ViT-B/32
hyper-parameters, and the modules its model file imports but never runs
(tensorboardX, ConfusionMatrix, sklearn, esresnet) are stand-ins.
"""
import argparse
import json
import sys

import torch

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis.official_comparison import public_jmpf
from umbe.apis.int8_evaluation import agreement, build, speed, split_records
from umbe.apis.pipeline import inference_settings
from umbe.testing import face_frames, tone
from umbe.atomic_io import atomic_write_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='default: random weights')
    parser.add_argument(
        '--split', help='agreement on this split of the config\'s dataset')
    parser.add_argument(
        '--data-root', help='the dataset root (default: the config\'s)')
    parser.add_argument(
        '--synthetic',
        type=int,
        help='agreement on this many synthetic talking-face clips')
    parser.add_argument(
        '--speed', action='store_true', help='time inference per clip')
    parser.add_argument(
        '--public-repo',
        help='--speed: also time the public UMBEnet code from this checkout')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--reps', type=int, default=2)
    parser.add_argument('--threads', type=int)
    parser.add_argument('--json', help='write the results here')
    args = parser.parse_args(argv)
    if not (args.split or args.synthetic or args.speed):
        parser.error('give --split, --synthetic N and/or --speed')
    return args


def synthetic_records(cfg, count: int) -> list:
    """Talking-face clips: drawn faces that move and talk, a tone, a
    caption; face crops and scenes at the pipeline's sizes."""
    from umbe.apis import AudioSegment, FrameSequence, make_record
    settings = inference_settings(cfg)
    records = []
    for i in range(count):
        size = settings.scene_size
        frames = list(
            face_frames(
                2.0,
                8, (size, size),
                faces=((.4 + .05 * i, .5, .5 + .05 * (i % 3)), ),
                seed=i))
        records.append(
            make_record(
                FrameSequence.from_arrays(frames, f'faces {i}'),
                FrameSequence.from_arrays(frames, f'scenes {i}'),
                AudioSegment(tone(3.0, freq=200. + 150 * i), 16000),
                'A person talks to the camera.'))
    return records


def public_runs(args) -> dict:
    """``{'public code': fn}``: the public JMPF on one seeded batch of
    ``args.batch`` clips (16 face and scene frames, a caption, 5 s of sound
    at 22.05 kHz), for :func:`speed`."""
    if not args.public_repo:
        return {}
    public = public_jmpf(args.public_repo).eval()
    g, n = torch.Generator().manual_seed(0), args.batch
    batch = [
        torch.randn(n, 16, 3, 224, 224, generator=g),
        torch.randn(n, 16, 3, 224, 224, generator=g),
        [
            'A woman frowns, lowers her head and speaks in a trembling '
            'voice.'
        ] * n,
        torch.zeros(n, dtype=torch.long),
        # the public code's clip sound: 5 s at 22.05 kHz
        torch.randn(n, 1, 110250, generator=g),
        torch.ones(n, 16)
    ]
    return {'public code': lambda: public(batch)}


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    results = dict(config=args.config, checkpoint=args.checkpoint)
    if args.split or args.synthetic:
        torch.manual_seed(0)  # random weights: the same every run
        model = build(args.config, args.checkpoint)
        if args.split:
            records = split_records(model.cfg, args.split, args.data_root)
            results[f'agreement_{args.split}'] = agreement(model, records)
        if args.synthetic:
            results['agreement_synthetic'] = agreement(
                model, synthetic_records(model.cfg, args.synthetic))
        del model
    if args.speed:
        results['speed'] = speed(args.config, args.checkpoint, args.batch,
                                 args.reps, public_runs(args))
    print(json.dumps(results, indent=1))
    if args.json:
        atomic_write_json(results, args.json, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
