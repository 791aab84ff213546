"""Annotated video (face boxes + top emotions) and timeline plot."""
import os
import os.path as osp
from fractions import Fraction
from typing import List, Optional, Tuple

import cv2
import numpy as np

from .face_tracking import max_gap_frames
from .video_results import result_persons

#: RGB colours of persons 0, 1, ...
COLOURS = ((230, 60, 60), (60, 170, 230), (80, 200, 80), (230, 180, 40),
           (180, 90, 220), (240, 120, 180))


def _window_at(windows: List[dict], t: float) -> Optional[dict]:
    """The scored window whose centre is nearest to ``t`` and covers it."""
    best, dist = None, None
    for w in windows:
        if w.get('smoothed_scores') is None or not w['start'] <= t <= w['end']:
            continue
        d = abs((w['start'] + w['end']) / 2 - t)
        if dist is None or d < dist:
            best, dist = w, d
    return best


def _skipped_spans(windows: List[dict]) -> List[tuple]:
    """Time spans covered by skipped windows only (scored ones removed)."""
    edges = sorted({w['start'] for w in windows} | {w['end'] for w in windows})
    spans = []
    for a, b in zip(edges[:-1], edges[1:]):
        covering = [w for w in windows if w['start'] <= a and b <= w['end']]
        if covering and all(w.get('scores') is None for w in covering):
            if spans and spans[-1][1] == a:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
    return spans


def write_annotated_video(result: dict, out_file: str, top_k: int = 3) -> str:
    """Draw each person's face box and top emotions on every frame.

    Args:
        result (dict): Output of :func:`infer_video` (with ``_tracks``).
        out_file (str): The MP4 to write (H.264).
        top_k (int): Emotions shown per person. Defaults to 3.

    Returns:
        str: ``out_file``.
    """
    import av
    import decord
    reader = decord.VideoReader(result['video'], num_threads=1)
    fps = result['fps']
    tracks = result.get('_tracks', [])
    persons = result_persons(result)
    max_gap = max_gap_frames(fps)
    with av.open(out_file, 'w') as container:
        stream = container.add_stream(
            'libx264', rate=Fraction(fps).limit_denominator(1000))
        h, w = reader[0].shape[:2]
        stream.height, stream.width = h + h % 2, w + w % 2
        stream.pix_fmt = 'yuv420p'
        for start in range(0, len(reader), 32):
            ids = list(range(start, min(len(reader), start + 32)))
            for i, frame in zip(ids, reader.get_batch(ids).asnumpy()):
                img = np.ascontiguousarray(
                    np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0))))
                t = i / fps
                for p, person in enumerate(persons):
                    colour = COLOURS[p % len(COLOURS)]
                    box = tracks[p].box_at(
                        i, max_gap) if p < len(tracks) else None
                    window = _window_at(person['windows'], t)
                    if box is not None:
                        x, y, bw, bh = (int(round(v)) for v in box)
                        cv2.rectangle(img, (x, y), (x + bw, y + bh), colour, 2)
                        org = (x, y + bh + 12)
                        if org[1] + 12 * (top_k - 1) > h:  # no room below
                            org = (x, max(12, y - 12 * top_k))
                    else:
                        org = (4, 12 + 40 * p)
                    if window is None:
                        continue
                    top = sorted(
                        window['smoothed_scores'].items(),
                        key=lambda kv: -kv[1])[:top_k]
                    for k, (name, prob) in enumerate(top):
                        cv2.putText(img, f'{name} {prob:.2f}',
                                    (org[0], org[1] + 12 * k),
                                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1,
                                    cv2.LINE_AA)
                for packet in stream.encode(
                        av.VideoFrame.from_ndarray(img, format='rgb24')):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out_file


def plot_timeline(result: dict, out_file: str) -> str:
    """Plot the smoothed per-class probabilities over time, per person.

    Args:
        result (dict): Output of :func:`infer_video`.
        out_file (str): The PNG to write.

    Returns:
        str: ``out_file``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    persons = result_persons(result)
    classes = result['classes']
    fig, axes = plt.subplots(
        len(persons), 1, figsize=(10, 2.6 * len(persons)), squeeze=False)
    cmap = plt.get_cmap('tab10')
    for ax, person in zip(axes[:, 0], persons):
        windows = person['windows']
        centres = [(w['start'] + w['end']) / 2 for w in windows]
        for c, name in enumerate(classes):
            smooth = [
                np.nan if w.get('smoothed_scores') is None else
                w['smoothed_scores'][name] for w in windows
            ]
            raw = [
                np.nan if w.get('scores') is None else w['scores'][name]
                for w in windows
            ]
            ax.plot(centres, smooth, '-', color=cmap(c % 10), label=name)
            ax.plot(centres, raw, '.', color=cmap(c % 10), alpha=0.4)
        for start, end in _skipped_spans(windows):
            ax.axvspan(start, end, color='grey', alpha=0.15, lw=0)
        ax.set_ylim(0, 1)
        ax.set_xlim(0, max(result['duration'], 1e-3))
        ax.set_ylabel('probability')
        ax.set_title(f'{osp.basename(result["video"])} - person '
                     f'{person["person"]}' if len(persons) >
                     1 else osp.basename(result['video']))
    axes[-1, 0].set_xlabel('time (s); grey = skipped (no face)')
    axes[0, 0].legend(loc='upper right', fontsize=7, ncol=len(classes))
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
    return out_file


def write_visualizations(result: dict, show_dir: str) -> Tuple[str, str]:
    """The annotated MP4 and the timeline PNG of one video.

    Args:
        result (dict): Output of :func:`infer_video` (with ``_tracks``).
        show_dir (str): Folder for ``<stem>_annotated.mp4`` and
            ``<stem>_timeline.png`` (created).

    Returns:
        tuple[str, str]: The two files.
    """
    os.makedirs(show_dir, exist_ok=True)
    stem = osp.splitext(osp.basename(result['video']))[0]
    video = write_annotated_video(result,
                                  osp.join(show_dir, f'{stem}_annotated.mp4'))
    plot = plot_timeline(result, osp.join(show_dir, f'{stem}_timeline.png'))
    return video, plot
