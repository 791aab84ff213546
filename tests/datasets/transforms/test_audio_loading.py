import numpy as np
import pytest
from mmengine.logging import MMLogger

import umbe  # noqa: F401
from umbe.datasets import BadClipError
from umbe.datasets.transforms import LoadAudio


def test_wav_resampled_keeps_frequency_and_is_padded(tmp_path,
                                                     media_writer):
    wav = media_writer.wav(
        str(tmp_path / 'a.wav'), media_writer.sine(440, 16000, 1.0), 16000)
    out = LoadAudio(sample_rate=22050, duration=2.0)(dict(audio=wav))
    audio = out['audio']
    assert audio.shape == (44100, ) and audio.dtype == np.float32
    assert out['present']['audio'] is True
    assert out['audio_length'] == 22050
    assert abs(media_writer.dominant_frequency(audio[:22050], 22050) -
               440) <= 2
    assert np.abs(audio[22050:]).max() == 0  # zero padding after 1 s
    assert abs(np.abs(audio[:22050]).max() - 0.5) < 0.02  # level kept
    assert out['audio_path'] == wav


def test_cut_to_duration_and_downsampled(tmp_path, media_writer):
    wav = media_writer.wav(
        str(tmp_path / 'a.wav'), media_writer.sine(1000, 44100, 3.0), 44100)
    out = LoadAudio(sample_rate=8000, duration=1.5)(dict(audio=wav))
    assert out['audio'].shape == (12000, )
    assert out['audio_length'] == 12000
    assert abs(media_writer.dominant_frequency(out['audio'], 8000) -
               1000) <= 2


def test_stereo_mixed_to_mono(tmp_path, media_writer):
    left = media_writer.sine(300, 8000, 1.0, amp=0.4)
    stereo = np.stack([left, -left], axis=1)  # opposite phases cancel
    stereo[:, 1] += 0.2
    wav = media_writer.wav(str(tmp_path / 's.wav'), stereo, 8000)
    out = LoadAudio(sample_rate=8000, duration=1.0)(dict(audio=wav))
    np.testing.assert_allclose(out['audio'], 0.1, atol=2e-3)


def test_video_own_track_when_no_audio_field(tmp_path, media_writer):
    video = media_writer.mp4(
        str(tmp_path / 'v.mp4'), [100] * 8,
        audio=media_writer.sine(600, 16000, 1.0))
    out = LoadAudio(sample_rate=8000, duration=2.0)(dict(filename=video))
    assert out['present']['audio'] is True
    assert 7900 <= out['audio_length'] <= 8800  # 1 s (+ codec priming)
    assert abs(media_writer.dominant_frequency(out['audio'], 8000) -
               600) <= 3


def test_missing_audio_marked_absent(tmp_path, media_writer):
    video = media_writer.mp4(str(tmp_path / 'v.mp4'), [100] * 8)
    for record in (dict(filename=video), dict(filename=video, audio=None)):
        out = LoadAudio(sample_rate=8000, duration=1.0)(record)
        assert out['present']['audio'] is False
        assert out['audio'].shape == (8000, ) and not out['audio'].any()


def test_silent_audio_marked_absent_and_counted(tmp_path, media_writer):
    MMLogger.get_instance('umbe_test_audio')
    wav = media_writer.wav(
        str(tmp_path / 'z.wav'), np.zeros(4000, np.float32), 8000)
    before = LoadAudio.num_silent
    out = LoadAudio(sample_rate=8000, duration=1.0)(dict(audio=wav))
    assert out['present']['audio'] is False
    assert not out['audio'].any()
    assert LoadAudio.num_silent == before + 1


def test_unreadable_wav_error_names_file(tmp_path):
    bad = tmp_path / 'broken.wav'
    bad.write_bytes(b'RIFF\x00\x00not a wave file')
    with pytest.raises(BadClipError, match='broken.wav'):
        LoadAudio()(dict(audio=str(bad)))


def test_bad_arguments():
    with pytest.raises(ValueError, match='sample_rate'):
        LoadAudio(sample_rate=0)
    with pytest.raises(ValueError, match='duration'):
        LoadAudio(duration=-1)
