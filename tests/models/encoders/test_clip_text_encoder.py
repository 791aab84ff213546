import pytest
import torch
from open_clip.tokenizer import SimpleTokenizer
from tiny_clip import (TINY_ARCH, save_open_clip_format, save_openai_format,
                       tiny_clip)

from umbe.models import CLIPTextEncoder


@pytest.mark.parametrize('fmt', ['openai', 'open_clip'])
def test_loads_both_formats_like_open_clip(tmp_path, fmt):
    clip = tiny_clip(seed=2)
    path = str(tmp_path / 'clip.pt')
    (save_openai_format if fmt == 'openai' else save_open_clip_format)(
        clip, path)
    enc = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                          pretrained=path)
    tokens = SimpleTokenizer()(['a happy face.', 'sad', 'a person cries'])
    with torch.no_grad():
        expected = clip.encode_text(tokens)
        got = enc(tokens)
    assert got.shape == (3, TINY_ARCH['embed_dim'])
    assert torch.allclose(got, expected, atol=1e-5)


def test_embeddings_path_matches_and_may_be_cut_after_eot():
    enc = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    tokens = SimpleTokenizer()(['angry.', 'a surprised look'])
    eot = tokens.argmax(-1)
    emb = enc.embed_tokens(tokens)  # (2, 77, W)
    with torch.no_grad():
        full = enc.encode_embeddings(emb, eot)
        cut = enc.encode_embeddings(emb[:, :int(eot.max()) + 1], eot)
        ref = enc(tokens)
    assert torch.allclose(full, ref, atol=1e-6)
    assert torch.allclose(cut, ref, atol=1e-5)


def test_prompt_gradients_flow_through_frozen_tower():
    enc = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH).train()
    assert not enc.tower.training
    assert not any(p.requires_grad for p in enc.parameters())
    prompt = torch.zeros(1, 3, 32, requires_grad=True)
    tokens = SimpleTokenizer()(['x'])
    emb = enc.embed_tokens(tokens)
    seq = torch.cat([emb[:, :1], prompt, emb[:, 1:-3]], dim=1)
    enc.encode_embeddings(seq, tokens.argmax(-1) + 3).sum().backward()
    assert prompt.grad.abs().sum() > 0


def test_wrong_context_length():
    enc = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    with pytest.raises(ValueError, match='77 tokens'):
        enc(torch.zeros(1, 10, dtype=torch.long))


def _full_sequences(enc, prefix, suffix, eot):
    """The Bq×C sequences [prefix b, suffix c], cut after the last EOT."""
    Bq, P, W = prefix.shape
    C, S = suffix.shape[:2]
    seqs = torch.cat([prefix[:, None].expand(Bq, C, P, W),
                      suffix[None].expand(Bq, C, S, W)], dim=2)
    return enc.encode_embeddings(seqs.reshape(Bq * C, P + S, W),
                                 eot.repeat(Bq)).reshape(Bq, C, -1)


def test_shared_prefix_gives_the_full_sequences_and_their_gradients():
    torch.manual_seed(0)
    enc = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH).train()
    tokens = SimpleTokenizer()(['happy.', 'a sad look.', 'neutral'])
    suffix = enc.embed_tokens(tokens[:, 1:12])  # (C=3, S=11, W), no SOT
    P = 6
    eot = P + tokens[:, 1:].argmax(-1)  # positions in [prefix, suffix]
    prefix = torch.randn(2, P, 32, requires_grad=True)
    got = enc.encode_shared_prefix(prefix, suffix, eot)  # (2, 3, D)
    grad_got, = torch.autograd.grad(got.square().sum(), prefix)
    ref = _full_sequences(enc, prefix, suffix, eot)
    grad_ref, = torch.autograd.grad(ref.square().sum(), prefix)
    assert got.shape == (2, 3, TINY_ARCH['embed_dim'])
    assert torch.allclose(got, ref, atol=1e-5)
    assert torch.allclose(grad_got, grad_ref, atol=1e-4)
    # one prefix, one suffix: the plain causal sequence
    one = enc.encode_shared_prefix(prefix[:1], suffix[:1], eot[:1])
    assert torch.allclose(one[0], ref[0, :1], atol=1e-5)


def test_shared_prefix_refuses_an_eot_inside_the_prefix():
    enc = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    with pytest.raises(ValueError, match='must lie in the suffix'):
        enc.encode_shared_prefix(torch.zeros(1, 4, 32), torch.zeros(2, 3, 32),
                                 torch.tensor([5, 2]))
    with pytest.raises(ValueError, match='exceed the context length'):
        enc.encode_shared_prefix(torch.zeros(1, 70, 32),
                                 torch.zeros(1, 10, 32), torch.tensor([79]))
