"""Predict emotions on a live stream: a camera, a file played live, a URL.

``python tools/stream.py CONFIG CHECKPOINT --source SOURCE`` where SOURCE is
a camera index (``0``), a video file (played at its own frame rate, as a
camera would deliver it) or a URL FFmpeg opens (``rtsp://``, ``http://``).
A rolling window moves over the frames and the sound; each stride one JSON
line goes to standard output (or ``--out FILE``): the window's stream time,
the wall clock, the latency, the tracked face, the probabilities, the
smoothed probabilities and the modalities used. Messages go to standard
error. When the model is slower than real time, windows are dropped and the
next line says how many. See docs/inference.md, "Live streams".
"""
import argparse
import json
import os
import signal
import sys
import threading

from umbe.apis import (add_face_detection_arguments, build_face_detector,
                       check_face_detection_arguments, init_recognizer,
                       json_ready)
from umbe.apis.stream import StreamRecognizer, preview_image
from umbe.apis.stream_sources import open_stream_source
from umbe.apis.tower_optimization import prepare_towers
from umbe.structures import expand_modalities
from umbe.utils.config_utils import (add_checkpoint_trust_argument,
                                     apply_checkpoint_trust)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict emotions on a live stream with a umbe '
        'checkpoint')
    parser.add_argument(
        'config', help='config file the checkpoint was trained with')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--source',
        required=True,
        help='camera index (0), video file (played live) or URL '
        '(rtsp://, http://, ...)')
    parser.add_argument(
        '--out',
        help='append the JSON lines to this file instead of '
        'standard output')
    parser.add_argument(
        '--window',
        type=float,
        help='window seconds (default: the config\'s clip length)')
    parser.add_argument(
        '--stride',
        type=float,
        help='seconds between predictions (default: half the window)')
    parser.add_argument(
        '--smooth',
        type=int,
        default=3,
        help='windows in the trailing mean of smoothed_scores')
    parser.add_argument(
        '--no-face',
        choices=['skip', 'scene'],
        default='skip',
        help='a window without the face: skip it (a line with scores null) '
        'or score it from the scene and sound')
    add_face_detection_arguments(parser)
    parser.add_argument('--modalities', help='e.g. video,audio')
    parser.add_argument('--caption', help='a caption for the whole stream')
    parser.add_argument(
        '--int8',
        action='store_true',
        help='CPU: int8 weights for the frozen CLIP towers')
    parser.add_argument(
        '--no-onednn',
        action='store_true',
        help='CPU: run the float32 towers on PyTorch\'s default kernels '
        'instead of oneDNN with prepacked weights (the default)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--preview',
        action='store_true',
        help='show the frames with the face and the latest emotions in a '
        'window (needs a display; q quits)')
    parser.add_argument(
        '--max-seconds',
        type=float,
        help='stop after this many seconds of stream')
    parser.add_argument(
        '--speed',
        type=float,
        default=1.0,
        help='playback speed of a file source (1: its own frame rate)')
    add_checkpoint_trust_argument(parser)
    args = parser.parse_args(argv)
    if args.modalities is not None:
        try:
            args.modalities = list(
                expand_modalities(args.modalities, '--modalities'))
        except ValueError as err:
            parser.error(str(err))
    for name in ('window', 'stride', 'max_seconds'):
        value = getattr(args, name)
        if value is not None and value <= 0:
            parser.error(f'--{name.replace("_", "-")} must be > 0, got '
                         f'{value}')
    if args.smooth < 1:
        parser.error(f'--smooth must be >= 1, got {args.smooth}')
    check_face_detection_arguments(parser, args)
    if args.int8 and not str(args.device).startswith('cpu'):
        parser.error(f'--int8 is for the CPU, not --device {args.device}')
    if args.preview and sys.platform.startswith('linux') and not (
            os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
        parser.error('--preview needs a display (DISPLAY is not set)')
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_preview(classes, stop: threading.Event):
    """``on_frame`` for :meth:`StreamRecognizer.run`: an OpenCV window."""
    import cv2

    def show(rgb, state):
        cv2.imshow('umbe stream',
                   cv2.cvtColor(preview_image(rgb, state), cv2.COLOR_RGB2BGR))
        if cv2.waitKey(1) & 0xFF == ord('q'):
            stop.set()

    return show


def main(argv=None):
    args = parse_args(argv)
    apply_checkpoint_trust(args)
    try:
        detector = build_face_detector(args.detector, args.det_size,
                                       args.yunet_model)
        model = init_recognizer(args.config, args.checkpoint, args.device)
        prepare_towers(
            model,
            int8=args.int8,
            onednn=False if args.no_onednn else None)
        source = open_stream_source(args.source, speed=args.speed)
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    recognizer = StreamRecognizer(
        model,
        window=args.window,
        stride=args.stride,
        detector=detector,
        det_fps=args.det_fps,
        margin=args.margin,
        no_face=args.no_face,
        modalities=args.modalities,
        caption=args.caption,
        smooth=args.smooth)
    log(f'{source.name}: {source.fps:g} fps, sound: '
        f'{"yes" if getattr(source, "has_audio", False) else "no"}; window '
        f'{recognizer.window:g} s every {recognizer.stride:g} s; '
        f'{"Ctrl-C" if not args.preview else "q or Ctrl-C"} stops')
    # a live log: each line is written whole and flushed as it comes, so
    # a reader (tail -f) never sees half a line; it cannot be one atomic
    # rename as the other result files are
    out = open(args.out, 'a') if args.out else sys.stdout
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())

    def emit(line):
        out.write(json.dumps(json_ready(line)) + '\n')
        out.flush()

    try:
        summary = recognizer.run(
            source,
            emit,
            stop=stop,
            max_seconds=args.max_seconds,
            on_frame=make_preview(model.classes, stop)
            if args.preview else None,
            log=log)
    finally:
        signal.signal(signal.SIGINT, previous)
        if out is not sys.stdout:
            out.close()
    log('summary: ' + json.dumps(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
