"""umbe.models.utils.self_attention: MultiheadAttention from Linears."""
import pytest
import torch
import torch.nn as nn

from umbe.models.utils import SelfAttention


@pytest.mark.parametrize('batch_first', [True, False])
def test_self_attention_equals_multihead_attention(batch_first):
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(32, 4, batch_first=batch_first).eval()
    ours = SelfAttention(mha).eval()
    x = torch.randn(3, 7, 32) if batch_first else torch.randn(7, 3, 32)
    y = torch.randn(3, 5, 32) if batch_first else torch.randn(5, 3, 32)
    causal = torch.full((7, 7), float('-inf')).triu(1)
    with torch.no_grad():
        for mask in (None, causal, causal.isinf()):  # additive, bool
            ref = mha(x, x, x, need_weights=False, attn_mask=mask)[0]
            out, weights = ours(x, x, x, need_weights=False, attn_mask=mask)
            assert weights is None
            torch.testing.assert_close(out, ref, atol=3e-6, rtol=0)
        ref = mha(x, y, y, need_weights=False)[0]  # cross-attention
        torch.testing.assert_close(ours(x, y, y)[0], ref, atol=3e-6, rtol=0)
    with pytest.raises(NotImplementedError):
        ours(x, x, x, need_weights=True)
    # saved and loaded under nn.MultiheadAttention's names
    assert list(ours.state_dict()) == list(mha.state_dict())
    other = SelfAttention(
        nn.MultiheadAttention(32, 4, batch_first=batch_first)).eval()
    other.load_state_dict(mha.state_dict())
    with torch.no_grad():
        assert torch.equal(other(x, x, x)[0], ours(x, x, x)[0])
    # self-attention projects q, k, v in one call, in either layout
    calls = []
    ours.in_proj.register_forward_hook(lambda *_: calls.append(1))
    with torch.no_grad():
        ours(x, x, x)
    assert len(calls) == 1
