"""Annotated video (face boxes + top emotions) and timeline plot.

Labels and boxes are sized with the frame (:func:`label_style`) and
outlined (:func:`draw_labels`), so they read on any background; the live
stream's preview draws with the same functions.
"""
import os
import os.path as osp
from fractions import Fraction
from typing import List, Optional, Tuple

import cv2
import numpy as np

from .face_tracking import max_gap_frames
from .video_results import result_persons
from .video_source import VideoSource

#: RGB colours of persons 0, 1, ...
COLOURS = ((230, 60, 60), (60, 170, 230), (80, 200, 80), (230, 180, 40),
           (180, 90, 220), (240, 120, 180))
#: the outline around every label and box: dark on light backgrounds,
#: while the coloured fill reads on dark ones
OUTLINE = (0, 0, 0)
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def label_style(height: int) -> Tuple[float, int]:
    """Font scale and stroke width for labels on frames ``height`` high.

    Text grows with the frame: 0.5 at 360 px (about 12 px capitals), 1.0 at
    720 px, 1.5 at 1080 px; never under 0.35.

    Args:
        height (int): Frame height in pixels.

    Returns:
        tuple[float, int]: ``cv2.putText`` scale and thickness.
    """
    scale = max(0.35, height / 720.0)
    return scale, max(1, int(round(scale * 2)))


def draw_labels(img: np.ndarray, lines: List[str], org: Tuple[int, int],
                colour: Tuple[int, int, int]) -> None:
    """Write lines of text, outlined, from their top-left corner (in place).

    The size follows the frame (:func:`label_style`); each line is drawn
    in :data:`OUTLINE` three pixels wider, then in ``colour``.

    Args:
        img (np.ndarray): (H, W, 3) image.
        lines (list[str]): Text lines, top to bottom.
        org (tuple[int, int]): ``(x, y)`` of the first line's top-left.
        colour (tuple): RGB fill.
    """
    scale, thick = label_style(img.shape[0])
    (_, text_h), base = cv2.getTextSize('Hg', _FONT, scale, thick)
    step = text_h + base + thick + 2
    x, y = org
    for k, line in enumerate(lines):
        baseline = (x, y + text_h + k * step)
        cv2.putText(img, line, baseline, _FONT, scale, OUTLINE, thick + 3,
                    cv2.LINE_AA)
        cv2.putText(img, line, baseline, _FONT, scale, colour, thick,
                    cv2.LINE_AA)


def labels_height(img_height: int, count: int) -> int:
    """Pixels that ``count`` lines of :func:`draw_labels` take."""
    scale, thick = label_style(img_height)
    (_, text_h), base = cv2.getTextSize('Hg', _FONT, scale, thick)
    return count * (text_h + base + thick + 2)


def draw_face(img: np.ndarray,
              box: Optional[Tuple[float, ...]],
              lines: List[str],
              colour: Tuple[int, int, int],
              slot: int = 0) -> None:
    """A face box (outlined) with its labels below it, or above it when
    there is no room below; without a box the labels go top left, one slot
    per person (in place).

    Args:
        img (np.ndarray): (H, W, 3) image.
        box (tuple, optional): ``(x, y, w, h)``.
        lines (list[str]): The labels.
        colour (tuple): RGB.
        slot (int): The person's number, for labels without a box.
    """
    h = img.shape[0]
    _, thick = label_style(h)
    room = labels_height(h, len(lines))
    if box is not None:
        x, y, bw, bh = (int(round(v)) for v in box)
        cv2.rectangle(img, (x, y), (x + bw, y + bh), OUTLINE, thick + 3)
        cv2.rectangle(img, (x, y), (x + bw, y + bh), colour, thick + 1)
        org = (x, y + bh + thick + 2)
        if org[1] + room > h:  # no room below
            org = (x, max(0, y - room - thick))
    else:
        org = (4, 4 + slot * (room + 4))
    if lines:
        draw_labels(img, lines, org, colour)


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
    source = VideoSource(result['video'], cache_size=32)
    fps = result['fps']
    tracks = result.get('_tracks', [])
    persons = result_persons(result)
    max_gap = max_gap_frames(fps)
    with av.open(out_file, 'w') as container:
        stream = container.add_stream(
            'libx264', rate=Fraction(fps).limit_denominator(1000))
        h, w = source.read([0])[0].shape[:2]
        stream.height, stream.width = h + h % 2, w + w % 2
        stream.pix_fmt = 'yuv420p'
        for start in range(0, source.num_frames, 32):
            ids = list(range(start, min(source.num_frames, start + 32)))
            for i, frame in zip(ids, source.read(ids)):  # decoded forward
                img = np.ascontiguousarray(
                    np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0))))
                t = i / fps
                for p, person in enumerate(persons):
                    box = tracks[p].box_at(
                        i, max_gap) if p < len(tracks) else None
                    window = _window_at(person['windows'], t)
                    top = [] if window is None else sorted(
                        window['smoothed_scores'].items(),
                        key=lambda kv: -kv[1])[:top_k]
                    draw_face(img, box,
                              [f'{name} {prob:.2f}' for name, prob in top],
                              COLOURS[p % len(COLOURS)], p)
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
