import math

import pytest

from umbe.apis.windows import (VideoWindow, frame_span, plan_windows,
                               sliding_windows)


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
