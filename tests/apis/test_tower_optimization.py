"""umbe.apis.tower_optimization: the attention rewrite, int8, compile."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn

from umbe.apis.tower_optimization import (SelfAttention, compile_towers,
                                          quantize_towers, replace_attention)


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
    # self-attention projects q, k, v in one call, in either layout
    calls = []
    ours.in_proj.register_forward_hook(lambda *_: calls.append(1))
    with torch.no_grad():
        ours(x, x, x)
    assert len(calls) == 1


def test_replace_attention_in_a_tower(demo_model):
    tower = copy.deepcopy(demo_model.vision_encoder)
    frames = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        ref = tower(frames)
        assert replace_attention(tower) == 2  # the demo's 2 ViT blocks
        assert not any(
            isinstance(m, nn.MultiheadAttention) for m in tower.modules())
        torch.testing.assert_close(tower(frames), ref, atol=1e-5, rtol=0)


def test_int8_towers_agree_with_fp32(demo_model, videos):
    from umbe.apis import infer_video
    model = copy.deepcopy(demo_model)
    done = quantize_towers(model)
    # every Linear of the towers, attention projections included: per ViT
    # block in_proj, out_proj, c_fc, c_proj
    assert done == {'vision_encoder': 8, 'caption_encoder.text_encoder': 4}
    from torch.ao.nn.quantized.dynamic import Linear as QLinear
    for name, tower in model.frozen_towers().items():
        assert not any(type(m) is nn.Linear for m in tower.modules()), name
        assert any(isinstance(m, QLinear) for m in tower.modules())
    # the trainable part is untouched
    assert type(model.head.text_encoder.tower.transformer.resblocks[0].attn
                ) is nn.MultiheadAttention
    kw = dict(window=2.0, stride=1.0)
    ref = infer_video(demo_model, videos['face_then_none'], **kw)
    got = infer_video(model, videos['face_then_none'], **kw)
    for a, b in zip(ref['windows'], got['windows']):
        if a['scores'] is None:
            continue
        p = np.array([a['scores'][c] for c in demo_model.classes])
        q = np.array([b['scores'][c] for c in demo_model.classes])
        assert 0 < np.abs(p - q).max() < 0.05
    with pytest.raises(TypeError, match='frozen_towers'):
        quantize_towers(nn.Linear(2, 2))


def test_compile_towers_plumbing(demo_model):
    model = copy.deepcopy(demo_model)
    # the eager backend: the wiring, without the minutes inductor takes
    assert compile_towers(model, backend='eager') == ['vision_encoder']
    frames = torch.randn(8, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(
            model.encode_frames(frames),
            demo_model.encode_frames(frames),
            atol=1e-6,
            rtol=0)
