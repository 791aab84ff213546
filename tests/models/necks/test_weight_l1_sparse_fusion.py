import torch

from umbe.models import SparseFeatureFusion, WeightL1SparseFeatureFusion


def test_penalty_is_lambda_times_sum_of_gate_weights():
    sff = WeightL1SparseFeatureFusion(embed_dim=3, l1_weight=0.01)
    with torch.no_grad():
        sff.gate.weight.copy_(torch.tensor([[0.5, -2.0, 1.5]]))
        sff.gate.bias.fill_(7.0)  # the bias is not counted
    prompts = torch.randn(1, 2, 4, 3)
    out = sff(prompts)
    assert torch.allclose(out['loss_sff_l1'], torch.tensor(0.04))
    # the fusion itself is SparseFeatureFusion's
    ref = SparseFeatureFusion(embed_dim=3)
    ref.load_state_dict(sff.state_dict())
    assert torch.equal(ref(prompts)['prompt'], out['prompt'])
    out['loss_sff_l1'].backward()
    assert torch.allclose(sff.gate.weight.grad,
                          0.01 * torch.tensor([[1.0, -1.0, 1.0]]))
