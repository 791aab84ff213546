import torch

from umbe.models import ModalityFusionTransformer


def test_missing_modalities_masked_and_output_normalised():
    torch.manual_seed(0)
    fus = ModalityFusionTransformer(embed_dim=16, num_layers=2, num_heads=2,
                                    num_modalities=4).eval()
    tokens = torch.randn(3, 4, 16)
    present = torch.tensor([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]]).bool()
    out = fus(tokens, present)
    assert out.shape == (3, 16)
    assert torch.allclose(out.norm(dim=-1), torch.ones(3), atol=1e-5)
    changed = tokens.clone()
    changed[1, [1, 3]] = torch.randn(2, 16) * 50
    changed[2] = torch.randn(4, 16)
    out2 = fus(changed, present)
    assert torch.allclose(out[1:], out2[1:], atol=1e-6)
    changed[0, 2] += torch.randn(16)  # a present modality does matter
    assert not torch.allclose(fus(changed, present)[0], out[0])


def test_gradient_reaches_present_tokens_only():
    torch.manual_seed(0)
    fus = ModalityFusionTransformer(embed_dim=8, num_layers=1, num_heads=2)
    tokens = torch.randn(1, 4, 8, requires_grad=True)
    # a random projection: the sum of an L2-normalised LayerNorm output
    # hardly depends on the input
    weights = torch.randn(8)
    out = fus(tokens, torch.tensor([[1, 0, 1, 1]]).bool())
    (out * weights).sum().backward()
    assert tokens.grad[0, 1].abs().sum() == 0
    assert tokens.grad[0, 0].abs().sum() > 0
