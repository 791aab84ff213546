"""Run open_clip's transformer stacks sequence-first, as OpenAI's CLIP does.

open_clip builds its towers batch-first: every block hands its
``nn.MultiheadAttention`` an ``(N, L, W)`` input, which the attention
transposes to ``(L, N, W)`` and back again, and in eval mode without
gradients PyTorch takes its fused "fast path" instead of
scaled-dot-product attention. On CPU the ViT-L/14 image tower runs about
10 % slower that way than OpenAI's sequence-first implementation (the
public UMBEnet code's), for the same output: ``tools/analysis/
tower_speed.py`` times both.

open_clip's ``Transformer(batch_first=False)`` is the sequence-first layout:
the stack transposes once on entry and once on exit and every block attends
in ``(L, N, W)``. :func:`set_sequence_first` switches a built stack to it (the
flag of the stack and of each block's attention are all the constructor
sets). The stack's interface stays ``(N, L, W)`` in and out, the weights and
the output do not change (bitwise, on CPU), and the fast path, which needs a
batch-first input, is never taken: eval computes what training computes.
"""
from contextlib import contextmanager
from typing import Iterator

import torch
import torch.nn as nn


def set_sequence_first(transformer: nn.Module, enabled: bool = True) -> bool:
    """Run an open_clip ``Transformer`` stack sequence-first (in place).

    Args:
        transformer (nn.Module): ``tower.transformer`` of an open_clip
            vision or text tower.
        enabled (bool): False switches it back to batch-first. Defaults to
            True.

    Returns:
        bool: Whether the stack was switched: False for stacks whose blocks
        do not attend through ``nn.MultiheadAttention`` (open_clip's custom
        blocks are batch-first only), which are left as they are.
    """
    blocks = getattr(transformer, 'resblocks', None)
    if not blocks or not all(
            isinstance(getattr(b, 'attn', None), nn.MultiheadAttention)
            for b in blocks):
        return False
    transformer.batch_first = not enabled
    for block in blocks:
        block.attn.batch_first = not enabled
    return True


@contextmanager
def mha_fastpath(enabled: bool) -> Iterator[None]:
    """``nn.MultiheadAttention``'s fused fast path on or off inside (the
    process-wide ``torch.backends.mha`` switch), restored on exit; for
    timing and counting the batch-first alternatives."""
    before = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(enabled)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(before)
