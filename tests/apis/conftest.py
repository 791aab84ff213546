"""Shared fixtures of the inference tests: the demo model and videos
(the demo checkpoint is tests/conftest.py's ``demo_checkpoint``)."""
import os.path as osp

import pytest

import umbe  # noqa: F401  (before mmaction.models)
from umbe.apis import init_recognizer
from umbe.testing.synthetic_video import face_frames, tone, write_video

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')


@pytest.fixture(scope='session')
def demo_model(demo_checkpoint):
    return init_recognizer(CONFIG, demo_checkpoint, 'cpu')


@pytest.fixture(scope='session')
def videos(tmp_path_factory):
    """Real mp4/avi/mkv files: 5 s with a face for the first 2.5 s and a
    muxed tone; 2 faces; no face; no audio track; silent; 3 frames;
    truncated; not a video."""
    root = tmp_path_factory.mktemp('videos')
    fps = 10
    out = {}
    out['face_then_none'] = write_video(
        str(root / 'face_then_none.mp4'),
        face_frames(5.0, fps, face_span=(0, 2.5)),
        fps,
        audio=tone(5.0))
    out['two_faces'] = write_video(
        str(root / 'two_faces.avi'),
        face_frames(2.0, fps, faces=((.27, .5, .4), (.75, .5, .3))),
        fps,
        audio=tone(2.0))
    out['no_face'] = write_video(
        str(root / 'no_face.mp4'),
        face_frames(2.0, fps, faces=()),
        fps,
        audio=tone(2.0))
    out['no_audio'] = write_video(
        str(root / 'no_audio.mkv'), face_frames(2.0, fps), fps)
    out['silent'] = write_video(
        str(root / 'silent.mp4'),
        face_frames(2.0, fps),
        fps,
        audio=tone(2.0, level=0.0))
    out['three_frames'] = write_video(
        str(root / 'three_frames.mp4'), face_frames(0.3, fps), fps)
    with open(out['face_then_none'], 'rb') as f:
        data = f.read()
    out['truncated'] = str(root / 'truncated.mp4')
    with open(out['truncated'], 'wb') as f:
        f.write(data[:len(data) // 3])
    out['not_video'] = str(root / 'not_video.webm')
    with open(out['not_video'], 'w') as f:
        f.write('this is not a video\n' * 20)
    return out
