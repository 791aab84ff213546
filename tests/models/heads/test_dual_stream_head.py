import pytest
import torch
import torch.nn.functional as F
from open_clip.tokenizer import SimpleTokenizer
from tiny_clip import CLASSES, TINY_ARCH

from umbe.models import DualStreamHead

TEXT = dict(type='CLIPTextEncoder', model_name='tiny', arch_cfg=TINY_ARCH)


def test_without_prompts_class_embeddings_are_clip_text_embeddings():
    head = DualStreamHead(CLASSES, text_encoder=TEXT, prompt_pool=None,
                          inherent_prompts=None)
    ref = head.text_encoder(SimpleTokenizer()([f'{c}.' for c in CLASSES]))
    emb = head.class_embeddings(None)
    assert emb.shape == (1, 3, 32)
    assert torch.allclose(emb[0], F.normalize(ref, dim=-1), atol=1e-5)
    fused = F.normalize(torch.randn(2, 32), dim=-1)
    logits = head(fused)['logits']
    assert torch.allclose(logits, 100 * fused @ F.normalize(ref, dim=-1).t(),
                          atol=1e-4)


def test_per_sample_prompts_give_per_sample_class_embeddings():
    torch.manual_seed(0)
    head = DualStreamHead(
        CLASSES, text_encoder=TEXT,
        prompt_pool=dict(type='PromptPool', pool_size=5, prompt_length=2,
                         top_k=2),
        inherent_prompts=dict(type='InherentPrompts', num_tokens=3)).train()
    assert head.prompt_pool.prompts.shape == (5, 2, 32)
    fused = F.normalize(torch.randn(4, 32), dim=-1)
    out = head(fused, subset_ids=torch.tensor([15, 1, 3, 3]))
    assert out['logits'].shape == (4, 3)
    assert out['prompt_ids'].shape == (4, 2)
    # sample 0 alone gives the same logits: nothing mixes across samples
    alone = head(fused[:1])['logits']
    assert torch.allclose(alone, out['logits'][:1], atol=1e-4)
    loss = out['logits'].logsumexp(1).sum() + out['loss_sff_l1'] + out[
        'loss_key_match']
    loss.backward()
    assert head.prompt_pool.prompts.grad.abs().sum() > 0
    assert head.prompt_pool.keys.grad.abs().sum() > 0
    assert head.inherent_prompts.tokens.grad.abs().sum() > 0
    assert head.sparse_fusion.gate.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in head.text_encoder.parameters())
    assert head.prompt_pool.selection_counts.sum() == 4 * 2  # training, k=2


def test_batch_query_shares_one_prompt():
    torch.manual_seed(0)
    head = DualStreamHead(
        CLASSES, text_encoder=TEXT,
        prompt_pool=dict(type='BatchQueryPromptPool', pool_size=5,
                         prompt_length=2, top_k=2),
        inherent_prompts=dict(type='InherentPrompts', num_tokens=3))
    out = head(F.normalize(torch.randn(4, 32), dim=-1))
    assert out['logits'].shape == (4, 3)
    assert out['prompt_ids'].shape == (1, 2)


def test_class_tokens_built_once_and_checked():
    head = DualStreamHead(CLASSES, text_encoder=TEXT)
    ids = SimpleTokenizer().encode('neutral.')
    assert head.suffix_ids[2, :len(ids)].tolist() == ids
    assert head.eot_index[2] == 1 + 32 + 32 + len(ids)
    with pytest.raises(ValueError, match='context length'):
        DualStreamHead(['a class name made of far too many words to fit'] * 2,
                       text_encoder=TEXT)
    with pytest.raises(ValueError, match='classes'):
        DualStreamHead('happy', text_encoder=TEXT)


@pytest.mark.parametrize('head_type',
                         ['DualStreamHead', 'StatefulDualStreamHead'])
def test_class_embeddings_equal_the_full_class_sequences(head_type):
    """The prefix ([SOS] + prompts) runs once per sample; the result is
    what the B×C full sequences give."""
    from umbe.registry import MODELS
    torch.manual_seed(0)
    head = MODELS.build(dict(
        type=head_type, classes=CLASSES, text_encoder=TEXT,
        prompt_pool=dict(type='PromptPool', pool_size=5, prompt_length=2,
                         top_k=2),
        inherent_prompts=dict(type='InherentPrompts', num_tokens=3)))
    pool_prompt = torch.randn(4, 2, 32)
    got = head.class_embeddings(pool_prompt)  # (4, C, E)
    enc = head.text_encoder
    ids, eot = head.class_tokens()
    C = len(CLASSES)
    seqs = torch.cat([
        enc.embed_tokens(head.sos_id).expand(4, C, 1, 32),
        pool_prompt[:, None].expand(4, C, 2, 32),
        head.inherent_prompts()[None, None].expand(4, C, 3, 32),
        enc.embed_tokens(ids)[None].expand(4, C, -1, 32)], dim=2)
    ref = enc.encode_embeddings(seqs.flatten(0, 1), eot.repeat(4))
    assert torch.allclose(got, F.normalize(ref, dim=-1).view(4, C, -1),
                          atol=1e-5)
