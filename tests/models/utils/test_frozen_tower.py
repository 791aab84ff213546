"""The one freezing mechanism: requires_grad, set once, kept by train()."""


def test_unfreezing_survives_train_mode():
    """One freezing mechanism: a tower made trainable by the stage-2
    patterns stays trainable through model.train()."""
    from tiny_clip import TINY_ARCH

    from umbe.models import CLIPVisionEncoder
    from umbe.models.utils import set_trainable_by_patterns
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    assert enc.frozen and not enc.tower.training
    enc.train()
    assert not enc.tower.training  # frozen: eval mode kept
    started = set_trainable_by_patterns(enc, trainable=['^tower\\.'])
    assert len(started) == len(list(enc.parameters()))
    enc.train()
    assert not enc.frozen and enc.tower.training
    assert all(p.requires_grad for p in enc.parameters())
    set_trainable_by_patterns(enc, frozen=['.'])
    enc.train()
    assert enc.frozen and not enc.tower.training


def test_frozen_tower_stored_in_bfloat16():
    """bf16 AMP's frozen towers: matrix weights in bf16 (norms and
    embeddings float32), same state-dict keys, float32 out, close to the
    float32 tower; a tower that trains goes back to float32."""
    import torch
    from tiny_clip import TINY_ARCH

    from umbe.models import CLIPTextEncoder, CLIPVisionEncoder
    from umbe.models.utils import set_trainable_by_patterns
    torch.manual_seed(0)
    ref = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                            frozen_dtype='bfloat16')
    enc.load_state_dict(ref.state_dict())  # copies into the bf16 storage
    assert enc.storage_dtype == torch.bfloat16
    assert list(enc.state_dict()) == list(ref.state_dict())
    tower = enc.tower
    assert tower.conv1.weight.dtype == torch.bfloat16
    assert tower.transformer.resblocks[0].attn.in_proj_weight.dtype == \
        torch.bfloat16
    assert tower.proj.dtype == torch.bfloat16
    assert tower.ln_pre.weight.dtype == torch.float32
    assert tower.positional_embedding.dtype == torch.float32
    frames = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        got, want = enc(frames), ref(frames)
    assert got.dtype == torch.float32
    assert torch.allclose(got, want, atol=0.05 * want.abs().max())
    set_trainable_by_patterns(enc, trainable=['^tower\\.'])
    assert enc.storage_dtype == torch.float32
    assert tower.conv1.weight.dtype == torch.float32
    set_trainable_by_patterns(enc, frozen=['.'])
    assert enc.storage_dtype == torch.bfloat16
    # a trainable tower is never stored in bf16
    trains = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                               frozen=False, frozen_dtype='bfloat16')
    assert trains.tower.conv1.weight.dtype == torch.float32
    # the text tower: token ids, spliced prompts with their gradient
    text = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                           frozen_dtype='bfloat16')
    prefix = torch.randn(2, 3, 32, requires_grad=True)
    out = text.encode_shared_prefix(prefix, text.embed_tokens(
        torch.tensor([[320, 49407], [321, 49407]])), torch.tensor([4, 4]))
    assert out.dtype == torch.float32
    out.sum().backward()
    assert prefix.grad.abs().sum() > 0
    import pytest
    with pytest.raises(ValueError, match="frozen_dtype='float16'"):
        text.set_frozen_dtype('float16')
