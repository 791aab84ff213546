"""umbe.apis.tower_optimization: oneDNN packing, int8, compile."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn

from umbe.apis.tower_optimization import (compile_towers, pack_towers,
                                          prepare_towers, quantize_towers)
from umbe.models.utils import (PackedLinear, onednn_linear_available,
                               replace_attention)


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


def _window_probs(result, classes):
    return [
        np.array([w['scores'][c] for c in classes])
        for w in result['windows'] if w['scores'] is not None
    ]


@pytest.mark.skipif(
    not onednn_linear_available(), reason='no oneDNN in this PyTorch')
def test_packed_towers_agree_with_fp32(demo_model, videos):
    from umbe.apis import infer_video
    model = copy.deepcopy(demo_model)
    state = demo_model.state_dict()
    assert prepare_towers(model) == 'float32, oneDNN-packed'  # CPU default
    for name, tower in model.frozen_towers().items():
        assert not any(type(m) is nn.Linear for m in tower.modules()), name
        assert sum(type(m) is PackedLinear for m in tower.modules()) == {
            'vision_encoder': 8,
            'caption_encoder.text_encoder': 4
        }[name]  # per ViT block in_proj, out_proj, c_fc, c_proj
    # the trainable part is untouched, the checkpoint is the same
    assert type(model.head.text_encoder.tower.transformer.resblocks[0].attn
                ) is nn.MultiheadAttention
    packed_state = model.state_dict()
    assert list(packed_state) == list(state)
    assert all(torch.equal(packed_state[k], state[k]) for k in state)
    kw = dict(window=2.0, stride=1.0)
    ref = infer_video(demo_model, videos['face_then_none'], **kw)
    got = infer_video(model, videos['face_then_none'], **kw)
    p, q = (_window_probs(r, demo_model.classes) for r in (ref, got))
    assert len(p) == len(q) > 0
    # float32 both: equal to rounding (the tolerance docs/inference.md
    # states), the same predicted classes
    assert max(np.abs(a - b).max() for a, b in zip(p, q)) < 1e-4
    assert [a.argmax() for a in p] == [b.argmax() for b in q]


def test_prepare_towers_choices(demo_model):
    model = copy.deepcopy(demo_model)
    assert prepare_towers(model, onednn=False) == 'float32'
    assert not any(type(m) is PackedLinear for m in model.modules())
    with pytest.raises(ValueError, match='not with int8'):
        prepare_towers(model, int8=True, onednn=True)
    assert prepare_towers(model, int8=True) == 'int8 (dynamic)'
    assert not any(type(m) is PackedLinear for m in model.modules())
    assert prepare_towers(nn.Linear(2, 2)) == 'as built'
    with pytest.raises(TypeError, match='frozen_towers'):
        pack_towers(nn.Linear(2, 2))
