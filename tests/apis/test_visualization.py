import pytest

from umbe.apis.visualization import _skipped_spans, _window_at, plot_timeline


def _windows():
    return [
        dict(
            start=float(s),
            end=float(s + 2),
            scores=None if s >= 4 else dict(a=.7, b=.3),
            smoothed_scores=None if s >= 4 else dict(a=.6, b=.4))
        for s in range(7)
    ]


def test_skipped_spans_leave_out_scored_time():
    assert _skipped_spans(_windows()) == [(5.0, 8.0)]
    assert _skipped_spans(_windows()[:3]) == []


def test_window_at_picks_the_nearest_scored_centre():
    windows = _windows()
    assert _window_at(windows, 2.4)['start'] == 1.0  # centres 2 and 3
    assert _window_at(windows, 4.9)['start'] == 3.0  # 4..6 skipped
    assert _window_at(windows, 7.5) is None


def test_plot_timeline_per_person(tmp_path):
    persons = [dict(person=i, windows=_windows()) for i in range(2)]
    result = dict(
        video='x.mp4',
        duration=8.0,
        classes=['a', 'b'],
        windows=persons[0]['windows'],
        persons=persons)
    out = plot_timeline(result, str(tmp_path / 't.png'))
    import matplotlib.image as mpimg
    height, width = mpimg.imread(out).shape[:2]
    assert width == pytest.approx(1000, abs=2)
    assert height == pytest.approx(520, abs=4)  # two panels of 2.6 in
