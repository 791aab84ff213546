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


def _text_rows(img, background):
    """Rows of ``img`` where something was drawn on ``background``."""
    import numpy as np
    drawn = np.abs(img.astype(int) - background).sum(axis=2) > 0
    rows = np.flatnonzero(drawn.any(axis=1))
    return rows.max() - rows.min() + 1 if rows.size else 0


def test_labels_grow_with_the_frame_and_read_on_any_background():
    import numpy as np
    from umbe.apis.visualization import draw_labels, label_style
    assert label_style(360)[0] == 0.5 and label_style(1080)[0] == 1.5
    assert label_style(90)[0] == 0.35
    heights = []
    for h in (360, 720, 1080):
        img = np.full((h, h, 3), 128, np.uint8)
        draw_labels(img, ['happy 0.71'], (10, 10), (230, 60, 60))
        heights.append(_text_rows(img, 128))
    assert heights[0] < heights[1] < heights[2]
    assert heights[2] > 2.5 * heights[0]
    colour = (230, 60, 60)
    for bg in (0, 255):  # black and white backgrounds
        img = np.full((360, 360, 3), bg, np.uint8)
        draw_labels(img, ['sad 0.20'], (10, 10), colour)
        pixels = img.reshape(-1, 3)
        fill = (np.abs(pixels.astype(int) - colour).max(axis=1) < 60).sum()
        dark = (pixels.max(axis=1) < 40).sum()
        assert fill > 50  # the coloured text: readable on black
        if bg == 255:  # on white, the dark outline around it
            assert dark > fill


def test_face_labels_go_above_a_box_at_the_bottom():
    import numpy as np
    from umbe.apis.visualization import draw_face
    img = np.full((360, 640, 3), 128, np.uint8)
    draw_face(img, (100, 250, 80, 100), ['a 0.5', 'b 0.3', 'c 0.2'],
              (60, 170, 230))
    drawn = np.abs(img.astype(int) - 128).sum(axis=2) > 0
    assert drawn[:250, 100:200].sum() > 200  # the labels, above the box
    assert drawn[355:, :].sum() == 0  # nothing cut at the bottom
