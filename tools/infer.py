"""Predict emotions in your own videos with a trained umbe checkpoint.

``python tools/infer.py CONFIG CHECKPOINT INPUT`` where INPUT is a video file
(mp4, avi, mkv, flv, webm, mov), a folder of them (searched recursively) or
a text file listing one video per line (relative paths are relative to the
list). The main face is detected and tracked with OpenCV's bundled Haar
cascade, the full frame is the scene, the sound is the video's own track.
Videos longer than ``--window`` seconds are cut into sliding windows with a
smoothed timeline and an overall label. See docs/inference.md.
"""
import argparse
import csv
import json
import os
import os.path as osp
import sys
import time

from mmengine.utils import ProgressBar
from terminaltables import AsciiTable

from umbe.apis import (VIDEO_EXTENSIONS, HaarFaceDetector, clip_seconds,
                       infer_video, inference_settings, init_recognizer)
from umbe.structures import MODALITY_NAMES


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict emotions in videos with a umbe checkpoint')
    parser.add_argument(
        'config', help='config file the checkpoint was '
        'trained with')
    parser.add_argument('checkpoint', help='checkpoint file')
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
    parser.add_argument(
        '--margin',
        type=float,
        default=0.25,
        help='face crop margin per side (fraction of the '
        'face box)')
    parser.add_argument(
        '--det-fps',
        type=float,
        default=5.0,
        help='face detections per second of video')
    parser.add_argument(
        '--det-size',
        type=int,
        default=640,
        help='frames are downscaled to this long side for '
        'face detection (smaller = faster, misses small '
        'faces)')
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
    args = parser.parse_args(argv)
    if args.out and not args.out.endswith(('.json', '.csv')):
        parser.error(f'--out {args.out}: use a .json or .csv file name')
    if args.modalities:
        names = [m.strip() for m in args.modalities.split(',') if m.strip()]
        bad = [m for m in names if m not in MODALITY_NAMES]
        if bad or not names:
            parser.error(f'--modalities {args.modalities}: unknown {bad}; '
                         f'use a comma-separated list of {MODALITY_NAMES}')
        args.modalities = names
    for name in ('window', 'stride'):
        value = getattr(args, name)
        if value is not None and value < 0:
            parser.error(f'--{name} must be >= 0 seconds, got {value}')
    if args.smooth < 1 or args.smooth % 2 == 0:
        parser.error(f'--smooth must be an odd number >= 1, got '
                     f'{args.smooth}')
    return args


def collect_videos(source):
    """Video paths of a file, a folder (recursive) or a .txt list."""
    if osp.isdir(source):
        found = []
        for root, _, files in os.walk(source):
            found += [
                osp.join(root, f) for f in files
                if f.lower().endswith(VIDEO_EXTENSIONS)
            ]
        if not found:
            raise FileNotFoundError(
                f'{source}: no videos ({", ".join(VIDEO_EXTENSIONS)}) in '
                'this folder')
        return sorted(found)
    if not osp.isfile(source):
        raise FileNotFoundError(f'{source}: no such file or folder')
    if source.lower().endswith('.txt'):
        root = osp.dirname(source)
        with open(source) as f:
            lines = [ln.strip() for ln in f]
        paths = [
            ln if osp.isabs(ln) else osp.join(root, ln) for ln in lines
            if ln and not ln.startswith('#')
        ]
        if not paths:
            raise ValueError(f'{source}: the list names no videos')
        return paths
    if not source.lower().endswith(VIDEO_EXTENSIONS):
        raise ValueError(
            f'{source}: not a video ({", ".join(VIDEO_EXTENSIONS)}), a '
            'folder or a .txt list')
    return [source]


def json_ready(result):
    """The result without the in-memory keys (tracks, video reader)."""
    return {k: v for k, v in result.items() if not k.startswith('_')}


def print_result(result):
    """Print the per-window table(s) and the overall label of a video."""
    persons = result.get('persons') or [
        dict(person=0, windows=result['windows'], overall=result['overall'])
    ]
    for person in persons:
        rows = [[
            'window (s)', 'face', 'modalities', 'top-1', 'smoothed', 'note'
        ]]
        for w in person['windows']:
            top = '-' if w['scores'] is None else (
                f'{w["pred_class"]} {w["scores"][w["pred_class"]]:.2f}')
            rows.append([
                f'{w["start"]:.2f}-{w["end"]:.2f}',
                'yes' if w['face_found'] else 'no', '+'.join(w['modalities'])
                or '-', top,
                w.get('smoothed_class') or '-', w['note']
            ])
        title = osp.basename(result['video'])
        if result.get('persons'):
            title += f' person {person["person"]}'
        print(AsciiTable(rows, title=title).table)
        overall = person['overall']
        print('overall: ' + ('no scored window' if overall is None else (
            f'{overall["pred_class"]} '
            f'({overall["scores"][overall["pred_class"]]:.2f}, mean of '
            f'{overall["num_windows"]} window(s))')))
    for note in result['notes']:
        print(f'note: {note}')


def write_csv(path, results, classes):
    """One row per video, person and window with every class probability."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow([
            'video', 'person', 'window', 'start', 'end', 'face_found',
            'modalities', 'pred_class', 'smoothed_class'
        ] + [f'p_{c}' for c in classes] + ['note'])
        for result in results:
            persons = result.get('persons') or [
                dict(person=0, windows=result['windows'])
            ]
            for person in persons:
                for w in person['windows']:
                    probs = [
                        '' if w['scores'] is None else f'{w["scores"][c]:.6f}'
                        for c in classes
                    ]
                    writer.writerow([
                        result['video'], person['person'], w['index'],
                        w['start'], w['end'],
                        int(w['face_found']), '+'.join(
                            w['modalities']), w['pred_class'] or '',
                        w.get('smoothed_class') or ''
                    ] + probs + [w['note']])


def main(argv=None):
    args = parse_args(argv)
    try:
        videos = collect_videos(args.input)
        model = init_recognizer(args.config, args.checkpoint, args.device)
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    window = args.window
    if window is None:
        window = clip_seconds(inference_settings(model.cfg))
    window = window or None  # 0: the whole video
    if args.show_dir:
        os.makedirs(args.show_dir, exist_ok=True)

    detector = HaarFaceDetector(max_side=args.det_size)
    results, failures = [], []
    video_bar = ProgressBar(len(videos)) if len(videos) > 1 else None
    start_time = time.time()
    for path in videos:
        print(f'\n{path}')
        state = {}

        def progress(done, total, state=state):
            if 'bar' not in state:
                state['bar'], state['done'] = ProgressBar(total), 0
            for _ in range(done - state['done']):
                state['bar'].update()
            state['done'] = done

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
                progress=progress)
        except Exception as err:  # keep going with the other videos
            from umbe.datasets.utils import BadClipError
            failures.append((path, str(err) if isinstance(err, BadClipError)
                             else f'{type(err).__name__}: {err}'))
            print(f'failed: {err}', file=sys.stderr)
        else:
            print()
            print_result(result)
            if args.show_dir:
                _show(result, args.show_dir)
            results.append(result)
        if video_bar is not None:
            video_bar.update()
    elapsed = time.time() - start_time

    classes = list(model.classes)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        if args.out.endswith('.json'):
            with open(args.out, 'w') as f:
                json.dump(
                    dict(
                        config=args.config,
                        checkpoint=args.checkpoint,
                        classes=classes,
                        videos=[json_ready(r) for r in results],
                        failures=[dict(video=p, error=e)
                                  for p, e in failures]),
                    f,
                    indent=1)
        else:
            write_csv(args.out, results, classes)
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


def _show(result, show_dir):
    """Annotated MP4 and timeline PNG of one video."""
    from umbe.apis.visualization import plot_timeline, write_annotated_video
    stem = osp.splitext(osp.basename(result['video']))[0]
    video = write_annotated_video(result,
                                  osp.join(show_dir, f'{stem}_annotated.mp4'))
    plot = plot_timeline(result, osp.join(show_dir, f'{stem}_timeline.png'))
    print(f'wrote {video} and {plot}')


if __name__ == '__main__':
    sys.exit(main())
