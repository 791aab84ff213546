import numpy as np
import pytest

import umbe  # noqa: F401
from umbe.datasets.utils import (list_images, natural_sort_key,
                                 resample_audio, to_mono, uniform_indices)


def test_natural_sort_on_last_number():
    names = ['10.jpg', '2.jpg', 'img_00011.png', '1.jpg', 'clip3_9.jpg',
             'clip3_10.jpg']
    assert sorted(names, key=natural_sort_key) == [
        '1.jpg', '2.jpg', 'clip3_9.jpg', '10.jpg', 'clip3_10.jpg',
        'img_00011.png'
    ]


def test_list_images_skips_other_files(tmp_path):
    for name in ('3.jpg', '20.jpg', 'notes.txt', '1.PNG'):
        (tmp_path / name).write_bytes(b'')
    assert [p.rsplit('/', 1)[1] for p in list_images(str(tmp_path))] == [
        '1.PNG', '3.jpg', '20.jpg'
    ]


def test_uniform_indices():
    assert uniform_indices(16, 4).tolist() == [2, 6, 10, 14]
    assert uniform_indices(3, 8).tolist() == [0, 1, 2]
    idx = uniform_indices(101, 16)
    assert len(idx) == 16 and np.all(np.diff(idx) > 0) and idx[-1] < 101


@pytest.mark.parametrize('src,dst', [(16000, 22050), (44100, 8000),
                                     (8000, 16000)])
def test_resample_keeps_sine(src, dst):
    t = np.arange(src) / src
    wave = np.sin(2 * np.pi * 500 * t)
    out = resample_audio(wave, src, dst)
    assert out.shape == (dst, )
    ref = np.sin(2 * np.pi * 500 * np.arange(dst) / dst)
    # away from the edges the resampled sine matches the ideal one
    assert np.abs(out[100:-100] - ref[100:-100]).max() < 1e-3


def test_resample_removes_content_above_new_nyquist():
    t = np.arange(16000) / 16000
    wave = np.sin(2 * np.pi * 6000 * t)  # above 4 kHz: must not alias
    out = resample_audio(wave, 16000, 8000)
    assert np.abs(out[100:-100]).max() < 0.05


def test_to_mono():
    stereo = np.array([[1., 3.], [2., 4.]], np.float32)
    assert to_mono(stereo).tolist() == [2., 3.]
    assert to_mono(stereo, channel_axis=0).tolist() == [1.5, 3.5]
