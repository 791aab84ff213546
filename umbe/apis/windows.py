"""Window planning: which time spans (and frames) of a video are clips.

``infer_video`` runs in three steps: plan the windows (here), turn each
window into a pipeline record (:mod:`.window_records`), summarise the
predictions into a timeline (:mod:`.timeline`). The live stream
(:mod:`.stream`) plans its windows with the same functions.

A window's clip samples its T frames from **one time grid per video**
(:func:`clip_frames`): the points ``(j + 0.5) * window / T`` seconds, so
windows that overlap share their frames exactly (with the default stride of
half a window, the second half of one window's frames are the first half of
the next one's), and a frame that windows share is decoded and encoded once.
"""
import math
from dataclasses import dataclass, field
from typing import List, NamedTuple, Optional, Tuple

import numpy as np


def sliding_windows(duration: float, window: float,
                    stride: float) -> List[Tuple[float, float]]:
    """Split ``[0, duration)`` into windows of ``window`` seconds.

    A video no longer than ``window + stride / 2`` gives one window over
    all of it (a second window would add less than half a stride).
    Otherwise windows start every ``stride`` seconds; the last one is moved
    to end at the video's end, so the tail is covered and no window is
    short: ``ceil((duration - window) / stride) + 1`` windows.

    Args:
        duration (float): Video length in seconds.
        window (float): Window length in seconds (> 0).
        stride (float): Step between window starts in seconds (> 0).

    Returns:
        list[tuple[float, float]]: ``(start, end)`` in seconds.
    """
    if window <= 0 or stride <= 0:
        raise ValueError(f'window and stride must be > 0 seconds, got '
                         f'window={window!r}, stride={stride!r}')
    if duration <= window + stride / 2 + 1e-6:
        return [(0.0, float(duration))]
    count = int(math.ceil((duration - window) / stride - 1e-6)) + 1
    starts = [min(i * stride, duration - window) for i in range(count)]
    return [(float(s), float(s + window)) for s in starts]


class VideoWindow(NamedTuple):
    """One window of a video: a time span and its frames.

    Attributes:
        index (int): Position in the timeline.
        start (float): Start in seconds.
        end (float): End in seconds.
        first_frame (int): First frame of the span.
        stop_frame (int): One past its last frame (> ``first_frame``).
        frames (tuple[int]): The frames its clip samples (at most T, from
            :func:`clip_frames`); empty: every frame of the span, sampled
            by the pipeline. Defaults to ().
    """
    index: int
    start: float
    end: float
    first_frame: int
    stop_frame: int
    frames: Tuple[int, ...] = ()

    @property
    def num_frames(self) -> int:
        """Frames in the window."""
        return self.stop_frame - self.first_frame

    @property
    def clip_frames(self) -> Tuple[int, ...]:
        """The frames handed to the pipeline: :attr:`frames`, or every
        frame of the span when none were planned."""
        return self.frames or tuple(range(self.first_frame, self.stop_frame))


@dataclass
class WindowPlan:
    """The windows of a video and what the plan tells the user.

    Attributes:
        windows (list[VideoWindow]): In time order.
        stride (float | None): Seconds between window starts (None: the
            whole video is one clip).
        notes (list[str]): Messages about the plan (a short video, one clip
            for a long video, fewer frames than a clip samples).
    """
    windows: List[VideoWindow]
    stride: Optional[float]
    notes: List[str] = field(default_factory=list)


def frame_span(start: float, end: float, fps: float,
               num_frames: int) -> Tuple[int, int]:
    """The frames ``[first, stop)`` of a time span; at least one frame.

    Args:
        start (float): Start in seconds.
        end (float): End in seconds.
        fps (float): Frame rate.
        num_frames (int): Frames in the video.

    Returns:
        tuple[int, int]: First frame and one past the last.
    """
    first = min(num_frames - 1, int(round(start * fps)))
    stop = max(first + 1, min(num_frames, int(round(end * fps))))
    return first, stop


def clip_frames(start: float, span: float, first: int, stop: int, fps: float,
                clip_len: int) -> Tuple[int, ...]:
    """The T frames a window's clip samples, from the video's time grid.

    A window of ``stop - first <= clip_len`` frames uses all of them (the
    rest of the clip is padding, as in training). Otherwise the clip takes
    the frame showing each time point ``start + (t + 0.5) * span / T``:
    the centres of T equal segments, as ``uniform_indices`` samples a
    training clip. A window that starts on the grid (``start`` a multiple
    of ``span / T``, as every window does when the stride is a multiple of
    it) computes its points from the grid index, so two windows get the
    same frame for a point they share, bit for bit.

    For a whole video (``start`` 0, ``span`` its duration) this is
    ``uniform_indices(num_frames, T)``; for a window that starts on a frame
    and spans a whole number of frames, it is ``first +
    uniform_indices(stop - first, T)``, the sampling of the pipeline over
    the window's frames. Otherwise a point may fall one frame from that.

    Args:
        start (float): Window start in seconds.
        span (float): Window length in seconds (the planned one: every
            window of a video has the same, so they share one grid).
        first (int): First frame of the window.
        stop (int): One past its last frame.
        fps (float): Frame rate.
        clip_len (int): T, frames per clip.

    Returns:
        tuple[int]: Increasing frame indices in ``[first, stop)``.
    """
    if stop - first <= clip_len:
        return tuple(range(first, stop))
    step = span / clip_len  # seconds between grid points
    pos = start / step
    offsets = np.arange(clip_len) + 0.5
    if abs(pos - round(pos)) < 1e-6:  # on the grid: shared points
        times = (round(pos) + offsets) * step
    else:
        times = start + offsets * step
    frames = np.floor(times * fps + 1e-6).astype(np.int64)
    return tuple(int(f) for f in np.clip(frames, first, stop - 1))


def plan_windows(duration: float, fps: float, num_frames: int,
                 window: Optional[float], stride: Optional[float],
                 clip_len: int, clip_seconds: float) -> WindowPlan:
    """Cut a video into the windows that become clips.

    Args:
        duration (float): Video length in seconds.
        fps (float): Frame rate.
        num_frames (int): Frames in the video.
        window (float, optional): Window length in seconds; None: the whole
            video is one clip.
        stride (float, optional): Seconds between window starts; None: half
            the window.
        clip_len (int): T, frames a clip samples (for the notes).
        clip_seconds (float): Seconds of sound a clip holds (for the notes).

    Returns:
        WindowPlan: The windows (see :func:`sliding_windows`), each with the
        frames of its clip (:func:`clip_frames`), the stride used and the
        notes.
    """
    notes = []
    if num_frames < clip_len:
        notes.append(f'the video has {num_frames} frames, fewer than the '
                     f'{clip_len} a clip samples: all are used and the '
                     'rest is padding (as in training)')
    if window is None:
        spans = [(0.0, duration)]
        stride = None
        if duration > 2 * clip_seconds:
            notes.append(
                f'the whole {duration:.1f} s video is one clip '
                f'({clip_len} frames over all of it, the sound '
                f'of its first {clip_seconds:g} s); give a window for a '
                'timeline')
    else:
        stride = stride or window / 2
        spans = sliding_windows(duration, window, stride)
        if len(spans) == 1:
            notes.append(
                f'the video ({duration:.2f} s) is not longer than one'
                f' window ({window:g} s) + half a stride: one prediction for '
                'all of it')
    span = duration if window is None or len(spans) == 1 else window
    windows = []
    for index, (start, end) in enumerate(spans):
        first, stop = frame_span(start, end, fps, num_frames)
        windows.append(
            VideoWindow(index, start, end, first, stop,
                        clip_frames(start, span, first, stop, fps, clip_len)))
    return WindowPlan(windows, stride, notes)
