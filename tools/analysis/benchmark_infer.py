"""Inference speed on a video: seconds of video per second of wall time.

Times :func:`umbe.apis.infer_video` (the code path of tools/infer.py) with
:func:`umbe.apis.inference_timing.time_infer_video`, which splits the wall
time into decode, face detection, pipeline and model and reports the peak
RSS of each phase. Without ``--video`` a synthetic talking-face video with a
sound track is written first (in chunks: a 10-minute 720p video fits).

    python tools/analysis/benchmark_infer.py
    python tools/analysis/benchmark_infer.py --full-size --seconds 10
    python tools/analysis/benchmark_infer.py --config CONFIG \\
        --checkpoint CKPT --video my.mp4 --device cuda --json bench.json

Variants and before/after in one run: ``--variants fp32,aten,int8,compile,
uncached`` times each (``fp32``: tools/infer.py's defaults; ``aten``: its
``--no-onednn``; ``uncached``: every window's frames encoded), and
``--baseline DIR`` (a checkout of an earlier umbe) adds its infer_video;
every measurement then runs in its own process, one after the other,
``--repeats`` times round (baseline, fp32, int8, baseline, ...), so load from
other processes hits all alike. ``--stream`` instead plays the video as a
live stream (:class:`umbe.apis.StreamRecognizer`) and reports latency and
windows per second, for each of ``--variants`` in turn.

``--full-size`` adds configs/umbenet/umbenet_dfew.py (ViT-L/14 towers,
12-layer transformers) with random weights (its ``pretrained`` entries are
ignored), so the cost of the real model is visible without its weights.
"""
import argparse
import inspect
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from mmengine.config import Config

import umbe  # noqa: F401  (before mmaction.models)
# only what earlier checkouts also have: --baseline runs this file on them
from umbe.apis import (clip_seconds, infer_video, inference_settings,
                       init_recognizer)
from umbe.apis.inference_timing import without_pretrained
from umbe.testing import face_frames, tone

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join('configs', 'umbenet', 'umbenet_demo.py')
FULL = osp.join('configs', 'umbenet', 'umbenet_dfew.py')
VARIANTS = ('fp32', 'aten', 'int8', 'compile', 'uncached')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default=DEMO, help='model config')
    parser.add_argument(
        '--checkpoint', help='checkpoint (default: random weights)')
    parser.add_argument(
        '--full-size',
        action='store_true',
        help='also time the full-size model (random weights)')
    parser.add_argument(
        '--video', help='video file (default: a synthetic one)')
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
        help='window seconds (default: the config\'s clip length)')
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
    parser.add_argument(
        '--variants',
        help=f'comma-separated, of {", ".join(VARIANTS)} (default: fp32)')
    parser.add_argument(
        '--baseline',
        help='a checkout of an earlier umbe whose infer_video is timed too')
    parser.add_argument(
        '--repeats',
        type=int,
        default=1,
        help='rounds of the alternating measurements')
    parser.add_argument(
        '--stream',
        action='store_true',
        help='play the video as a live stream: latency and windows/s')
    parser.add_argument(
        '--max-seconds',
        type=float,
        help='--stream: stop after this much stream')
    parser.add_argument('--json', help='write the rows to this JSON file')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    variants = (args.variants or 'fp32').split(',')
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        parser.error(f'--variants {",".join(bad)}: not one of {VARIANTS}')
    args.variants = variants
    return args


def write_talking_video(path: str,
                        seconds: float,
                        fps: float,
                        size,
                        chunk: float = 10.0) -> str:
    """A synthetic talking face with a tone, encoded ``chunk`` s at a time
    (a long 720p video never sits in memory). H.264 (x264 ultrafast)."""
    import av
    from fractions import Fraction
    with av.open(path, 'w') as container:
        video = container.add_stream(
            'libx264', rate=Fraction(fps).limit_denominator())
        video.width, video.height = size
        video.pix_fmt = 'yuv420p'
        video.options = {'preset': 'ultrafast'}
        audio = container.add_stream('aac', rate=16000)
        audio.layout = 'mono'
        done, k = 0.0, 0
        while done < seconds - 1e-9:
            part = min(chunk, seconds - done)
            frames = face_frames(
                part, fps, tuple(size), faces=((.5, .45, .5), ), seed=k)
            for rgb in frames:
                for packet in video.encode(
                        av.VideoFrame.from_ndarray(rgb, format='rgb24')):
                    container.mux(packet)
            done, k = done + part, k + 1
        for packet in video.encode():
            container.mux(packet)
        wave = tone(seconds)
        step = audio.codec_context.frame_size or 1024
        wave = np.pad(wave, (0, -len(wave) % step))
        for start in range(0, wave.size, step):
            frame = av.AudioFrame.from_ndarray(
                wave[None, start:start + step], format='fltp', layout='mono')
            frame.sample_rate, frame.pts = 16000, start
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode(None):
            container.mux(packet)
    return path


def _in_root(path: str) -> str:
    """A config path as given, else relative to this checkout."""
    return osp.abspath(path if osp.exists(path) else osp.join(ROOT, path))


def build_model(config: str, checkpoint, device: str, variant: str):
    """The model as tools/infer.py sets it up for ``variant``: ``fp32``
    and ``uncached`` its defaults (oneDNN-packed float32 towers on the CPU,
    in a checkout that has them), ``aten`` with ``--no-onednn``, ``int8``
    with ``--int8``, ``compile`` with ``--compile``."""
    cfg = Config.fromfile(config)
    if checkpoint is None:  # random weights: no CLIP files needed
        cfg = without_pretrained(cfg)
    model = init_recognizer(cfg, checkpoint, device)
    try:
        from umbe.apis import tower_optimization as towers
    except ImportError:  # an earlier checkout: float32 as built
        if variant != 'fp32':
            raise
        return model
    options = dict(int8=variant == 'int8', compile=variant == 'compile')
    if hasattr(towers, 'prepare_towers'):
        towers.prepare_towers(
            model, onednn=False if variant == 'aten' else None, **options)
    elif variant == 'int8':  # an earlier checkout
        towers.quantize_towers(model)
    elif variant == 'compile':
        towers.compile_towers(model)
    return model


def _peak_gib() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 2**20
    return float('nan')


def _reset_peak() -> None:
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def worker(spec: dict) -> dict:
    """One measurement in this process (run by ``--worker``): build, warm
    up on a short video, time one infer_video. Uses only what every umbe
    checkout has; the encoder statistics and the per-phase memory where
    the checkout has them."""
    if spec.get('threads'):
        torch.set_num_threads(spec['threads'])
    t0 = time.perf_counter()
    torch.manual_seed(0)  # random weights: the same within a checkout
    model = build_model(spec['config'], spec['checkpoint'], spec['device'],
                        spec['variant'])
    build = time.perf_counter() - t0
    window = spec['window'] or clip_seconds(inference_settings(model.cfg))
    kwargs = dict(
        window=window,
        stride=spec['stride'],
        det_fps=spec['det_fps'],
        batch_size=spec['batch_size'])
    t0 = time.perf_counter()
    infer_video(model, spec['warmup'], **kwargs)  # one window: warm-up
    warm = time.perf_counter() - t0
    params = inspect.signature(infer_video).parameters
    timings, extra, encoder = {}, {}, None
    if 'memory' in params:
        extra['memory'] = {}
    if 'encoder' in params:
        from umbe.apis import FrozenFeatureEncoder
        encoder = FrozenFeatureEncoder(
            model, cache_size=0 if spec['variant'] == 'uncached' else 4096)
        extra['encoder'] = encoder
    rss_before = _rss_gib()
    _reset_peak()
    start = time.perf_counter()
    result = infer_video(
        model, spec['video'], timings=timings, **kwargs, **extra)
    wall = time.perf_counter() - start
    row = dict(
        name=spec['name'],
        variant=spec['variant'],
        code=spec['code'],
        video_seconds=result['duration'],
        windows=len(result['windows']),
        window=window,
        wall_seconds=wall,
        video_s_per_wall_s=result['duration'] / wall,
        build_seconds=build,
        warmup_seconds=warm,
        rss_before_gib=rss_before,
        peak_rss_gib=_peak_gib(),
        phase_peak_rss_gib=extra.get('memory'),
        frames_encoded=None if encoder is None else encoder.stats['encoded'],
        scores=[w['scores'] for w in result['windows']],
        **{
            k: timings.get(k, 0.)
            for k in ('decode', 'face_detection', 'pipeline', 'model')
        })
    return row


def _rss_gib() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 2**20
    return float('nan')


def run_worker(spec: dict, code_root: str) -> dict:
    """:func:`worker` in a fresh process on the umbe checkout ``code_root``.
    """
    env = dict(os.environ, PYTHONPATH=code_root)
    out = subprocess.run(
        [sys.executable,
         osp.abspath(__file__), '--worker',
         json.dumps(spec)],
        cwd=code_root,
        env=env,
        capture_output=True,
        text=True)
    if out.returncode != 0:
        raise RuntimeError(f'worker failed ({spec["name"]}, '
                           f'{spec["variant"]}):\n{out.stderr[-3000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def agreement(rows: list, random_weights: bool = False) -> dict:
    """Top-1 agreement and max |d prob| of each row with the first, keyed
    ``code:variant`` (``:repeat`` after the first repeat).

    With random weights (no checkpoint) each checkout builds its own: rows
    are compared with the first row of their own code only (the worker
    seeds the build, so one checkout's variants share their weights), and
    another checkout's rows get a note instead of numbers."""
    out = {}
    for row in rows[1:]:
        key = f'{row["code"]}:{row["variant"]}' + (
            f':{row["repeat"]}' if row.get('repeat') else '')
        ref = rows[0]
        if random_weights and row['code'] != ref['code']:
            ref = next((r for r in rows if r['code'] == row['code']), row)
            if ref is row:
                out[key] = dict(
                    top1_agreement=None, max_abs_diff=None,
                    note='random weights differ between checkouts: not '
                    'comparable (pass --checkpoint)')
                continue
        same, diffs = [], []
        for a, b in zip(ref['scores'], row['scores']):
            if a is None or b is None:
                continue
            same.append(max(a, key=a.get) == max(b, key=b.get))
            diffs.append(max(abs(a[c] - b[c]) for c in a))
        out[key] = dict(
            top1_agreement=float(np.mean(same)) if same else None,
            max_abs_diff=float(max(diffs)) if diffs else None)
    return out


def alternating(args, video: str, warmup: str) -> list:
    """Every (checkout, variant) measurement ``repeats`` times, in turn."""
    runs = []
    models = [(osp.splitext(osp.basename(args.config))[0], args.config,
               args.checkpoint)]
    if args.full_size:
        models.append(('full-size (random weights)', FULL, None))
    for name, config, checkpoint in models:
        todo = ([(args.baseline, 'baseline',
                  'fp32')] if args.baseline else []) + [(ROOT, 'this', v)
                                                        for v in args.variants]
        for rep in range(args.repeats):
            for root, code, variant in todo:
                spec = dict(
                    name=name,
                    code=code,
                    variant=variant,
                    config=_in_root(config) if code == 'this' else config,
                    checkpoint=checkpoint and osp.abspath(checkpoint),
                    device=args.device,
                    window=args.window,
                    stride=args.stride,
                    det_fps=args.det_fps,
                    batch_size=args.batch_size,
                    threads=args.threads,
                    video=video,
                    warmup=warmup)
                row = run_worker(spec, osp.abspath(root))
                row['repeat'] = rep
                with open('/proc/loadavg') as f:
                    row['loadavg'] = f.read().split()[:3]
                print(
                    f'{time.strftime("%H:%M:%S")} {name} {code} {variant}: '
                    f'{row["video_s_per_wall_s"]:.3f} video s / wall s '
                    f'(wall {row["wall_seconds"]:.1f} s, load '
                    f'{row["loadavg"][0]})',
                    flush=True)
                runs.append(row)
    return runs


def summary_table(runs: list) -> str:
    """Medians per (model, checkout, variant), and the ratio to the first
    of each model (the baseline when there is one)."""
    from terminaltables import AsciiTable
    groups = {}
    for row in runs:
        groups.setdefault((row['name'], row['code'], row['variant']),
                          []).append(row)
    table = [[
        'model', 'code', 'variant', 'runs', 'video s / wall s (median)',
        'x first', 'decode / faces / pipeline / model s', 'frames encoded',
        'peak RSS GiB'
    ]]
    first = {}
    for (name, code, variant), rows in groups.items():
        speed = statistics.median(r['video_s_per_wall_s'] for r in rows)
        first.setdefault(name, speed)
        stages = ' / '.join(f'{statistics.median(r[k] for r in rows):.1f}'
                            for k in ('decode', 'face_detection', 'pipeline',
                                      'model'))
        table.append([
            name, code, variant,
            len(rows), f'{speed:.4f}', f'{speed / first[name]:.2f}', stages,
            rows[0]['frames_encoded'],
            f'{max(r["peak_rss_gib"] for r in rows):.2f}'
        ])
    return AsciiTable(table).table


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    tmp = tempfile.TemporaryDirectory()
    video = args.video
    if video is None:
        video = write_talking_video(
            osp.join(tmp.name, 'talk.mp4'), args.seconds, args.fps, args.size)
    elif not osp.isfile(video):
        print(f'error: {video} not found', file=sys.stderr)
        return 2
    video = osp.abspath(video)
    if not args.stream and (args.baseline or args.variants != ['fp32']
                            or args.repeats > 1):
        warmup = write_talking_video(
            osp.join(tmp.name, 'warmup.mp4'), 2.0, args.fps, args.size)
        runs = alternating(args, video, warmup)
        print(summary_table(runs))
        by_model = {}
        for row in runs:
            by_model.setdefault(row['name'], []).append(row)
        agree = {
            name: agreement(rows, random_weights=args.checkpoint is None)
            for name, rows in by_model.items()
        }
        print(json.dumps(agree, indent=1))
        out = dict(video=video, runs=runs, agreement=agree)
    else:
        out = single(args, video, tmp.name)
    if args.json:
        from umbe.atomic_io import atomic_write_json
        atomic_write_json(out, args.json, indent=1)
    tmp.cleanup()
    return 0


def single(args, video: str, tmp: str):
    """Without --baseline / --repeats: each model and variant in this
    process, one after the other, and a table."""
    from umbe.apis.inference_timing import (stream_table, time_infer_video,
                                            time_stream, timing_table)
    runs = [(osp.splitext(osp.basename(args.config))[0], _in_root(args.config),
             args.checkpoint)]
    if args.full_size:
        runs.append(('full-size (random weights)', _in_root(FULL), None))
    rows = []
    warmup = None
    for name, config, checkpoint in runs:
        for variant in args.variants:
            label = name if variant == 'fp32' else f'{name} {variant}'
            print(f'building {label} ...', flush=True)
            model = build_model(config, checkpoint, args.device, variant)
            window = args.window or clip_seconds(inference_settings(model.cfg))
            if args.stream:
                rows.append(
                    time_stream(model, video, args.window, args.stride,
                                args.det_fps, label, args.max_seconds))
            else:
                if warmup is None:
                    warmup = write_talking_video(
                        osp.join(tmp, 'warmup.mp4'), 2.0, args.fps, args.size)
                rows.append(
                    time_infer_video(
                        model,
                        video,
                        window,
                        args.stride,
                        args.det_fps,
                        args.batch_size,
                        label,
                        warmup=warmup,
                        cache_size=0 if variant == 'uncached' else 4096))
            del model
    table = stream_table if args.stream else timing_table
    print(table(rows, title=osp.basename(video)))
    return rows


if __name__ == '__main__':
    sys.exit(main())
