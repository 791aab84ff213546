import math

import numpy as np
import pytest

from umbe.apis.timeline import overall_scores, smooth_scores
from umbe.apis.windows import sliding_windows


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


def test_smoothing_ignores_skipped_windows():
    nan = [np.nan, np.nan]
    scores = np.array([[1., 0.], nan, [0., 1.], [0., 1.], [1., 0.]])
    out = smooth_scores(scores, 3)
    assert np.isnan(out[1]).all()
    np.testing.assert_allclose(out[0], [1., 0.])  # neighbour 1 skipped
    np.testing.assert_allclose(out[2], [0., 1.])
    np.testing.assert_allclose(out[3], [1 / 3, 2 / 3])
    np.testing.assert_allclose(out[4], [.5, .5])
    np.testing.assert_allclose(smooth_scores(scores, 1)[3], [0., 1.])
    np.testing.assert_allclose(overall_scores(scores), [.5, .5])
    assert overall_scores(np.full((2, 2), np.nan)) is None
    with pytest.raises(ValueError, match='odd'):
        smooth_scores(scores, 2)
