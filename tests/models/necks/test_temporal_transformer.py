import pytest
import torch

from umbe.models import TemporalTransformer


def test_padding_frames_are_masked():
    torch.manual_seed(0)
    tt = TemporalTransformer(embed_dim=16, num_layers=2, num_heads=2,
                             max_frames=5).eval()
    x = torch.randn(2, 5, 16)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]).bool()
    out = tt(x, mask)
    assert out.shape == (2, 16)
    y = x.clone()
    y[0, 3:] = 100 * torch.randn(2, 16)
    y[1, 4] += torch.randn(16)
    out2 = tt(y, mask)
    assert torch.allclose(out[0], out2[0], atol=1e-6)
    assert not torch.allclose(out[1], out2[1])


def test_grads_and_limits():
    tt = TemporalTransformer(embed_dim=8, num_layers=1, num_heads=2,
                             max_frames=3)
    torch.manual_seed(0)
    x = torch.randn(1, 3, 8, requires_grad=True)
    # a random projection: the plain sum of a LayerNorm output is constant
    weights = torch.randn(8)
    (tt(x, torch.ones(1, 3, dtype=torch.bool)) * weights).sum().backward()
    assert x.grad.abs().sum() > 0 and tt.cls_token.grad is not None
    with pytest.raises(ValueError, match='max_frames'):
        tt(torch.randn(1, 4, 8), torch.ones(1, 4, dtype=torch.bool))
