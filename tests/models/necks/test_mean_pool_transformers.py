"""The public code's temporal and fusion readouts, pinned by hand."""
import torch
import torch.nn.functional as F
from open_clip.transformer import QuickGELU

from umbe.models import MeanPoolFusionTransformer, MeanPoolTemporalTransformer
from umbe.models.utils import key_padding_to_attn_mask


def _reference(module, tokens, valid, residual):
    """positions added, transformer with the padding mask, masked mean."""
    x = tokens + module.pos_embed[:tokens.shape[1]]
    mask = key_padding_to_attn_mask(valid, module.num_heads, x.dtype)
    out = module.transformer(x, attn_mask=mask)
    if residual:
        out = out + tokens
    rows = []
    for b in range(tokens.shape[0]):
        rows.append(out[b][valid[b]].mean(0))  # mean over the valid tokens
    return torch.stack(rows)


def test_temporal_readout_is_masked_mean_of_output_plus_input():
    torch.manual_seed(0)
    module = MeanPoolTemporalTransformer(embed_dim=8, num_layers=1,
                                         num_heads=2, max_frames=5).eval()
    assert isinstance(module.transformer.resblocks[0].mlp.gelu, QuickGELU)
    assert not hasattr(module, 'cls_token')
    tokens = torch.randn(2, 5, 8)
    valid = torch.tensor([[True] * 5, [True, True, True, False, False]])
    out = module(tokens, valid)
    assert torch.allclose(out, _reference(module, tokens, valid, True),
                          atol=1e-6)
    # padding frames change nothing
    noisy = tokens.clone()
    noisy[1, 3:] += 100
    assert torch.allclose(module(noisy, valid)[1], out[1], atol=1e-5)
    # positions start like nn.Embedding (std 1)
    assert 0.5 < MeanPoolTemporalTransformer(
        embed_dim=64, num_layers=1).pos_embed.std() < 1.5


def test_fusion_is_normalised_masked_mean_of_output():
    torch.manual_seed(1)
    module = MeanPoolFusionTransformer(embed_dim=8, num_layers=1,
                                       num_heads=2).eval()
    tokens = torch.randn(2, 4, 8)
    present = torch.tensor([[True] * 4, [True, True, False, True]])
    out = module(tokens, present)
    ref = F.normalize(_reference(module, tokens, present, False), dim=-1)
    assert torch.allclose(out, ref, atol=1e-6)
    assert torch.allclose(out.norm(dim=-1), torch.ones(2))
    noisy = tokens.clone()
    noisy[1, 2] = 50
    assert torch.allclose(module(noisy, present)[1], out[1], atol=1e-5)
