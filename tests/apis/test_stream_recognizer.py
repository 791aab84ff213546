"""umbe.apis.stream: a file played live gives infer_video's predictions;
slow models drop windows and say so; sources; bounded buffers."""
import time

import numpy as np
import pytest

import umbe.apis.stream as stream_module
from umbe.apis import infer_video
from umbe.apis.stream import (AudioBuffer, FrameStore, StreamPlan,
                              StreamRecognizer, preview_image)
from umbe.apis.stream_sources import (AVStreamSource, CameraSource,
                                      StreamAudio, open_stream_source)
from umbe.apis.windows import plan_windows
from umbe.testing.synthetic_video import face_frames, tone, write_video


@pytest.fixture(scope='module')
def talk(tmp_path_factory):
    """4 s, 10 fps, one face, a tone."""
    root = tmp_path_factory.mktemp('stream')
    return write_video(
        str(root / 'talk.mp4'), face_frames(4.0, 10), 10, audio=tone(4.0))


def test_plan_windows_and_frames_are_the_video_plans():
    plan = StreamPlan(10.0, 2.0, 1.0, 8, 5.0)
    offline = plan_windows(6.0, 10.0, 60, 2.0, 1.0, 8, 2.0).windows
    for w in offline:
        assert plan.window(w.index) == w
    assert plan.windows_at(15) == [0, 1]
    assert plan.windows_at(0) == [0]
    assert [f for f in range(10) if plan.is_detection(f)] == [0, 2, 4, 6, 8]
    assert plan.is_clip_frame(1) and not plan.is_clip_frame(0)
    with pytest.raises(ValueError, match='window and stride'):
        StreamPlan(10.0, 0.0, 1.0, 8, 5.0)


def test_a_file_played_live_gives_the_offline_predictions(demo_model, talk):
    offline = infer_video(demo_model, talk, window=2.0, stride=1.0)
    lines = []
    source = open_stream_source(talk)
    assert source.realtime and source.has_audio and source.fps == 10.0
    start = time.perf_counter()
    summary = StreamRecognizer(
        demo_model, window=2.0, stride=1.0).run(source, lines.append)
    wall = time.perf_counter() - start
    assert wall >= 3.9  # played at its own frame rate
    assert [(x['start'], x['end']) for x in lines] == [(0., 2.), (1., 3.),
                                                       (2., 4.)]
    for line, row in zip(lines, offline['windows']):
        assert line['face_found'] and line['face_box'] == row['face_box']
        assert line['modalities'] == row['modalities'] == [
            'face', 'scene', 'audio'
        ]
        for c in demo_model.classes:  # batch 1 here, 3 windows offline
            assert line['scores'][c] == pytest.approx(
                row['scores'][c], abs=1e-5)
        assert line['pred_class'] == row['pred_class']
        assert line['dropped'] == 0 and line['track_id'] == 0
        assert 0 <= line['latency'] < 5 and line['wall_time'] > 1.6e9
    # trailing mean: the first window alone, then the mean with the ones
    # before it
    first = np.array([lines[0]['scores'][c] for c in demo_model.classes])
    second = np.array([lines[1]['scores'][c] for c in demo_model.classes])
    np.testing.assert_allclose(
        [lines[1]['smoothed_scores'][c] for c in demo_model.classes],
        (first + second) / 2,
        atol=1e-6)
    assert summary['windows'] == 3 and summary['dropped_windows'] == 0
    assert summary['latency']['max'] >= summary['latency']['median']
    assert summary['encoder']['encoded'] == 32  # 16 clip frames x 2
    assert summary['stream_seconds'] == 4.0


def test_a_slow_model_drops_windows_and_says_how_many(demo_model, talk,
                                                      monkeypatch):
    predict = stream_module.predict_records

    def slow(*args, **kwargs):
        time.sleep(1.2)  # stride 0.5 s: two windows ready per prediction
        return predict(*args, **kwargs)

    monkeypatch.setattr(stream_module, 'predict_records', slow)
    lines, messages = [], []
    summary = StreamRecognizer(
        demo_model, window=1.0, stride=0.5).run(
            open_stream_source(talk), lines.append, log=messages.append)
    assert summary['dropped_windows'] > 0
    # each line counts the windows dropped since the one before; those
    # after the last line are in the summary only
    assert 0 < sum(x['dropped'] for x in lines) <= summary['dropped_windows']
    assert any('slower than real time' in m for m in messages)
    indices = [x['window'] for x in lines]
    assert indices == sorted(indices) and len(indices) < 7
    assert summary['windows'] + summary['dropped_windows'] == 7


def test_max_seconds_stop_and_a_stream_without_a_face(demo_model, tmp_path):
    path = write_video(
        str(tmp_path / 'empty.mp4'), face_frames(3.0, 10, faces=()), 10)
    lines = []
    summary = StreamRecognizer(
        demo_model, window=1.0, stride=1.0).run(
            AVStreamSource(path, speed=4.0), lines.append, max_seconds=2.0)
    assert summary['stream_seconds'] <= 2.0
    assert lines and all(x['scores'] is None and not x['face_found']
                         for x in lines)
    assert lines[0]['note'] == 'no face in this window: skipped'
    scene = []
    StreamRecognizer(
        demo_model, window=1.0, stride=1.0,
        no_face='scene').run(AVStreamSource(path, speed=4.0), scene.append)
    assert [x['modalities'] for x in scene] == [['scene']] * 3


def test_buffers_keep_only_what_later_windows_need():
    store = FrameStore('x', 10.0)
    store.frames = {i: np.zeros((2, 2, 3), np.uint8) for i in range(10)}
    store.forget_before(7)
    assert sorted(store.frames) == [7, 8, 9]
    audio = AudioBuffer()
    for _ in range(4):
        audio.add(StreamAudio(np.arange(100, dtype=np.float32), 100))
    assert audio.covers(4.0) and not audio.covers(4.1)
    audio.forget_before(2.5)
    seg = audio.segment('x')
    assert seg.offset == 250 and seg[0].size == 150 and seg[1] == 100
    assert seg[0][0] == 50.0  # sample 250 = sample 50 of the third chunk


def test_sources(monkeypatch, talk):
    import cv2

    class FakeCapture:

        def __init__(self, index):
            self.index, self.left = index, 3

        def isOpened(self):
            return self.index == 0

        def get(self, prop):
            return 15.0

        def read(self):
            self.left -= 1
            return self.left >= 0, np.zeros((4, 6, 3), np.uint8)

        def release(self):
            pass

    monkeypatch.setattr(cv2, 'VideoCapture', FakeCapture)
    camera = open_stream_source('0')
    assert isinstance(camera, CameraSource) and camera.fps == 15.0
    frames = list(camera)
    assert [f.index for f in frames] == [0, 1, 2]
    assert frames[1].time == pytest.approx(1 / 15)
    assert frames[0].rgb().shape == (4, 6, 3)
    with pytest.raises(ValueError, match='cannot open camera 1'):
        open_stream_source('1')
    url = open_stream_source('file://' + talk)  # a URL: not paced
    assert isinstance(url, AVStreamSource) and not url.realtime
    items = list(url)
    video = [x for x in items if not isinstance(x, StreamAudio)]
    sound = [x for x in items if isinstance(x, StreamAudio)]
    assert len(video) == 40 and sum(a.samples.size for a in sound) >= 64000
    # the frames are decord's (what infer_video decodes)
    import decord
    reader = decord.VideoReader(talk, num_threads=1)
    np.testing.assert_array_equal(video[17].rgb(), reader[17].asnumpy())
    with pytest.raises(ValueError, match='not a camera index'):
        open_stream_source('no/such/file.mp4')


def test_preview_draws_the_face_and_the_latest_emotions():
    rgb = np.full((120, 160, 3), 128, np.uint8)
    state = dict(
        box=(40, 20, 50, 50),
        last=dict(smoothed_scores=dict(happy=.7, sad=.2, fear=.1), dropped=2))
    img = preview_image(rgb, state)
    assert (rgb == 128).all()  # drawn on a copy
    changed = np.abs(img.astype(int) - 128).sum(axis=2) > 0
    assert changed[20:71, 40:91].any()  # the box
    changed[17:74, 37:94] = False
    assert changed.sum() > 100  # the labels, beside it
    assert (preview_image(rgb, dict(box=None, last=None)) == rgb).all()
