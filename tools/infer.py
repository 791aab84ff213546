"""Predict emotions in your own videos with a trained umbe checkpoint.

``python tools/infer.py CONFIG CHECKPOINT INPUT`` where INPUT is a video file
(mp4, avi, mkv, flv, webm, mov), a folder of them (searched recursively) or
a text file listing one video per line (relative paths are relative to the
list). The main face is detected (OpenCV's bundled Haar cascade, or YuNet
with ``--detector yunet --yunet-model FILE``) and tracked, the full frame is
the scene, the sound is the video's own track. Videos longer than
``--window`` seconds are cut into sliding windows with a smoothed timeline
and an overall label; frames that windows share are encoded once. On a CPU
the frozen towers run float32 on oneDNN-packed weights (``--no-onednn``:
PyTorch's default kernels), or int8 with ``--int8``. See docs/inference.md.
"""
import argparse
import sys
import time

from mmengine.utils import ProgressBar
from terminaltables import AsciiTable

from umbe.apis import (RESULT_EXTENSIONS, add_face_detection_arguments,
                       build_face_detector, check_face_detection_arguments,
                       clip_seconds, collect_videos, failure_reason,
                       format_result, infer_video, inference_settings,
                       init_recognizer, write_results)
from umbe.apis.tower_optimization import prepare_towers
from umbe.apis.visualization import write_visualizations
from umbe.structures import expand_modalities
from umbe.utils.config_utils import (add_checkpoint_trust_argument,
                                     apply_checkpoint_trust,
                                     checkpoint_or_none, load_config)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict emotions in videos with a umbe checkpoint')
    parser.add_argument(
        'config', help='config file the checkpoint was '
        'trained with')
    parser.add_argument(
        'checkpoint',
        help='checkpoint file, or "none" for a zero-shot config')
    parser.add_argument(
        'input', help='a video file, a folder of videos, or a .txt list')
    parser.add_argument('--caption', help='caption text for every video')
    parser.add_argument(
        '--modalities',
        help='comma-separated modalities to use (video, face, scene, audio, '
        'caption); default: all a video has')
    parser.add_argument(
        '--window',
        type=float,
        help='window length in seconds (default: the clip length of the '
        'config, its audio duration); 0 = the whole video as one clip')
    parser.add_argument(
        '--stride',
        type=float,
        help='seconds between window starts (default: half the window)')
    parser.add_argument(
        '--smooth',
        type=int,
        default=3,
        help='windows in the timeline moving average (odd)')
    parser.add_argument(
        '--no-face',
        choices=['skip', 'scene'],
        default='skip',
        help='a window without the face: skip it, or score it from the '
        'scene, audio and caption')
    parser.add_argument(
        '--all-faces',
        action='store_true',
        help='a timeline for every tracked person')
    add_face_detection_arguments(parser)
    parser.add_argument(
        '--int8',
        action='store_true',
        help='CPU: int8 weights for the frozen CLIP towers (dynamic '
        'quantisation; faster, probabilities within the tolerance of '
        'docs/benchmark.md)')
    parser.add_argument(
        '--compile',
        action='store_true',
        help='torch.compile the image tower (measured not to pay on CPU; '
        'see docs/benchmark.md)')
    parser.add_argument(
        '--no-onednn',
        action='store_true',
        help='CPU: run the float32 towers on PyTorch\'s default kernels '
        'instead of oneDNN with prepacked weights (the default; same '
        'arithmetic, probabilities equal within 1e-4)')
    parser.add_argument(
        '--batch-size', type=int, default=8, help='windows per forward pass')
    parser.add_argument(
        '--out', help='write results to a .json or .csv '
        'file')
    parser.add_argument(
        '--show-dir',
        help='write an annotated MP4 and a '
        'timeline PNG per video here')
    parser.add_argument(
        '--device',
        default='cpu',
        help='torch device, e.g. cpu or cuda (cuda:0)')
    add_checkpoint_trust_argument(parser)
    args = parser.parse_args(argv)
    if args.out and not args.out.endswith(RESULT_EXTENSIONS):
        parser.error(f'--out {args.out}: use a .json or .csv file name')
    if args.modalities is not None:
        try:
            args.modalities = list(
                expand_modalities(args.modalities, '--modalities'))
        except ValueError as err:
            parser.error(str(err))
    for name in ('window', 'stride'):
        value = getattr(args, name)
        if value is not None and value < 0:
            parser.error(f'--{name} must be >= 0 seconds, got {value}')
    if args.smooth < 1 or args.smooth % 2 == 0:
        parser.error(f'--smooth must be an odd number >= 1, got '
                     f'{args.smooth}')
    check_face_detection_arguments(parser, args)
    if args.int8 and not str(args.device).startswith('cpu'):
        parser.error(f'--int8 is for the CPU (fbgemm / x86), not '
                     f'--device {args.device}')
    return args


def window_progress():
    """``progress(done, total)`` for :func:`infer_video`: a bar over the
    windows of one video, started at the first call."""
    state = {}

    def progress(done, total):
        if 'bar' not in state:
            state['bar'], state['done'] = ProgressBar(total), 0
        for _ in range(done - state['done']):
            state['bar'].update()
        state['done'] = done

    return progress


def main(argv=None):
    args = parse_args(argv)
    apply_checkpoint_trust(args)
    try:
        videos = collect_videos(args.input)
        detector = build_face_detector(args.detector, args.det_size,
                                       args.yunet_model)
        cfg = load_config(args.config, None)
        model = init_recognizer(cfg, checkpoint_or_none(
            args.checkpoint, cfg.model), args.device)
        prepare_towers(
            model,
            int8=args.int8,
            compile=args.compile,
            onednn=False if args.no_onednn else None)
    except (FileNotFoundError, ValueError, RuntimeError, TypeError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    window = args.window
    if window is None:
        window = clip_seconds(inference_settings(model.cfg))
    window = window or None  # 0: the whole video

    results, failures = [], []
    video_bar = ProgressBar(len(videos)) if len(videos) > 1 else None
    start_time = time.time()
    for path in videos:
        print(f'\n{path}')
        try:
            result = infer_video(
                model,
                path,
                window=window,
                stride=args.stride,
                caption=args.caption,
                modalities=args.modalities,
                no_face=args.no_face,
                all_faces=args.all_faces,
                margin=args.margin,
                det_fps=args.det_fps,
                smooth=args.smooth,
                detector=detector,
                batch_size=args.batch_size,
                progress=window_progress())
        except Exception as err:  # keep going with the other videos
            failures.append((path, failure_reason(err)))
            print(f'failed: {err}', file=sys.stderr)
        else:
            print()
            print(format_result(result))
            if args.show_dir:
                video, plot = write_visualizations(result, args.show_dir)
                print(f'wrote {video} and {plot}')
            results.append(result)
        if video_bar is not None:
            video_bar.update()
    elapsed = time.time() - start_time

    if args.out:
        write_results(args.out, results, failures, args.config,
                      args.checkpoint, model.classes)
        print(f'results written to {args.out}')
    print(f'\n{len(results)} of {len(videos)} video(s) done in '
          f'{elapsed:.1f} s')
    unscored = [r['video'] for r in results if r['overall'] is None]
    if unscored:
        print(f'no window scored in {len(unscored)} video(s) (no face '
              'found; --no-face scene scores them from scene and audio): ' +
              ', '.join(unscored))
    if failures:
        table = [['failed video', 'reason']] + [list(f) for f in failures]
        print(AsciiTable(table, title='failures').table)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
