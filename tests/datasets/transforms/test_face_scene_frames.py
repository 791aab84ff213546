import os.path as osp

import numpy as np
import pytest

import umbe  # noqa: F401
from umbe.datasets import BadClipError
from umbe.datasets.transforms import LoadFaceSceneFrames


def test_face_frames_natural_order_and_uniform_sampling(tmp_path,
                                                        media_writer):
    # 12 frames named 1.png..12.png written in a shuffled order: a plain
    # string sort would put 10, 11, 12 before 2
    order = np.random.default_rng(0).permutation(12)
    names = [f'{i + 1}.png' for i in order]
    values = [(i + 1) * 10 for i in order]  # frame k (1-based) is grey 10k
    folder = media_writer.frames(str(tmp_path / 'f'), names, values)
    out = LoadFaceSceneFrames(clip_len=4, face_size=8, scene_size=8)(
        dict(frame_dir=folder))
    assert out['face'].shape == (4, 3, 8, 8)
    assert out['face'].dtype == np.uint8
    # segment centres of 12 frames in 4 segments: frames 2, 5, 8, 11
    np.testing.assert_array_equal(out['face'][:, 0, 4, 4], [20, 50, 80, 110])
    assert out['frame_mask'].tolist() == [True] * 4
    assert out['present'] == dict(face=True, scene=False)
    assert not out['scene'].any()


def test_short_clip_padded_with_mask(tmp_path, media_writer):
    folder = media_writer.frames(
        str(tmp_path / 'f'), ['img_00003.jpg', 'img_00001.jpg',
                              'img_00002.jpg'], [90, 30, 60])
    out = LoadFaceSceneFrames(clip_len=5, face_size=6, scene_size=6)(
        dict(frame_dir=folder))
    assert out['frame_mask'].tolist() == [True, True, True, False, False]
    assert out['num_frames'] == 3
    grey = out['face'][:, :, 3, 3].astype(int).mean(axis=1)
    assert np.all(np.abs(grey[:3] - [30, 60, 90]) <= 2)
    assert not out['face'][3:].any()


def test_video_scene_decoded_sorted_and_centre_cropped(tmp_path,
                                                       media_writer):
    values = list(range(20, 20 + 16 * 12, 12))  # 16 frames, rising grey
    video = media_writer.mp4(str(tmp_path / 'v.mp4'), values, size=(24, 40))
    out = LoadFaceSceneFrames(clip_len=8, face_size=16, scene_size=12)(
        dict(filename=video))
    assert out['scene'].shape == (8, 3, 12, 12)
    expected = [values[i] for i in (1, 3, 5, 7, 9, 11, 13, 15)]
    got = out['scene'][:, :, 6, 6].astype(int).mean(axis=1)
    assert np.all(np.abs(got - expected) <= 4), got
    assert out['present'] == dict(face=False, scene=True)
    assert out['face'].shape == (8, 3, 16, 16) and not out['face'].any()


def test_face_and_scene_share_time_points(tmp_path, media_writer):
    video = media_writer.mp4(str(tmp_path / 'v.mp4'), [50] * 10)
    folder = media_writer.frames(str(tmp_path / 'f'),
                                 [f'{i}.png' for i in range(1, 7)], [10] * 6)
    out = LoadFaceSceneFrames(clip_len=8, face_size=4, scene_size=4)(
        dict(filename=video, frame_dir=folder))
    # the shorter source (6 face frames) sets the valid length of both
    assert out['frame_mask'].sum() == 6
    assert out['present'] == dict(face=True, scene=True)
    assert out['scene'][:6].any() and not out['scene'][6:].any()


def test_scene_dir_used_instead_of_video(tmp_path, media_writer):
    folder = media_writer.frames(str(tmp_path / 's'),
                                 ['2.png', '10.png', '1.png'], [2, 10, 1],
                                 size=(10, 30))
    out = LoadFaceSceneFrames(clip_len=3, face_size=4, scene_size=10)(
        dict(scene_dir=folder, filename=str(tmp_path / 'absent.mp4')))
    np.testing.assert_array_equal(out['scene'][:, 0, 5, 5], [1, 2, 10])


def test_corrupt_video_error_names_file(tmp_path):
    bad = tmp_path / 'broken.mp4'
    bad.write_bytes(b'\x00\x00\x00\x18ftypmp42' + b'garbage' * 50)
    with pytest.raises(BadClipError, match='broken.mp4'):
        LoadFaceSceneFrames(clip_len=4)(dict(filename=str(bad)))


def test_empty_frame_dir_error_names_folder(tmp_path):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(BadClipError, match=r'empty.*no images'):
        LoadFaceSceneFrames()(dict(frame_dir=osp.join(tmp_path, 'empty')))


def test_bad_arguments():
    with pytest.raises(ValueError, match='clip_len'):
        LoadFaceSceneFrames(clip_len=0)
