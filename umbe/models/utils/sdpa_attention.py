"""Run ``nn.MultiheadAttention`` through scaled-dot-product attention.

In eval mode without gradients ``nn.MultiheadAttention`` takes PyTorch's
"fast path" (``torch._native_multi_head_attention``) when its inputs are
batch-first, as open_clip's towers are. On CPU that path computes the
attention with a separate ``bmm`` / softmax / ``bmm`` instead of the fused
``scaled_dot_product_attention`` kernel the standard path uses: the ViT-L/14
image tower is ~5-10 % slower with it than OpenAI's sequence-first
implementation, which never takes it (``tools/analysis/tower_speed.py``
measures both). With the fast path off, open_clip's tower is bitwise equal
to OpenAI's on CPU, and eval computes what training computes.

The switch ``torch.backends.mha.set_fastpath_enabled`` is process-wide;
:func:`sdpa_attention` turns it off for the code inside and restores it
when the last of any concurrent users (threads) leaves.
"""
import threading
from contextlib import contextmanager
from typing import Iterator

import torch

_lock = threading.Lock()
_users = 0
_before = True


@contextmanager
def sdpa_attention() -> Iterator[None]:
    """Turn ``nn.MultiheadAttention``'s fast path off inside the block.

    Nested and concurrent uses are counted: the setting found by the first
    is put back by the last.
    """
    global _users, _before
    with _lock:
        if _users == 0:
            _before = torch.backends.mha.get_fastpath_enabled()
            torch.backends.mha.set_fastpath_enabled(False)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                torch.backends.mha.set_fastpath_enabled(_before)
