"""set_sequence_first: open_clip's stacks in OpenAI's layout, same output."""
import copy

import pytest
import torch
from tiny_clip import TINY_ARCH

from umbe.models import CLIPTextEncoder, CLIPVisionEncoder
from umbe.models.utils import set_sequence_first


def _vision(**kwargs):
    torch.manual_seed(0)
    return CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH, **kwargs)


def test_encoders_build_their_stacks_sequence_first():
    vision = _vision()
    text = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    for tower in (vision.tower, text.tower):
        stack = tower.transformer
        assert stack.batch_first is False
        assert all(b.attn.batch_first is False for b in stack.resblocks)


def test_same_output_as_batch_first_and_no_fast_path(monkeypatch):
    enc = _vision().eval()
    batch_first = copy.deepcopy(enc.tower)
    assert set_sequence_first(batch_first.transformer, False)
    frames = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        torch.backends.mha.set_fastpath_enabled(False)
        try:
            expected = batch_first(frames)
        finally:
            torch.backends.mha.set_fastpath_enabled(True)

        def no_fast_path(*args, **kwargs):
            raise AssertionError('fused fast path taken')

        monkeypatch.setattr(torch, '_native_multi_head_attention',
                            no_fast_path)
        got = enc(frames)  # eval, no grad, fast path allowed: not taken
        with pytest.raises(AssertionError, match='fast path'):
            batch_first(frames)  # the batch-first stack takes it
    assert torch.allclose(got, expected, atol=1e-6)


def test_tower_computes_in_eval_what_it_computes_with_gradients():
    """Without the fast path a no-grad eval pass runs the kernels of the
    autograd pass: the same features, bit for bit."""
    enc = _vision(frozen=False).eval()
    frames = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        no_grad = enc(frames)
    with_grad = enc(frames)
    assert with_grad.requires_grad
    assert torch.equal(no_grad, with_grad.detach())


def test_stacks_without_multihead_attention_are_left_alone():
    stack = torch.nn.Module()
    stack.resblocks = torch.nn.ModuleList([torch.nn.Linear(2, 2)])
    stack.batch_first = True
    assert set_sequence_first(stack) is False
    assert stack.batch_first is True
