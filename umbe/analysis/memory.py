"""Peak memory of a phase: the process's CPU peak RSS and CUDA's peak."""
import math
from typing import Dict

import torch

from umbe.utils import memory


def peak_rss_gib() -> float:
    """Peak resident set size of this process (``VmHWM``), GiB.

    Returns:
        float: GiB, NaN where ``/proc/self/status`` has no ``VmHWM``
        (not Linux).
    """
    peak = memory.peak_rss_gib()
    return math.nan if peak is None else peak


def reset_peak_memory() -> None:
    """Start a new peak: ``VmHWM`` back to the current RSS (Linux
    ``clear_refs`` 5, :func:`umbe.utils.memory.reset_peak_rss`) and CUDA's
    peak statistics reset."""
    memory.reset_peak_rss()
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def peak_memory() -> Dict[str, float]:
    """The peaks since the last :func:`reset_peak_memory`.

    Returns:
        dict: ``cpu_rss_gib`` and, on a GPU, ``cuda_max_allocated_gib``
        (rounded to 3 digits).
    """
    out = dict(cpu_rss_gib=round(peak_rss_gib(), 3))
    if torch.cuda.is_available():
        out['cuda_max_allocated_gib'] = round(
            torch.cuda.max_memory_allocated() / 2**30, 3)
    return out
