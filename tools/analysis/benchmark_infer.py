"""Inference speed on a video: seconds of video per second of wall time.

Runs :func:`umbe.apis.infer_video` (the code path of tools/infer.py) on a
video and splits the wall time into decode (decord), face detection (Haar
cascade), pipeline (sampling, crops, resizing, audio resampling,
tokenising) and model (preprocessor + forward). Without ``--video`` a
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
import time

import torch
from mmengine.config import Config
from terminaltables import AsciiTable

import umbe  # noqa: F401  (before mmaction.models)
from umbe.apis import (clip_seconds, infer_video, inference_settings,
                       init_recognizer)
from umbe.testing.synthetic_video import face_frames, tone, write_video

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')
FULL = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_dfew.py')
STAGES = ('decode', 'face_detection', 'pipeline', 'model')


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


def build(config, checkpoint, device):
    """The model; a config's pretrained CLIP files are not loaded."""
    cfg = Config.fromfile(config)
    if checkpoint is None:

        def drop(node):
            if isinstance(node, dict):
                if 'pretrained' in node:
                    node['pretrained'] = None
                for value in node.values():
                    drop(value)
            elif isinstance(node, list):
                for value in node:
                    drop(value)

        drop(cfg.model)
    return init_recognizer(cfg, checkpoint, device)


def time_model(name, model, video, args):
    """One warm-up clip, then the timed run; returns a table row."""
    window = args.window or clip_seconds(inference_settings(model.cfg))
    infer_video(
        model,
        video,
        window=window,
        stride=window,
        det_fps=args.det_fps,
        batch_size=args.batch_size)  # warm-up
    timings = {}
    if str(args.device).startswith('cuda'):
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = infer_video(
        model,
        video,
        window=window,
        stride=args.stride,
        det_fps=args.det_fps,
        batch_size=args.batch_size,
        timings=timings)
    if str(args.device).startswith('cuda'):
        torch.cuda.synchronize()
    wall = time.perf_counter() - start
    row = dict(
        name=name,
        device=str(args.device),
        video_seconds=result['duration'],
        windows=len(result['windows']),
        window=window,
        wall_seconds=wall,
        video_s_per_wall_s=result['duration'] / wall)
    for stage in STAGES:
        row[stage] = timings.get(stage, 0.)
    row['other'] = wall - sum(row[s] for s in STAGES)
    return row


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
        model = build(config, checkpoint, args.device)
        rows.append(time_model(name, model, video, args))
        del model
    header = [
        'model', 'device', 'video s', 'windows', 'wall s', 'video s / wall s'
    ] + [f'{s} s' for s in STAGES] + ['other s']
    table = [header] + [[
        r['name'], r['device'], f'{r["video_seconds"]:.1f}', r['windows'],
        f'{r["wall_seconds"]:.2f}', f'{r["video_s_per_wall_s"]:.2f}'
    ] + [f'{r[s]:.2f}' for s in STAGES] + [f'{r["other"]:.2f}'] for r in rows]
    print(AsciiTable(table, title=osp.basename(video)).table)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=1)
    tmp.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
