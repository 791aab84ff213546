import os.path as osp

import pytest
import torch
from tiny_clip import (TINY_ARCH, save_open_clip_format, save_openai_format,
                       tiny_clip)

from umbe.models import CLIPVisionEncoder
from umbe.models.utils import ClipWeightsUnavailableError


@pytest.mark.parametrize('fmt', ['openai', 'open_clip'])
def test_loads_both_formats_like_open_clip(tmp_path, fmt):
    clip = tiny_clip(seed=1)
    path = str(tmp_path / 'clip.pt')
    (save_openai_format if fmt == 'openai' else save_open_clip_format)(
        clip, path)
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                            pretrained=path)
    images = torch.randn(5, 3, 16, 16)
    with torch.no_grad():
        expected = clip.encode_image(images)
        got = enc(images)
    assert got.shape == (5, TINY_ARCH['embed_dim'])
    assert torch.allclose(got, expected, atol=1e-5)


def test_random_weights_and_named_architecture():
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    ref = tiny_clip(seed=3)
    assert enc.tower.state_dict().keys() == ref.visual.state_dict().keys()
    with pytest.raises(ValueError, match='no model config named'):
        CLIPVisionEncoder(model_name='ViT-Nope-99')


def test_missing_and_mismatched_files_name_file_and_arch(tmp_path):
    with pytest.raises(ClipWeightsUnavailableError, match='absent.pt.*tiny'):
        CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                          pretrained=str(tmp_path / 'absent.pt'))
    path = str(tmp_path / 'clip.pt')
    save_open_clip_format(tiny_clip(), path)
    wider = dict(TINY_ARCH, vision_cfg=dict(TINY_ARCH['vision_cfg'],
                                            width=64))
    with pytest.raises(RuntimeError, match=r'clip\.pt.*wide.*shape'):
        CLIPVisionEncoder(model_name='wide', arch_cfg=wider, pretrained=path)
    deeper = dict(TINY_ARCH, vision_cfg=dict(TINY_ARCH['vision_cfg'],
                                             layers=2))
    with pytest.raises(RuntimeError, match='missing keys'):
        CLIPVisionEncoder(model_name='deep', arch_cfg=deeper, pretrained=path)
    assert osp.isfile(path)


def test_frozen_stays_eval_without_grads():
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    enc.train()
    assert not enc.tower.training
    assert not any(p.requires_grad for p in enc.parameters())
    trainable = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                                  frozen=False).train()
    assert trainable.tower.training
    assert all(p.requires_grad for p in trainable.parameters())
    trainable(torch.randn(2, 3, 16, 16)).sum().backward()
    assert trainable.tower.conv1.weight.grad.abs().sum() > 0


def test_wrong_frame_size_is_explained():
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    with pytest.raises(ValueError, match='16px frames'):
        enc(torch.randn(1, 3, 32, 32))


def test_cpu_calls_are_bounded_and_give_the_same_features():
    """On CPU the frames go through the tower in calls whose widest
    activation fits cpu_call_bytes; the features equal one call's."""
    torch.manual_seed(0)
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH).eval()
    # TINY_ARCH: (16 / 8)^2 + 1 = 5 tokens, MLP width 4 * 32 = 128
    per_frame = 5 * 128 * 4
    assert enc.frames_per_call() == enc.cpu_call_bytes // per_frame
    assert enc.frames_per_call('cuda') is None
    frames = torch.randn(7, 3, 16, 16)
    with torch.no_grad():
        enc.cpu_call_bytes = None
        one_call = enc(frames)
        enc.cpu_call_bytes = 3 * per_frame  # 3 + 3 + 1 frames
        calls = []
        handle = enc.tower.register_forward_hook(
            lambda m, i, o: calls.append(i[0].shape[0]))
        chunked = enc(frames)
        handle.remove()
    assert calls == [3, 3, 1]
    assert torch.allclose(chunked, one_call, atol=1e-6)
    enc.cpu_call_bytes = per_frame - 1
    assert enc.frames_per_call() == 1  # never zero
    with pytest.raises(ValueError, match='cpu_call_bytes'):
        CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                          cpu_call_bytes=0)
