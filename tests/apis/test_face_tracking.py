import numpy as np
import pytest

from umbe.apis.face_tracking import (FaceTrack, FaceTracker, HaarFaceDetector,
                                     detection_frames, iou, square_crop)
from umbe.testing.synthetic_video import face_frames


def _inside(box, x, y):
    return box[0] <= x <= box[0] + box[2] and box[1] <= y <= box[1] + box[3]


def test_haar_finds_the_drawn_face_and_not_an_empty_frame():
    detector = HaarFaceDetector()
    frames = face_frames(1.0, fps=5, size=(160, 120))
    for frame in frames:
        boxes = detector(frame)
        assert len(boxes) == 1
        assert _inside(boxes[0], 80, 60)
        assert 30 < boxes[0][2] < 90  # face width 54 px
    empty = face_frames(0.2, fps=5, faces=())[0]
    assert detector(empty) == []


def test_detector_orders_boxes_left_to_right():
    frame = face_frames(
        0.2, fps=5, faces=((.75, .5, .3), (.27, .5, .4)))[0]
    for _ in range(5):  # OpenCV's own order varies run to run
        boxes = HaarFaceDetector()(frame)
        assert len(boxes) == 2 and boxes == sorted(boxes)
        assert _inside(boxes[0], 43, 60) and _inside(boxes[1], 120, 60)


def test_detector_downscales_large_frames():
    frame = face_frames(0.2, fps=5, size=(1280, 960))[0]
    boxes = HaarFaceDetector(max_side=320)(frame)
    assert len(boxes) == 1 and _inside(boxes[0], 640, 480)
    assert boxes[0][2] > 200  # in full-frame pixels


def test_bad_cascade_errors():
    with pytest.raises(FileNotFoundError, match='Haar cascade'):
        HaarFaceDetector('no_such_cascade.xml')


def test_tracker_links_and_orders_by_size():
    big, small = (10, 10, 40, 40), (100, 10, 20, 20)
    dets = {
        0: [small, big],
        2: [(12, 10, 40, 40), (101, 11, 20, 20)],
        4: [],
        6: [(14, 10, 40, 40)]
    }
    tracks = FaceTracker()(dets)
    assert len(tracks) == 2
    main, other = tracks
    assert main.frames == [0, 2, 6] and other.frames == [0, 2]
    assert main.box_at(4, max_gap=10) == pytest.approx((13, 10, 40, 40))
    assert main.box_at(1, max_gap=10) == pytest.approx((11, 10, 40, 40))
    assert main.box_at(4, max_gap=3) is None  # gap 2..6 too long
    assert main.box_at(8, max_gap=4) == (14, 10, 40, 40)  # end held
    assert main.box_at(20, max_gap=4) is None


def test_tracker_ends_a_track_after_misses():
    dets = {i: ([(0, 0, 10, 10)] if i in (0, 5) else []) for i in range(6)}
    tracks = FaceTracker(max_misses=2)(dets)
    assert len(tracks) == 2  # the face came back after 4 missed steps


def test_square_crop_margin_and_padding():
    frame = np.zeros((50, 60, 3), np.uint8)
    frame[:, :30] = 255
    crop = square_crop(frame, (20, 10, 20, 10), margin=0.25)
    assert crop.shape == (30, 30, 3)  # 20 * 1.5
    edge = square_crop(frame, (-10, -10, 20, 20), margin=0.5)
    assert edge.shape == (40, 40, 3)  # replicated borders
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(1 / 3)


def test_detection_frames():
    assert detection_frames(30, 30.0, 5.0).tolist() == [0, 6, 12, 18, 24, 29]
    assert detection_frames(4, 30.0, 0).tolist() == [0, 1, 2, 3]
    assert isinstance(FaceTrack(0).score, float)


def test_update_step_by_step_tracks_as_a_whole_video_does():
    big, small = (10, 10, 40, 40), (100, 10, 20, 20)
    dets = {
        0: [small, big],
        2: [(12, 10, 40, 40), (101, 11, 20, 20)],
        4: [],
        6: [(14, 10, 40, 40)]
    }
    whole = FaceTracker()(dets)
    online = FaceTracker()
    for frame in sorted(dets):
        online.update(frame, dets[frame])
    assert [(t.track_id, t.frames, t.boxes) for t in whole] == [
        (t.track_id, t.frames, t.boxes)
        for t in sorted(online.tracks, key=lambda t: -t.score)
    ]
    assert [t.track_id for t in online.active] == [0, 1]  # creation order


def test_forget_before_keeps_scores_and_the_box_to_interpolate_from():
    tracker = FaceTracker(max_misses=1)
    for frame in range(0, 40, 5):
        tracker.update(frame, [(10 + frame, 10, 20, 20)] if frame < 30 else
                       [])
    tracker.update(40, [(200, 200, 30, 30)])  # a new face; the old one ended
    old, new = tracker.tracks
    score = old.score
    tracker.forget_before(22)
    assert tracker.tracks == [old, new]  # last seen at 25 >= 22: kept
    assert old.frames == [20, 25] and old.forgotten_frames == 4
    assert old.score == pytest.approx(score)
    assert old.box_at(22, max_gap=10) == pytest.approx((32, 10, 20, 20))
    tracker.forget_before(30)
    assert tracker.tracks == [new]  # ended before 30
