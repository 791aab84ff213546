import torch

from umbe.models import InherentPrompts


def test_shape_and_grad():
    torch.manual_seed(0)
    inh = InherentPrompts(num_tokens=5, embed_dim=7)
    assert inh().shape == (5, 7)
    inh().pow(2).sum().backward()
    assert inh.tokens.grad.abs().sum() > 0
