"""int8 frozen towers: agreement with fp32, and speed per clip.

    # agreement on a dataset split (the demo's test set with a checkpoint)
    python tools/analysis/inference_int8.py configs/umbenet/umbenet_demo.py \\
        --checkpoint epoch_30.pth --split test
    # agreement on synthetic talking-face clips, full-size random weights
    python tools/analysis/inference_int8.py configs/umbenet/umbenet_dfew.py \\
        --synthetic 6
    # speed per clip: umbe fp32, umbe int8 and the public UMBEnet code, in
    # one process, alternating
    python tools/analysis/inference_int8.py configs/umbenet/umbenet_mafw.py \\
        --speed --public-repo /tmp/umbenet_official --batch 2 --reps 2

Agreement: every clip goes through the config's test pipeline and the
model twice, fp32 and with :func:`umbe.apis.tower_optimization.
quantize_towers`; printed are the top-1 agreement and the largest
``|p_int8 - p_fp32|`` over clips and classes.

Speed: inference (``no_grad``) on one synthetic batch of the config's clip
shape, the three models one after the other, ``--reps`` rounds after a
warm-up each; medians per clip. ``--public-repo`` names a checkout of the
public UMBEnet code (github Xinji-Mai/UMBEnet): it is imported from there,
never copied (the repository has no license). It needs ``openai-clip`` and
``pytorch-lightning`` (use a throwaway virtual environment); its CLIP towers
are built with random weights from the published ViT-L/14 and ViT-B/32
hyper-parameters, and the modules its model file imports but never runs
(tensorboardX, ConfusionMatrix, sklearn, esresnet) are stand-ins.
"""
import argparse
import copy
import importlib.machinery
import json
import os.path as osp
import statistics
import sys
import time
import types

import numpy as np
import torch
from mmengine.config import Config

import umbe  # noqa: F401  (before mmaction.models)
from umbe.apis import init_recognizer, predict_records
from umbe.apis.inference_timing import without_pretrained
from umbe.apis.pipeline import build_inference_pipeline, inference_settings
from umbe.apis.tower_optimization import quantize_towers
from umbe.atomic_io import atomic_write_json
from umbe.registry import DATASETS
from umbe.testing import face_frames, tone


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


def build(config: str, checkpoint):
    cfg = Config.fromfile(config)
    if checkpoint is None:
        cfg = without_pretrained(cfg)
    return init_recognizer(cfg, checkpoint, 'cpu')


# ------------------------------------------------------------ agreement
def split_records(cfg: Config, split: str, data_root=None) -> list:
    """The records of a dataset split, as the dataset hands them to its
    pipeline (paths joined)."""
    loader = cfg.get(f'{split}_dataloader')
    if loader is None:
        raise ValueError(f'the config has no {split}_dataloader')
    dataset_cfg = copy.deepcopy(loader['dataset'])
    dataset_cfg['pipeline'] = []
    if data_root:
        dataset_cfg['data_root'] = data_root
    dataset = DATASETS.build(dataset_cfg)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def synthetic_records(cfg: Config, count: int) -> list:
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


def agreement(model, records: list) -> dict:
    """fp32 vs int8 predictions of the same records."""
    pipeline = build_inference_pipeline(model.cfg)
    t0 = time.perf_counter()
    fp32 = predict_records(model, records, pipeline, batch_size=2)
    t1 = time.perf_counter()
    quantized = copy.deepcopy(model)
    quantize_towers(quantized)  # in place
    q = predict_records(quantized, records, pipeline, batch_size=2)
    t2 = time.perf_counter()
    p = np.stack([r['probs'] for r in fp32])  # (N, C)
    pq = np.stack([r['probs'] for r in q])
    return dict(
        clips=len(records),
        top1_agreement=float((p.argmax(1) == pq.argmax(1)).mean()),
        max_abs_diff=float(np.abs(p - pq).max()),
        mean_abs_diff=float(np.abs(p - pq).mean()),
        fp32_seconds=round(t1 - t0, 2),
        int8_seconds=round(t2 - t1, 2))


# ------------------------------------------------------------ speed
def umbe_batch(model, batch: int, seed: int = 0) -> dict:
    """Preprocessed inputs of ``batch`` clips of the config's shape."""
    s = inference_settings(model.cfg)
    g = torch.Generator().manual_seed(seed)
    T = s.clip_len
    return dict(
        face=torch.randn(batch, T, 3, s.face_size, s.face_size, generator=g),
        scene=torch.randn(
            batch, T, 3, s.scene_size, s.scene_size, generator=g),
        audio=torch.randn(batch, s.audio_samples, generator=g) * 0.1,
        caption=torch.randint(1, 4000, (batch, s.caption_length),
                              generator=g).index_fill_(1, torch.tensor([20]),
                                                       49407),
        frame_mask=torch.ones(batch, T, dtype=torch.bool),
        present={
            m: torch.ones(batch, dtype=torch.bool)
            for m in ('face', 'scene', 'audio', 'caption')
        })


def _stub(name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    return module


def public_model(repo: str, module: str = 'model_unimod_mafw_vat'):
    """The public code's JMPF with random CLIP towers (see the module
    docstring); its forward takes ``[faces, scenes, captions, labels,
    audio, valid]``."""

    class SummaryWriter:

        def __init__(self, *a, **k):
            pass

        def __getattr__(self, name):
            return lambda *a, **k: None

    stubs = dict(
        tensorboardX=dict(SummaryWriter=SummaryWriter),
        ConfusionMatrix=dict(
            display_cls_confusion_matrix_6=lambda *a, **k: None,
            display_cls_confusion_matrix=lambda *a, **k: None),
        esresnet=dict(ESResNeXtFBSP=None))
    for name, attrs in stubs.items():
        if name not in sys.modules:
            sys.modules[name] = _stub(name)
            for key, value in attrs.items():
                setattr(sys.modules[name], key, value)
    if 'sklearn.metrics' not in sys.modules:
        try:
            import sklearn.metrics  # noqa: F401
        except ImportError:
            sys.modules['sklearn'] = _stub('sklearn')
            metrics = _stub('sklearn.metrics')
            metrics.classification_report = lambda *a, **k: {}
            sys.modules['sklearn.metrics'] = metrics
    import clip
    import clip.model as clip_model
    arch = {  # the published OpenAI CLIP hyper-parameters
        'ViT-L/14': (768, 224, 24, 1024, 14, 77, 49408, 768, 12, 12),
        'ViT-B/32': (512, 224, 12, 768, 32, 77, 49408, 512, 8, 12),
    }

    def random_load(name, device='cpu', jit=False, download_root=None):
        model = clip_model.CLIP(*arch[name])
        clip_model.convert_weights(model)  # fp16, as build_model does
        model = model.eval().to(device).float()  # as clip.load on CPU
        return model, clip.clip._transform(model.visual.input_resolution)

    clip.load = clip.clip.load = random_load
    sys.path.insert(0, osp.abspath(repo))
    return __import__(module).JMPF().eval()


def speed(args) -> dict:
    torch.manual_seed(0)
    model = build(args.config, args.checkpoint)
    q = copy.deepcopy(model)
    quantize_towers(q)  # in place
    inputs = umbe_batch(model, args.batch)
    runs = {
        'umbe fp32': lambda: model(inputs, mode='tensor'),
        'umbe int8': lambda: q(inputs, mode='tensor')
    }
    if args.public_repo:
        public = public_model(args.public_repo)
        g = torch.Generator().manual_seed(0)
        batch = [
            torch.randn(args.batch, 16, 3, 224, 224, generator=g),
            torch.randn(args.batch, 16, 3, 224, 224, generator=g),
            [
                'A woman frowns, lowers her head and speaks in a trembling '
                'voice.'
            ] * args.batch,
            torch.zeros(args.batch, dtype=torch.long),
            # the public code's clip sound: 5 s at 22.05 kHz
            torch.randn(args.batch, 1, 110250, generator=g),
            torch.ones(args.batch, 16)
        ]
        runs['public code'] = lambda: public(batch)
    times = {name: [] for name in runs}
    with torch.no_grad():
        for name, fn in runs.items():  # warm-up
            fn()
        for rep in range(args.reps):
            for name, fn in runs.items():
                t0 = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - t0) / args.batch)
                with open('/proc/loadavg') as f:
                    load = f.read().split()[0]
                print(
                    f'{time.strftime("%H:%M:%S")} rep {rep} {name}: '
                    f'{times[name][-1]:.2f} s/clip (load {load})',
                    flush=True)
    out = dict(
        batch=args.batch,
        reps=args.reps,
        threads=torch.get_num_threads(),
        per_clip_s={
            k: round(statistics.median(v), 3)
            for k, v in times.items()
        },
        raw={
            k: [round(x, 3) for x in v]
            for k, v in times.items()
        })
    med = out['per_clip_s']
    out['int8_speedup_over_fp32'] = round(med['umbe fp32'] / med['umbe int8'],
                                          3)
    if 'public code' in med:
        out['public_over_umbe_int8'] = round(
            med['public code'] / med['umbe int8'], 3)
        out['public_over_umbe_fp32'] = round(
            med['public code'] / med['umbe fp32'], 3)
    return out


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    results = dict(config=args.config, checkpoint=args.checkpoint)
    if args.split or args.synthetic:
        model = build(args.config, args.checkpoint)
        if args.split:
            records = split_records(model.cfg, args.split, args.data_root)
            results[f'agreement_{args.split}'] = agreement(model, records)
        if args.synthetic:
            results['agreement_synthetic'] = agreement(
                model, synthetic_records(model.cfg, args.synthetic))
        del model
    if args.speed:
        results['speed'] = speed(args)
    print(json.dumps(results, indent=1))
    if args.json:
        atomic_write_json(results, args.json, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
