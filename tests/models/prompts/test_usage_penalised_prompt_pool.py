import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from umbe.registry import MODELS
from umbe.models.prompts import (PromptPool, UsagePenalisedPromptPool,
                                 total_usage_entropy, usage_entropy)


def _pools(weight=0.1, momentum=0.9, **kw):
    args = dict(pool_size=8, prompt_length=2, embed_dim=4, key_dim=6,
                top_k=2, **kw)
    torch.manual_seed(0)
    plain = PromptPool(**args).train()
    torch.manual_seed(0)
    pen = UsagePenalisedPromptPool(weight=weight, momentum=momentum,
                                   **args).train()
    return plain, pen


def _clustered_queries(pool, n=16, seed=1):
    """Queries all close to key 0: plain top-k always picks the same two."""
    g = torch.Generator().manual_seed(seed)
    base = F.normalize(pool.keys[0].detach(), dim=0)
    return base + 0.01 * torch.randn(n, base.numel(), generator=g)


def test_prompt_pool_selection_is_plain_topk_bit_for_bit():
    plain, _ = _pools()
    query = torch.randn(5, 6)
    out = plain(query, torch.full((5, ), 15))
    cos = F.normalize(query, dim=-1) @ F.normalize(plain.keys, dim=-1).t()
    top, ids = cos.topk(2, dim=-1)
    assert torch.equal(out['ids'], ids)
    assert torch.equal(out['loss_key_match'], (1 - top).mean())


def test_weight_zero_selects_as_prompt_pool():
    plain, pen = _pools(weight=0.0)
    for step in range(5):
        query = torch.randn(4, 6)
        a = plain(query, torch.full((4, ), 3))
        b = pen(query, torch.full((4, ), 3))
        assert torch.equal(a['ids'], b['ids'])
        assert torch.equal(a['loss_key_match'], b['loss_key_match'])
    assert torch.equal(plain.selection_counts, pen.selection_counts)


def test_usage_is_the_moving_average_of_selection_shares():
    _, pen = _pools(momentum=0.5)
    assert torch.allclose(pen.usage, torch.full((8, ), 1 / 8))
    query = _clustered_queries(pen, n=4)
    out = pen(query, torch.full((4, ), 1))
    share = torch.bincount(out['ids'].reshape(-1), minlength=8) / 8.
    assert torch.allclose(pen.usage, 0.5 / 8 + 0.5 * share)
    assert pen.usage.sum().item() == pytest.approx(1.0)
    # the penalty: weight * (P * u - 1); 0 for a prompt at uniform usage
    assert torch.allclose(pen.penalty(), 0.1 * (8 * pen.usage - 1))


@pytest.mark.parametrize('weight,least_bits,least_used',
                         [(0.1, 1.2, 3), (1.0, 2.5, 8)])
def test_training_spreads_usage_over_the_pool(weight, least_bits,
                                              least_used):
    # the penalty is bounded (a prompt gains at most weight * P / k over a
    # collapsed one), so a small weight only lets near-by keys in
    plain, pen = _pools(weight=weight, momentum=0.9)
    for step in range(30):
        query = _clustered_queries(plain, seed=step)
        plain(query, torch.full((16, ), 15))
        pen(query, torch.full((16, ), 15))
    h_plain = total_usage_entropy(plain.selection_counts)
    h_pen = total_usage_entropy(pen.selection_counts)
    assert h_plain == pytest.approx(1.0)  # always the same 2 of 8 prompts
    assert h_pen > least_bits  # of log2(8) = 3
    assert (pen.selection_counts.sum(0) > 0).sum() >= least_used


def test_eval_selects_by_cosine_and_leaves_usage_alone():
    plain, pen = _pools()
    for step in range(10):  # a usage history far from uniform
        pen(_clustered_queries(pen, seed=step), torch.full((16, ), 15))
    usage = pen.usage.clone()
    pen.eval()
    plain.eval()
    query = torch.randn(6, 6)
    assert torch.equal(pen(query)['ids'], plain(query)['ids'])
    assert torch.equal(pen.usage, usage)


def test_key_match_uses_the_cosines_of_the_chosen_prompts():
    _, pen = _pools(weight=1.0)
    pen(_clustered_queries(pen), torch.full((16, ), 15))  # usage skewed
    query = torch.randn(3, 6)
    out = pen(query, torch.full((3, ), 15))
    cos = F.normalize(query, dim=-1) @ F.normalize(pen.keys, dim=-1).t()
    chosen = cos.gather(1, out['ids'])
    assert torch.allclose(out['loss_key_match'], (1 - chosen).mean())
    assert not torch.equal(out['ids'], cos.topk(2, dim=-1).indices)


def test_usage_in_state_dict_and_reset():
    _, pen = _pools()
    pen(_clustered_queries(pen), torch.full((16, ), 15))
    state = pen.state_dict()
    assert 'usage' in state and 'selection_counts' in state
    _, other = _pools()
    other.load_state_dict(state)
    assert torch.equal(other.usage, pen.usage)
    pen.reset_counts()
    assert pen.selection_counts.sum() == 0
    assert torch.allclose(pen.usage, torch.full((8, ), 1 / 8))


def test_registered_and_arguments_checked():
    pool = MODELS.build(dict(type='UsagePenalisedPromptPool', pool_size=4,
                             prompt_length=1, embed_dim=4, top_k=2))
    assert isinstance(pool, PromptPool) and pool.selects_per_sample
    with pytest.raises(ValueError, match='-0.5'):
        UsagePenalisedPromptPool(weight=-0.5, pool_size=4, top_k=2)
    with pytest.raises(ValueError, match='1.0'):
        UsagePenalisedPromptPool(momentum=1.0, pool_size=4, top_k=2)


def test_usage_entropy_values():
    assert usage_entropy([1, 1, 1, 1]) == pytest.approx(2.0)
    assert usage_entropy([5, 0, 0, 0]) == 0.0
    assert usage_entropy([3, 3, 0, 0]) == pytest.approx(1.0)
    assert usage_entropy([0, 0]) == 0.0
    rows = usage_entropy(np.array([[1, 3], [2, 2]]))
    assert rows[0] == pytest.approx(-(0.25 * math.log2(0.25) +
                                      0.75 * math.log2(0.75)))
    assert rows[1] == pytest.approx(1.0)
    counts = torch.zeros(16, 4, dtype=torch.long)
    counts[1, 0] = 2
    counts[3, 1] = 2  # two subsets: summed before the entropy
    assert total_usage_entropy(counts) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        usage_entropy([-1, 2])


def test_umbenet_trains_with_the_pool_from_a_config():
    from mmengine.config import Config
    from mmengine.optim import OptimWrapper
    from tiny_clip import synthetic_batch, tiny_umbenet_overrides
    cfg = Config.fromfile('configs/umbenet/umbenet_demo.py')
    overrides = tiny_umbenet_overrides()
    overrides['head']['prompt_pool']['type'] = 'UsagePenalisedPromptPool'
    overrides['head']['prompt_pool']['weight'] = 0.2
    cfg.merge_from_dict(dict(model=overrides))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    pool = model.head.prompt_pool
    assert isinstance(pool, UsagePenalisedPromptPool) and pool.weight == 0.2
    optim = OptimWrapper(torch.optim.Adam(
        [p for p in model.parameters() if p.requires_grad], lr=1e-3))
    batch = synthetic_batch(B=4)
    losses = model.train_step(batch, optim)
    assert {'loss_cls', 'loss_key_match'} <= set(losses)
    assert not torch.allclose(pool.usage, torch.full((6, ), 1 / 6))
    assert pool.selection_counts.sum() == 4 * 2
    usage = pool.usage.clone()
    model.eval()  # as the runner's val / test loops do
    out = model.test_step(batch)
    assert len(out) == 4 and torch.equal(pool.usage, usage)
