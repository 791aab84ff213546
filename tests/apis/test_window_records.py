"""umbe.apis.window_records: one row and one record per window."""
import numpy as np
import pytest

from umbe.apis import AudioSegment, FaceTrack
from umbe.apis.window_records import (FacePolicy, WindowFaces,
                                      fill_window_rows, person_window_records)
from umbe.apis.windows import plan_windows


class FakeSource:
    """A 4 s, 10 fps video of 80x60 frames whose pixels hold the index."""
    path = '/videos/clip.mp4'
    fps = 10.0
    num_frames = 40

    def read(self, ids):
        return [np.full((60, 80, 3), i, np.uint8) for i in ids]


def _track():
    """A face at frames 0, 5 and 10 of detection steps every 5 frames."""
    track = FaceTrack(7)
    track.frames = [0, 5, 10]
    track.boxes = [(20., 10., 20., 20.), (22., 10., 20., 20.),
                   (24., 10., 20., 20.)]
    track.det_frames = np.array([0, 5, 10, 15, 20, 25, 30, 35, 39])
    return track


WINDOWS = plan_windows(4.0, 10.0, 40, 2.0, 1.0, 8, 2.0).windows  # 3
SOUND = AudioSegment(np.linspace(-.5, .5, 400), 100, 'clip.mp4')


def _policy(no_face='skip', use_face=True):
    return FacePolicy(
        use_face=use_face, no_face=no_face, margin=0.25, min_face_ratio=0.5)


def test_policy_checks_no_face():
    with pytest.raises(ValueError, match="no_face must be one of"):
        _policy(no_face='guess')


def test_window_faces_hold_the_nearest_box():
    faces = WindowFaces(FakeSource(), _track(), WINDOWS[0], 0.25, 10)
    assert faces.ratio == 0.75  # 0, 5, 10 of 0, 5, 10, 15
    assert faces.box(3) == pytest.approx((21.2, 10, 20, 20))
    assert faces.box(19) == (24., 10., 20., 20.)  # past the gap: held
    assert faces.median_box() == [22, 10, 20, 20]
    assert faces.frames == (1, 3, 6, 8, 11, 13, 16, 18)  # the clip's
    crops = faces.read([0, 7])
    assert [c.shape for c in crops] == [(30, 30, 3)] * 2
    assert crops[1][0, 0, 0] == 18  # clip frame 7 = frame 18 of the video
    keys = faces.keys()
    assert keys[0] == ('face', 1, faces.box(1), 0.25)
    assert keys[7] == ('face', 18, (24., 10., 20., 20.), 0.25)


def test_rows_and_records_of_a_person():
    rows, jobs = person_window_records(FakeSource(), _track(), 0, WINDOWS,
                                       SOUND, 'A caption.', _policy())
    assert [r['index'] for r in rows] == [0, 1, 2]
    assert [(r['start'], r['end']) for r in rows] == [(0, 2), (1, 3), (2, 4)]
    assert [r['face_found'] for r in rows] == [True, False, False]
    assert [r['face_ratio'] for r in rows] == [0.75, 0.25, 0.0]
    assert rows[0]['face_box'] == [22, 10, 20, 20
                                   ] and rows[1]['face_box'] is None
    assert rows[0]['note'] == ''
    assert rows[1]['note'] == rows[2]['note'] == (
        'no face in this window: skipped')
    assert all(r['scores'] is None and r['modalities'] == [] for r in rows)
    (job, ) = jobs
    assert job.row is rows[0] and job.has_audio
    record = job.record
    assert record['clip_id'] == 'clip.mp4#0:0'
    assert record['filename'] == '/videos/clip.mp4'
    assert record['caption'] == 'A caption.'
    # the window's 8 clip frames (of its 20), from the video's grid
    assert len(record['frame_dir']) == len(record['scene_dir']) == 8
    assert str(record['frame_dir']) == 'clip.mp4 face 0 [0.00-2.00 s]'
    assert str(record['scene_dir']) == 'clip.mp4 [0.00-2.00 s]'
    assert record['scene_dir'].read([0, 7])[1][0, 0, 0] == 18
    assert record['scene_dir'].last_ids == [0, 7]
    assert record['scene_dir'].keys == [('scene', f)
                                        for f in WINDOWS[0].frames]
    assert record['frame_dir'].keys[0][:2] == ('face', 1)
    wave, rate = record['audio']
    assert rate == 100 and wave.shape == (200, )
    np.testing.assert_allclose(wave, SOUND[0][:200])


def test_windows_without_the_face_scored_from_the_scene():
    rows, jobs = person_window_records(FakeSource(), _track(), 1, WINDOWS,
                                       None, None, _policy('scene'))
    assert len(jobs) == 3 and [j.row for j in jobs] == rows
    assert 'frame_dir' in jobs[0].record
    for job in jobs[1:]:
        assert 'frame_dir' not in job.record
        assert job.row['note'] == 'no face in this window: scored from scene'
    assert all(job.record['audio'] is None and not job.has_audio
               for job in jobs)
    # the face not used: no face crops, no note
    rows, jobs = person_window_records(FakeSource(), None, 0, WINDOWS, SOUND,
                                       None, _policy(use_face=False))
    assert len(jobs) == 3
    assert all(r['note'] == '' and not r['face_found'] for r in rows)


def test_predictions_fill_the_rows():
    rows, jobs = person_window_records(FakeSource(), _track(), 0, WINDOWS,
                                       SOUND, None, _policy('scene'))
    preds = [
        dict(
            scores=dict(a=.7, b=.3),
            pred_class='a',
            pred_label=0,
            modalities=['face', 'scene'] if i == 0 else ['scene', 'audio'],
            probs=np.array([.7, .3], np.float32),
            fused=np.ones(4, np.float32),
            prompt_ids=[1, 2]) for i in range(3)
    ]
    assert fill_window_rows(jobs, preds) == 1  # window 0's sound is lost
    assert rows[0]['note'] == 'silent audio: marked missing'
    assert rows[1]['note'] == 'no face in this window: scored from scene'
    assert rows[0]['scores'] == dict(a=.7, b=.3)
    assert rows[2]['modalities'] == ['scene', 'audio']
    assert rows[0]['fused'] == [1., 1., 1., 1.]  # JSON-ready lists
    assert rows[0]['prompt_ids'] == [1, 2]
    assert 'probs' not in rows[0]
    assert list(rows[0])[-2:] == ['fused', 'prompt_ids']
