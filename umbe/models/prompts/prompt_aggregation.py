"""Stage-2 aggregation of the prompt pool from stage-1 selection counts.

The rule (also in ``docs/two_stage.md``):

1. Per modality m, ``counts_m[p]`` = how often prompt p was selected by
   samples whose modality subset contains m (rows of ``selection_counts``
   whose bitmask has bit m). In a unimodal stage 1 this is exactly the
   selections made while m was the only modality shown.
2. Prompt p is *activated* by m when ``counts_m[p] > 0`` and
   ``counts_m[p] >= activation_ratio * mean_p(counts_m)``, i.e. it was chosen
   at least ``activation_ratio`` times as often as under uniform selection.
3. Activated prompts (the union over modalities) keep what they learned,
   prompt tokens and key alike.
4. Every other prompt j is re-initialised from the activated ones:
   ``new_j = (1 - keep) * sum_a w_a * prompt_a + keep * old_j`` and the same
   for its key, where ``w`` are the activated prompts' counts, each modality's
   counts first normalised to sum 1 (so a modality seen more often in stage 1
   does not dominate), and ``keep`` (default 0.1) keeps a little of j's own
   random initialisation so that the re-initialised prompts (and keys) stay
   distinct and can specialise again in stage 2.

So stage 2 starts from the union of what the modalities learned alone, and
the pool capacity no modality used is moved next to it. With no counts at all
the pool is left unchanged.
"""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from umbe.structures import MODALITIES, NUM_SUBSETS, subset_membership


def per_modality_counts(selection_counts: Tensor) -> Tensor:
    """Sum the subset rows that contain each modality.

    Args:
        selection_counts (Tensor): ``(NUM_SUBSETS, P)``; row = subset
            bitmask (:mod:`umbe.structures.modalities`).

    Returns:
        Tensor: float ``(M, P)``.
    """
    if selection_counts.shape[0] != NUM_SUBSETS:
        raise ValueError(f'selection_counts has {selection_counts.shape[0]} '
                         f'rows, one per modality subset ({NUM_SUBSETS}) '
                         'was expected')
    contains = subset_membership()  # (M, NUM_SUBSETS)
    return contains.float() @ selection_counts.float().cpu()  # (M, P)


def activated_prompts(counts: Tensor, activation_ratio: float) -> Tensor:
    """Which prompts each modality activated.

    Args:
        counts (Tensor): ``(M, P)`` per-modality selection counts.
        activation_ratio (float): Threshold as a multiple of the mean count.

    Returns:
        Tensor: bool ``(M, P)``.
    """
    mean = counts.mean(1, keepdim=True)  # (M, 1)
    return (counts > 0) & (counts >= activation_ratio * mean)


@torch.no_grad()
def aggregate_prompt_pool(prompts: Tensor,
                          keys: Optional[Tensor],
                          selection_counts: Tensor,
                          activation_ratio: float = 0.5,
                          keep: float = 0.1) -> Dict:
    """Aggregate the pool in place (see the module docstring for the rule).

    Args:
        prompts (Tensor): ``(P, L, D)`` prompt tokens, edited in place.
        keys (Tensor, optional): ``(P, D)`` prompt keys, edited in place.
        selection_counts (Tensor): ``(NUM_SUBSETS, P)`` stage-1 counts.
        activation_ratio (float): See rule 2. Defaults to 0.5.
        keep (float): Share of a re-initialised prompt's own values. Defaults
            to 0.1.

    Returns:
        dict: ``activated`` ``{modality: [prompt ids]}``, ``kept`` and
        ``reinitialised`` (lists of prompt ids), ``weights`` (the mixing
        weights over ``kept``).
    """
    counts = per_modality_counts(selection_counts)  # (M, P)
    active = activated_prompts(counts, activation_ratio)  # (M, P)
    report = dict(
        activated={m: active[i].nonzero().squeeze(1).tolist()
                   for i, m in enumerate(MODALITIES)})
    union = active.any(0)  # (P,)
    totals = counts.sum(1, keepdim=True).clamp(min=1)  # (M, 1)
    share = (counts / totals * active).sum(0)  # (P,)
    kept: List[int] = union.nonzero().squeeze(1).tolist()
    rest: List[int] = (~union).nonzero().squeeze(1).tolist()
    report.update(kept=kept, reinitialised=[], weights=[])
    if not kept or not rest:
        return report
    weights = share[union] / share[union].sum()  # (A,)
    report.update(reinitialised=rest, weights=weights.tolist())
    for tensor in (prompts, keys):
        if tensor is None:
            continue
        w = weights.to(tensor)
        mix = torch.tensordot(w, tensor[union], dims=1)  # (L, D) or (D,)
        tensor[~union] = (1 - keep) * mix + keep * tensor[~union]
    return report
