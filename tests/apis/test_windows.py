import math

import numpy as np
import pytest

from umbe.apis.windows import (VideoWindow, clip_frames, frame_span,
                               plan_windows, sliding_windows)
from umbe.datasets.utils import uniform_indices


@pytest.mark.parametrize(
    'duration,window,stride,count',
    [
        (10.0, 2.0, 1.0, 9),
        (10.5, 2.0, 1.0, 10),
        (10.0, 2.0, 2.0, 5),
        (10.0, 4.0, 3.0, 3),
        (2.0, 2.0, 1.0, 1),
        (2.5, 2.0, 1.0, 1),  # up to window + stride / 2: one clip
        (2.6, 2.0, 1.0, 2),
        (0.3, 2.0, 1.0, 1),
    ])
def test_window_count_and_cover(duration, window, stride, count):
    spans = sliding_windows(duration, window, stride)
    assert len(spans) == count
    if count > 1:
        assert count == math.ceil((duration - window) / stride) + 1
        assert all(e - s == pytest.approx(window) for s, e in spans)
    assert spans[0][0] == 0.0
    assert spans[-1][1] == pytest.approx(duration)  # the tail is covered
    starts = [s for s, _ in spans]
    assert starts == sorted(starts)
    # regular steps except possibly the last, moved to end at the end
    assert all(b - a == pytest.approx(stride)
               for a, b in zip(starts[:-2], starts[1:-1]))


def test_bad_window_errors():
    with pytest.raises(ValueError, match='window and stride'):
        sliding_windows(10, 0, 1)


def test_frame_spans_cover_the_window_with_at_least_one_frame():
    assert frame_span(1.0, 3.0, 10.0, 50) == (10, 30)
    assert frame_span(4.99, 5.0, 10.0, 50) == (49, 50)  # the last frame
    assert frame_span(0.0, 0.01, 10.0, 50) == (0, 1)
    window = VideoWindow(0, 1.0, 3.0, 10, 30)
    assert window.num_frames == 20


def test_plan_of_a_long_video():
    plan = plan_windows(5.0, 10.0, 50, 2.0, None, 8, 2.0)
    assert plan.stride == 1.0  # half the window
    assert [(w.start, w.end) for w in plan.windows] == [(0, 2), (1, 3), (2, 4),
                                                        (3, 5)]
    assert [w.index for w in plan.windows] == [0, 1, 2, 3]
    assert [(w.first_frame, w.stop_frame) for w in plan.windows] == [(0, 20),
                                                                     (10, 30),
                                                                     (20, 40),
                                                                     (30, 50)]
    assert plan.notes == []
    assert len(plan_windows(5.0, 10.0, 50, 2.0, 2.0, 8, 2.0).windows) == 3


def test_plan_notes():
    short = plan_windows(2.0, 10.0, 20, 2.0, 1.0, 8, 2.0)
    assert len(short.windows) == 1
    assert short.notes == [
        'the video (2.00 s) is not longer than one window (2 s) + half a '
        'stride: one prediction for all of it'
    ]
    whole = plan_windows(5.0, 10.0, 50, None, 1.0, 8, 2.0)
    assert whole.stride is None
    assert [(w.start, w.end, w.stop_frame)
            for w in whole.windows] == [(0.0, 5.0, 50)]
    assert whole.notes == [
        'the whole 5.0 s video is one clip (8 frames over all of it, the '
        'sound of its first 2 s); give a window for a timeline'
    ]
    assert plan_windows(4.0, 10.0, 40, None, None, 8, 2.0).notes == []
    tiny = plan_windows(0.3, 10.0, 3, 2.0, None, 8, 2.0)
    assert tiny.notes[0].startswith('the video has 3 frames, fewer than '
                                    'the 8 a clip samples')
    assert [(w.first_frame, w.stop_frame) for w in tiny.windows] == [(0, 3)]


def test_clips_sample_one_grid_and_overlapping_windows_share_frames():
    # the full-size defaults: 5 s windows, 2.5 s stride, T = 16, 25 fps
    plan = plan_windows(60.0, 25.0, 1500, 5.0, None, 16, 5.0)
    windows = plan.windows
    assert len(windows) == 23
    for a, b in zip(windows[:-1], windows[1:]):
        assert len(a.frames) == len(b.frames) == 16
        assert a.frames[8:] == b.frames[:8]  # half of each clip is shared
        assert all(a.first_frame <= f < a.stop_frame for f in a.frames)
    frames = [f for w in windows for f in w.frames]
    assert len(set(frames)) == 192  # of 368: each is decoded/encoded once
    # the points are the segment centres of the window, one frame apart
    # at most from the per-window sampling of the pipeline
    w = windows[1]
    old = w.first_frame + uniform_indices(w.num_frames, 16)
    assert np.abs(np.array(w.frames) - old).max() <= 1
    assert w.clip_frames == w.frames


def test_clip_frames_equal_the_pipeline_sampling_on_whole_frames():
    # windows that start on a frame and span whole frames (the demo's 2 s
    # at 10, 25 or 30 fps): exactly what uniform_indices gave per window
    for fps in (10.0, 25.0, 30.0):
        n = int(round(10 * fps))
        for w in plan_windows(10.0, fps, n, 2.0, 1.0, 8, 2.0).windows:
            old = w.first_frame + uniform_indices(w.num_frames, 8)
            assert list(w.frames) == old.tolist()
    # the whole video as one clip: uniform_indices over all its frames
    for n in (9, 37, 1499):
        (w, ) = plan_windows(n / 25, 25.0, n, None, None, 16, 5.0).windows
        assert list(w.frames) == uniform_indices(n, 16).tolist()


def test_clip_frames_of_short_windows_and_off_grid_starts():
    assert clip_frames(0.0, 0.5, 0, 5, 10.0, 8) == (0, 1, 2, 3, 4)  # n < T
    # the last window, moved to end at the video's end, is off the grid
    plan = plan_windows(10.3, 10.0, 103, 2.0, 1.0, 8, 2.0)
    last = plan.windows[-1]
    assert (last.start, last.end) == (pytest.approx(8.3), 10.3)
    assert last.frames == tuple(
        int(np.floor((8.3 + (t + .5) * .25) * 10 + 1e-6)) for t in range(8))
    assert (last.frames[0], last.frames[-1]) == (84, 101)
    # a window planned without frames hands the pipeline its whole span
    assert VideoWindow(0, 0., 1., 3, 7).clip_frames == (3, 4, 5, 6)
