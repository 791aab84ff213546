"""Parameters and FLOPs: one convention (2 FLOPs per multiply-add),
attention counted in eval mode and on CPU."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import (FLOPS_PER_MULTIPLY_ADD, count_flops,
                           count_parameters, first_clip, flops_per_clip,
                           parameters_per_child)


def test_parameters_trainable_frozen_and_per_child():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model[0].requires_grad_(False)
    count = count_parameters(model)
    assert (count.trainable, count.frozen, count.total) == (10, 16, 26)
    per_child = parameters_per_child(model)
    assert list(per_child) == ['0', '2']  # the ReLU has none
    assert per_child['0'] == (0, 16) and per_child['2'] == (10, 0)


def test_linear_and_conv_count_two_per_multiply_add():
    assert FLOPS_PER_MULTIPLY_ADD == 2
    x = torch.randn(5, 7)
    flops, out = count_flops(nn.Linear(7, 3), x)
    assert out.shape == (5, 3) and flops == 2 * 5 * 7 * 3
    flops, _ = count_flops(nn.Conv2d(2, 4, 3, bias=False),
                           torch.randn(1, 2, 6, 6))
    assert flops == 2 * (4 * 4) * 4 * 2 * 3 * 3


@pytest.mark.parametrize('need_weights', [False, True])
def test_attention_is_counted_in_eval_mode(need_weights):
    """The fused fast path of nn.MultiheadAttention and CPU SDPA are seen."""
    B, L, D = 2, 10, 64
    mha = nn.MultiheadAttention(D, 4, batch_first=True).eval()
    x = torch.randn(B, L, D)
    projections = 2 * 4 * B * L * D * D  # q, k, v, out
    attention = 2 * 2 * B * L * L * D  # q @ k^T, weights @ v
    with torch.no_grad():
        flops, _ = count_flops(mha, x, x, x, need_weights=need_weights)
    assert flops == projections + attention
    assert torch.backends.mha.get_fastpath_enabled()  # restored
    q = torch.randn(B, 4, L, D // 4)
    assert count_flops(F.scaled_dot_product_attention, q, q, q)[0] == \
        attention


def test_flops_per_clip_split_at_the_frozen_features(demo_cached):
    _, model, batch = demo_cached
    one = flops_per_clip(model, first_clip(batch))
    # per clip: the same for a batch of one and of two
    assert flops_per_clip(model, batch) == one
    # the frozen part is the image tower on 2 x T frames and the caption's
    # text tower, each counted alone here
    data = model.data_preprocessor(first_clip(batch), False)
    frames = torch.cat([data['inputs']['face'], data['inputs']['scene']])
    with torch.no_grad():
        vision, _ = count_flops(model.vision_encoder, frames.flatten(0, 1))
        text, _ = count_flops(model.caption_encoder.encode_tokens,
                              data['inputs']['caption'])
    assert one['frozen'] == vision + text
    assert one['frozen'] > 10 * one['trainable'] > 0
    assert not model.training
