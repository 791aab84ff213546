"""Window planning: which time spans (and frames) of a video are clips.

``infer_video`` runs in three steps: plan the windows (here), turn each
window into a pipeline record (:mod:`.window_records`), summarise the
predictions into a timeline (:mod:`.timeline`).
"""
import math
from dataclasses import dataclass, field
from typing import List, NamedTuple, Optional, Tuple


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
    """
    index: int
    start: float
    end: float
    first_frame: int
    stop_frame: int

    @property
    def num_frames(self) -> int:
        """Frames in the window."""
        return self.stop_frame - self.first_frame


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
        WindowPlan: The windows (see :func:`sliding_windows`), the stride
        used and the notes.
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
    windows = [
        VideoWindow(index, start, end, *frame_span(start, end, fps,
                                                   num_frames))
        for index, (start, end) in enumerate(spans)
    ]
    return WindowPlan(windows, stride, notes)
