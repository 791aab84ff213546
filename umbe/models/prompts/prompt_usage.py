"""Prompt-usage entropy: how evenly a pool's selections spread over P.

One definition, read by ``PromptStatisticsHook`` (training logs, the
statistics JSON and heatmaps) and by ``umbe.analysis.embedding_plots``.
"""
from typing import Union

import numpy as np
import torch

ArrayLike = Union[np.ndarray, torch.Tensor]


def usage_entropy(counts: ArrayLike) -> np.ndarray:
    """Shannon entropy, in bits, of selection counts over the prompts.

    ``H = -sum_p f_p log2 f_p`` with ``f = counts / counts.sum()`` along the
    last axis: 0 when one prompt takes every selection, ``log2 P`` when all
    P are chosen equally often. With top-k selection each step chooses k
    distinct prompts, so a pool that always picks the same k prompts scores
    ``log2 k``.

    Args:
        counts (ndarray | Tensor): ``(..., P)`` non-negative counts (e.g. a
            row of ``PromptPool.selection_counts``, or their sum over the
            subsets).

    Returns:
        ndarray: ``(...)`` float64 entropies; 0 where a row has no
        selections.
    """
    if isinstance(counts, torch.Tensor):
        counts = counts.detach().cpu().numpy()
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim == 0 or (counts < 0).any():
        raise ValueError('counts must be an array (..., P) of counts >= 0, '
                         f'got shape {counts.shape}')
    total = counts.sum(-1, keepdims=True)
    freq = np.divide(counts, total, out=np.zeros_like(counts),
                     where=total > 0)
    logs = np.log2(freq, out=np.zeros_like(freq), where=freq > 0)
    return -(freq * logs).sum(-1) + 0.0  # + 0.0: no -0.0


def total_usage_entropy(selection_counts: ArrayLike) -> float:
    """Entropy (bits) of all selections, the subsets summed.

    Args:
        selection_counts (ndarray | Tensor): ``(NUM_SUBSETS, P)``, as
            ``PromptPool.selection_counts``.

    Returns:
        float: :func:`usage_entropy` of the column sums.
    """
    if isinstance(selection_counts, torch.Tensor):
        selection_counts = selection_counts.detach().cpu().numpy()
    return float(usage_entropy(np.asarray(selection_counts).sum(0)))
