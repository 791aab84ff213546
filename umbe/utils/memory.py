"""Peak resident memory per phase (Linux ``/proc/self``).

The peak (``VmHWM``) is reset at the start of a phase by writing ``5`` to
``/proc/self/clear_refs`` (Linux >= 4.0), so each phase reports its own
peak, not the process's. Where the reset is not allowed the peak is the
process's so far, and :attr:`PhasePeaks.per_phase` says so.
"""
import contextlib
from typing import Dict, Iterator, Optional

_GIB = float(2**20)  # /proc reports kB


def _status_kb(field: str) -> Optional[int]:
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_gib() -> Optional[float]:
    """Current resident memory in GiB (None where /proc is absent)."""
    kb = _status_kb('VmRSS')
    return None if kb is None else kb / _GIB


def peak_rss_gib() -> Optional[float]:
    """Peak resident memory since the last reset, in GiB (or None)."""
    kb = _status_kb('VmHWM')
    return None if kb is None else kb / _GIB


def reset_peak_rss(tolerance_gib: float = 1 / 64) -> bool:
    """Reset the peak to the current resident memory.

    Args:
        tolerance_gib (float): How far above the resident memory the peak
            may still read after the reset (threads allocate meanwhile).
            Defaults to 1/64 (16 MiB).

    Returns:
        bool: False if the write was refused, or if the peak did not come
        down to the resident memory (seen in long test sessions): the
        peak is then the process's.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        return False
    peak, now = peak_rss_gib(), rss_gib()
    return peak is not None and now is not None and \
        peak <= now + tolerance_gib


class PhasePeaks:
    """Record the peak resident memory of named phases.

    Args:
        peaks (dict, optional): Receives ``{phase: GiB}``; a phase run
            twice keeps its larger peak. Defaults to a new dict.

    Attributes:
        per_phase (bool): Whether the peak could be reset per phase.
    """

    def __init__(self, peaks: Optional[Dict[str, float]] = None) -> None:
        self.peaks = peaks if peaks is not None else {}
        self.per_phase = True

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Measure the ``with`` block as phase ``name``."""
        self.per_phase = reset_peak_rss() and self.per_phase
        try:
            yield
        finally:
            peak = peak_rss_gib()
            if peak is not None:
                self.peaks[name] = max(self.peaks.get(name, 0.), peak)
