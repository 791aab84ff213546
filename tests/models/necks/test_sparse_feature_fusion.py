import torch

from umbe.models import SparseFeatureFusion


def test_gated_sum_and_l1_penalty():
    torch.manual_seed(0)
    sff = SparseFeatureFusion(embed_dim=8, l1_weight=0.01)
    prompts = torch.randn(2, 3, 4, 8, requires_grad=True)
    out = sff(prompts)
    gates = torch.sigmoid(prompts @ sff.gate.weight.t() + sff.gate.bias)
    assert out['prompt'].shape == (2, 4, 8)
    assert out['gates'].shape == (2, 3, 4)
    assert torch.allclose(out['prompt'], (gates * prompts).sum(1), atol=1e-6)
    assert torch.allclose(out['loss_sff_l1'], 0.01 * gates.mean())
    assert torch.isclose(out['gate_density'],
                         (gates > 0.5).float().mean())
    (out['prompt'].sum() + out['loss_sff_l1']).backward()
    assert sff.gate.weight.grad.abs().sum() > 0
    assert prompts.grad.abs().sum() > 0
