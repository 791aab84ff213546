import torch
import torch.nn.functional as F

from umbe.models import BatchQueryPromptPool, PromptPool


def test_per_sample_topk_matches_cosine_and_gets_grads():
    torch.manual_seed(0)
    pool = PromptPool(pool_size=6, prompt_length=3, embed_dim=8, key_dim=5,
                      top_k=2).train()
    query = torch.randn(4, 5)
    out = pool(query, subset_ids=torch.tensor([15, 15, 1, 5]))
    cos = F.normalize(query, dim=-1) @ F.normalize(pool.keys, dim=-1).t()
    ref_sim, ref_ids = cos.topk(2, dim=-1)
    assert torch.equal(out['ids'], ref_ids)
    assert out['prompts'].shape == (4, 2, 3, 8)
    assert torch.equal(out['prompts'][2, 1], pool.prompts[ref_ids[2, 1]])
    assert torch.allclose(out['loss_key_match'], (1 - ref_sim).mean())
    (out['loss_key_match'] + out['prompts'].sum()).backward()
    assert pool.keys.grad.abs().sum() > 0
    assert pool.prompts.grad.abs().sum() > 0
    counts = pool.selection_counts
    assert counts.dtype == torch.long and counts.shape == (16, 6)
    assert counts[15].sum() == 4 and counts[1].sum() == 2
    assert counts[5, ref_ids[3]].tolist() == [1, 1]
    pool.eval()
    pool(query, subset_ids=torch.tensor([15, 15, 1, 5]))
    assert pool.selection_counts.sum() == 8  # not counted in eval


def test_batch_query_selects_once():
    torch.manual_seed(0)
    pool = BatchQueryPromptPool(pool_size=6, prompt_length=3, embed_dim=8,
                                top_k=2).train()
    query = torch.randn(4, 8)
    out = pool(query, subset_ids=torch.tensor([3, 3, 3, 1]))
    assert out['prompts'].shape == (1, 2, 3, 8)
    mean_q = F.normalize(F.normalize(query, dim=-1).mean(0), dim=0)
    ref = (F.normalize(pool.keys, dim=-1) @ mean_q).topk(2).indices
    assert torch.equal(out['ids'][0], ref)
    assert pool.selection_counts[3].sum() == 6
    assert pool.selection_counts[1].sum() == 2


def test_key_init_std_starts_the_keys_normal():
    torch.manual_seed(0)
    from umbe.models import PromptPool
    pool = PromptPool(pool_size=64, prompt_length=1, embed_dim=64,
                      key_init_std=0.02)
    assert abs(pool.keys.std().item() - 0.02) < 0.002
    assert PromptPool(pool_size=64, prompt_length=1,
                      embed_dim=64).keys.abs().max() > 0.5  # uniform [-1, 1]
