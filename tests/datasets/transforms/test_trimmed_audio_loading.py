"""LoadTrimmedAudio: the public MAFW loader's audio, pinned by hand."""
import numpy as np

import umbe  # noqa: F401
from umbe.datasets.pipeline_settings import pipeline_settings
from umbe.datasets.transforms import (LoadTrimmedAudio, ReplaceInCaption,
                                      trim_silence)


def test_trim_keeps_the_frames_within_20_db_of_the_peak():
    wave = np.zeros(20000, np.float32)
    wave[8192:12288] = 0.5  # loud
    wave[4096:8192] = 0.01  # 34 dB under the peak: silence
    trimmed, (start, end) = trim_silence(wave)
    # frames are 2048 long every 512, centred: a frame is loud when it
    # overlaps the loud part enough (mean power within 20 dB)
    assert 7000 < start <= 8192 and 12288 <= end < 13500
    assert np.array_equal(trimmed, wave[start:end])
    # digital silence: every frame is at the (zero) peak, nothing is cut
    # (librosa.effects.trim does the same)
    assert trim_silence(np.zeros(100, np.float32))[0].size == 100


def test_short_clip_zero_extended_scaled_and_edge_padded():
    t = LoadTrimmedAudio(sample_rate=100, clip_duration=3.0, duration=5.0)
    wave = np.full(2048, 0.25, np.float32)  # one level: nothing trimmed
    out = t.clip(wave)  # longer than 3 s (300 samples): the centre kept
    assert out.shape == (500, )
    assert np.allclose(out[100:400], 0.25 * 32768)
    assert np.allclose(out[:100], 0.25 * 32768)  # first sample's value
    short = t.clip(np.full(200, 0.5, np.float32))
    # 200 samples: 100 zeros appended up to 3 s, then centred in 5 s
    assert np.allclose(short[100:300], 0.5 * 32768)
    assert np.all(short[300:] == 0)  # the zeros and the last value (0)
    assert np.allclose(short[:100], 0.5 * 32768)


def test_long_clip_keeps_the_centre_of_the_trimmed_signal():
    t = LoadTrimmedAudio(sample_rate=1000, clip_duration=3.0, duration=5.0)
    wave = np.concatenate([np.zeros(3000), np.linspace(0.1, 0.9, 8000),
                           np.zeros(1000)]).astype(np.float32)
    trimmed, _ = trim_silence(wave)
    mid = trimmed.size // 2
    out = t.clip(wave)
    assert np.allclose(out[1000:4000], trimmed[mid - 1500:mid + 1500] * 32768)
    assert out[0] == out[1000] and out[-1] == out[3999]


def test_missing_audio_is_absent_zeros_and_settings_are_read():
    t = LoadTrimmedAudio()
    out = t(dict(audio=None))
    assert out['present']['audio'] is False
    assert out['audio'].shape == (110250, ) and not out['audio'].any()
    settings = pipeline_settings([dict(type='LoadTrimmedAudio')])
    assert settings.audio_samples == 110250 and 'audio' in settings.groups


def test_replace_in_caption():
    assert ReplaceInCaption()(dict(caption='a_b c'))['caption'] == 'a b c'
    assert ReplaceInCaption()(dict(caption=None))['caption'] is None
