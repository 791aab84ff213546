"""The timeline of a video: smoothed window scores and the overall label.

The last step of ``infer_video`` (after :mod:`.windows` and
:mod:`.window_records`): per-window probabilities, skipped windows as NaN
rows, are smoothed over time and averaged into the overall prediction.
"""
from typing import List, Optional

import numpy as np


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


def window_scores(rows: List[dict], classes: List[str]) -> np.ndarray:
    """The probabilities of a timeline's windows as one array.

    Args:
        rows (list[dict]): Window rows (``scores`` ``{class: prob}``, None
            for a skipped window).
        classes (list[str]): Class order of the columns.

    Returns:
        np.ndarray: (N, C) float64, NaN rows for skipped windows.
    """
    probs = np.full((len(rows), len(classes)), np.nan)
    for i, row in enumerate(rows):
        if row.get('scores') is not None:
            probs[i] = [row['scores'][c] for c in classes]
    return probs


def summarise_timeline(rows: List[dict], classes: List[str],
                       smooth: int) -> Optional[dict]:
    """Smooth a timeline (written into ``rows``) and give its overall label.

    Each row gets ``smoothed_scores`` ``{class: prob}`` and
    ``smoothed_class`` (None for a skipped window), the moving average of
    :func:`smooth_scores` over ``smooth`` windows.

    Args:
        rows (list[dict]): One person's window rows, in time order.
        classes (list[str]): Class names in label order.
        smooth (int): Windows in the moving average (odd).

    Returns:
        dict | None: ``scores`` (mean probability per class over the scored
        windows), ``pred_class``, ``num_windows`` (scored windows); None if
        no window was scored.
    """
    probs = window_scores(rows, classes)  # (N, C)
    smoothed = smooth_scores(probs, smooth) if len(rows) else probs
    for row, values in zip(rows, smoothed):
        if np.isnan(values).any():
            row['smoothed_scores'], row['smoothed_class'] = None, None
        else:
            row['smoothed_scores'] = {
                c: round(float(v), 6)
                for c, v in zip(classes, values)
            }
            row['smoothed_class'] = classes[int(values.argmax())]
    mean = overall_scores(probs)  # (C,)
    if mean is None:
        return None
    return dict(
        scores={
            c: round(float(v), 6)
            for c, v in zip(classes, mean)
        },
        pred_class=classes[int(mean.argmax())],
        num_windows=int((~np.isnan(probs).any(axis=1)).sum()))
