import torch
from open_clip.tokenizer import SimpleTokenizer
from tiny_clip import TINY_ARCH

from umbe.models import CaptionEncoder


def test_frozen_tower_trainable_projection():
    enc = CaptionEncoder(
        text_encoder=dict(type='CLIPTextEncoder', model_name='tiny',
                          arch_cfg=TINY_ARCH), embed_dim=24).train()
    tokens = SimpleTokenizer()(['a person laughs', 'a sad man'])
    feats = enc.encode_tokens(tokens)
    assert feats.shape == (2, TINY_ARCH['embed_dim'])
    out = enc(tokens)
    assert out.shape == (2, 24)
    assert torch.allclose(out, enc.project(feats))
    out.sum().backward()
    assert enc.proj.weight.grad is not None
    assert not any(p.requires_grad for p in enc.text_encoder.parameters())
    assert not enc.text_encoder.tower.training
