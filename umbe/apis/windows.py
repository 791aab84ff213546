"""Sliding windows over a video and smoothing of per-window scores."""
import math
from typing import List, Optional, Tuple

import numpy as np


def sliding_windows(duration: float, window: float,
                    stride: float) -> List[Tuple[float, float]]:
    """Split ``[0, duration)`` into windows of ``window`` seconds.

    A video no longer than ``window + stride / 2`` gives one window over
    all of it (a second window would add less than half a stride).
    Otherwise windows start every ``stride`` seconds; the last one is moved
    to end at the video's end, so the tail is covered and no window is
    short: ``ceil((duration - window) / stride) + 1`` windows.

    Args:
        duration (float): Video length in seconds.
        window (float): Window length in seconds (> 0).
        stride (float): Step between window starts in seconds (> 0).

    Returns:
        list[tuple[float, float]]: ``(start, end)`` in seconds.
    """
    if window <= 0 or stride <= 0:
        raise ValueError(f'window and stride must be > 0 seconds, got '
                         f'window={window!r}, stride={stride!r}')
    if duration <= window + stride / 2 + 1e-6:
        return [(0.0, float(duration))]
    count = int(math.ceil((duration - window) / stride - 1e-6)) + 1
    starts = [min(i * stride, duration - window) for i in range(count)]
    return [(float(s), float(s + window)) for s in starts]


def smooth_scores(scores: np.ndarray, kernel: int = 3) -> np.ndarray:
    """Centred moving average of per-window probabilities.

    Rows that are NaN (skipped windows) are ignored by their neighbours and
    stay NaN.

    Args:
        scores (np.ndarray): (N, C) probabilities, NaN rows for skipped
            windows.
        kernel (int): Windows averaged (odd; 1 = no smoothing).
            Defaults to 3.

    Returns:
        np.ndarray: (N, C) smoothed probabilities.
    """
    if kernel < 1 or kernel % 2 == 0:
        raise ValueError(f'kernel must be an odd int >= 1, got {kernel!r}')
    scores = np.asarray(scores, dtype=np.float64)
    valid = ~np.isnan(scores).any(axis=1)
    out = np.full_like(scores, np.nan)
    half = kernel // 2
    for i in np.flatnonzero(valid):
        lo, hi = max(0, i - half), min(len(scores), i + half + 1)
        rows = scores[lo:hi][valid[lo:hi]]
        out[i] = rows.mean(axis=0)
    return out


def overall_scores(scores: np.ndarray) -> Optional[np.ndarray]:
    """Mean probability over the scored windows (None if none scored).

    Args:
        scores (np.ndarray): (N, C), NaN rows for skipped windows.

    Returns:
        np.ndarray | None: (C,).
    """
    scores = np.asarray(scores, dtype=np.float64)
    valid = ~np.isnan(scores).any(axis=1) if scores.size else np.zeros(0, bool)
    if not valid.any():
        return None
    return scores[valid].mean(axis=0)
