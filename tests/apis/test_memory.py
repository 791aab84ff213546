"""umbe.apis.memory: peak resident memory per phase."""
import numpy as np
import pytest

from umbe.apis import infer_video
from umbe.apis.memory import PhasePeaks, peak_rss_gib, rss_gib


def test_each_phase_reports_its_own_peak():
    peaks = {}
    phases = PhasePeaks(peaks)
    with phases.phase('big'):
        block = np.ones(64 * 2**20 // 8)  # 64 MiB touched
        del block
    with phases.phase('small'):
        pass
    if not phases.per_phase:
        pytest.skip('this kernel refuses to reset the peak (clear_refs)')
    assert peaks['big'] - peaks['small'] > 0.04  # GiB: the block's 64 MiB
    assert peak_rss_gib() >= rss_gib() > 0


def test_infer_video_reports_its_phases(demo_model, videos):
    memory = {}
    infer_video(
        demo_model, videos['face_then_none'], window=2.0, memory=memory)
    assert set(memory) == {'open', 'face_detection', 'windows'}
    assert all(0 < v < 64 for v in memory.values())
