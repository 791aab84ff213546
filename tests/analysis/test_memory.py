"""Peak RSS per phase."""
import math

import numpy as np

from umbe.analysis import peak_memory, peak_rss_gib, reset_peak_memory


def test_peak_grows_with_an_allocation_and_resets():
    reset_peak_memory()
    before = peak_rss_gib()
    if math.isnan(before):  # not Linux
        return
    big = np.ones(2**27, np.uint8)  # 128 MiB, touched
    grown = peak_memory()['cpu_rss_gib']
    assert grown >= before + 0.1
    del big
    reset_peak_memory()
    assert peak_rss_gib() < grown - 0.05
