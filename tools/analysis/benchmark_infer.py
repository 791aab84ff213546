"""Inference speed on a video: seconds of video per second of wall time.

Times :func:`umbe.apis.infer_video` (the code path of tools/infer.py) with
:func:`umbe.apis.inference_timing.time_infer_video`, which splits the wall
time into decode, face detection, pipeline and model. Without ``--video`` a
synthetic talking-face video with a sound track is written first.

    python tools/analysis/benchmark_infer.py
    python tools/analysis/benchmark_infer.py --full-size --seconds 10
    python tools/analysis/benchmark_infer.py --config CONFIG \
        --checkpoint CKPT --video my.mp4 --device cuda --json bench.json

``--full-size`` adds configs/umbenet/umbenet_dfew.py (ViT-L/14 towers,
12-layer transformers) with random weights (its ``pretrained`` entries are
ignored), so the cost of the real model is visible without its weights.
"""
import argparse
import json
import os.path as osp
import sys
import tempfile

import torch
from mmengine.config import Config

import umbe  # noqa: F401  (before mmaction.models)
from umbe.apis import clip_seconds, inference_settings, init_recognizer
from umbe.apis.inference_timing import (time_infer_video, timing_table,
                                        without_pretrained)
from umbe.testing import face_frames, tone, write_video

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')
FULL = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_dfew.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEMO, help='model config')
    parser.add_argument(
        '--checkpoint', help='checkpoint (default: random '
        'weights)')
    parser.add_argument(
        '--full-size',
        action='store_true',
        help='also time the full-size model (random '
        'weights)')
    parser.add_argument(
        '--video', help='video file (default: a synthetic '
        'one)')
    parser.add_argument(
        '--seconds',
        type=float,
        default=20.0,
        help='length of the synthetic video')
    parser.add_argument(
        '--fps',
        type=float,
        default=25.0,
        help='frame rate of the synthetic video')
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(640, 360),
        metavar=('W', 'H'),
        help='frame size of the synthetic video')
    parser.add_argument(
        '--window',
        type=float,
        help='window seconds (default: the config\'s clip '
        'length)')
    parser.add_argument('--stride', type=float, help='window stride')
    parser.add_argument(
        '--det-fps',
        type=float,
        default=5.0,
        help='face detections per second')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--threads', type=int, help='torch CPU threads (default: torch\'s)')
    parser.add_argument('--json', help='write the rows to this JSON file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    tmp = tempfile.TemporaryDirectory()
    video = args.video
    if video is None:
        video = write_video(
            osp.join(tmp.name, 'talk.mp4'),
            face_frames(
                args.seconds,
                args.fps,
                tuple(args.size),
                faces=((.5, .45, .5), )),
            args.fps,
            audio=tone(args.seconds))
    elif not osp.isfile(video):
        print(f'error: {video} not found', file=sys.stderr)
        return 2
    runs = [(osp.splitext(osp.basename(args.config))[0], args.config,
             args.checkpoint)]
    if args.full_size:
        runs.append(('full-size (random weights)', FULL, None))
    rows = []
    for name, config, checkpoint in runs:
        print(f'building {name} ...', flush=True)
        cfg = Config.fromfile(config)
        if checkpoint is None:  # random weights: no CLIP files needed
            cfg = without_pretrained(cfg)
        model = init_recognizer(cfg, checkpoint, args.device)
        window = args.window or clip_seconds(inference_settings(model.cfg))
        rows.append(
            time_infer_video(model, video, window, args.stride, args.det_fps,
                             args.batch_size, name))
        del model
    print(timing_table(rows, title=osp.basename(video)))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=1)
    tmp.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
