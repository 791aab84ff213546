"""umbe.apis.timeline: smoothing and the overall label of a timeline."""
import numpy as np
import pytest

from umbe.apis.timeline import (overall_scores, smooth_scores,
                                summarise_timeline, window_scores)


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


def _rows(*scores):
    return [
        dict(index=i, scores=None if s is None else dict(a=s[0], b=s[1]))
        for i, s in enumerate(scores)
    ]


def test_summary_writes_the_smoothed_timeline():
    rows = _rows((.9, .1), None, (.2, .8), (.4, .6))
    np.testing.assert_array_equal(
        window_scores(rows, ['b', 'a'])[[0, 2]], [[.1, .9], [.8, .2]])
    assert np.isnan(window_scores(rows, ['a', 'b'])[1]).all()
    overall = summarise_timeline(rows, ['a', 'b'], smooth=3)
    assert overall == dict(
        scores=dict(a=0.5, b=0.5), pred_class='a', num_windows=3)
    assert rows[0]['smoothed_scores'] == dict(a=0.9, b=0.1)  # 1 skipped
    assert rows[1]['smoothed_scores'] is None
    assert rows[1]['smoothed_class'] is None
    assert rows[2]['smoothed_scores'] == dict(a=0.3, b=0.7)
    assert rows[2]['smoothed_class'] == rows[3]['smoothed_class'] == 'b'
    assert list(
        rows[0]) == ['index', 'scores', 'smoothed_scores',
                     'smoothed_class']  # appended, in this order


def test_summary_without_a_scored_window():
    rows = _rows(None, None)
    assert summarise_timeline(rows, ['a', 'b'], smooth=3) is None
    assert all(r['smoothed_class'] is None for r in rows)
    assert summarise_timeline([], ['a', 'b'], smooth=1) is None
