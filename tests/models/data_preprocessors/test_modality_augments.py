import pytest
import torch

import umbe  # noqa: F401
from umbe.models.data_preprocessors import (BatchModalityDropout,
                                            BatchUnimodalSample)
from umbe.registry import MODELS
from umbe.structures import MODALITIES


def batch_present(n, seed):
    gen = torch.Generator().manual_seed(seed)
    return {m: torch.rand(n, generator=gen) < 0.6 for m in MODALITIES}


def stack(present):
    return torch.stack([present[m] for m in MODALITIES], 1)


def test_batch_dropout_masks():
    aug = MODELS.build(
        dict(type='BatchModalityDropout',
             drop_probs={m: 0.8 for m in MODALITIES}, seed=0))
    present = batch_present(5000, 1)
    out = aug(present, training=True)
    before, after = stack(present), stack(out)
    assert after.dtype == torch.bool and after.shape == before.shape
    assert not (after & ~before).any()
    assert torch.equal(after.any(1), before.any(1))
    assert aug(present, training=False) is present


def test_batch_unimodal_one_per_sample():
    aug = MODELS.build(dict(type='BatchUnimodalSample', seed=0))
    present = batch_present(5000, 2)
    after, before = stack(aug(present, training=True)), stack(present)
    assert torch.equal(after.sum(1), before.any(1).long())
    assert not (after & ~before).any()


def test_batch_and_transform_share_the_sampler():
    from umbe.datasets.transforms.modality_dropout import UnimodalSample
    aug, t = BatchUnimodalSample(seed=4), UnimodalSample(seed=4)
    full = {m: torch.ones(1, dtype=torch.bool) for m in MODALITIES}
    for _ in range(20):
        a = aug(full, training=True)
        b = t(dict(present={m: True for m in MODALITIES}))['present']
        assert {m: bool(v) for m, v in a.items()} == b


def test_missing_key_is_an_error():
    with pytest.raises(KeyError, match='caption'):
        BatchModalityDropout()({m: torch.ones(2, dtype=torch.bool)
                                for m in MODALITIES[:3]}, True)


@pytest.mark.parametrize('name', ['BatchModalityDropout', 'BatchUnimodalSample'])
def test_batch_masks_ignore_later_global_draws(name):
    """seed=None: seeded from the runner's seed when built, then private,
    so draws on the global generator (a dataloader iterator's base seed)
    do not change the masks."""
    present = batch_present(64, 3)

    def masks(extra_global_draws):
        torch.manual_seed(7)  # what the runner does before building
        aug = MODELS.build(dict(type=name))
        out = []
        for _ in range(3):
            if extra_global_draws:  # as a new DataLoader iterator does
                torch.empty((), dtype=torch.int64).random_()
            out.append(stack(aug(present, training=True)))
        return torch.stack(out)

    assert torch.equal(masks(False), masks(True))
    torch.manual_seed(8)  # another runner seed, other masks
    other = stack(MODELS.build(dict(type=name))(present, training=True))
    assert not torch.equal(other, masks(False)[0])


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _ddp_masks(rank, world, port, rows, out):
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world)
    try:
        aug = BatchModalityDropout(drop_probs={m: 0.5 for m in MODALITIES},
                                   seed=3)
        local = rows[rank::world]  # what DefaultSampler gives this rank
        present = {m: local[:, i] for i, m in enumerate(MODALITIES)}
        out[rank] = stack(aug(present, training=True))
    finally:
        dist.destroy_process_group()


def test_ddp_draws_the_masks_of_the_global_batch():
    """2 processes of batch 3 draw exactly the masks 1 process of batch 6
    draws for the same samples."""
    import torch.multiprocessing as mp
    rows = stack(batch_present(6, 5))
    single = BatchModalityDropout(drop_probs={m: 0.5 for m in MODALITIES},
                                  seed=3)
    expected = stack(single({m: rows[:, i] for i, m in
                             enumerate(MODALITIES)}, training=True))
    out = mp.Manager().dict()
    mp.spawn(_ddp_masks, args=(2, _free_port(), rows, out), nprocs=2,
             join=True)
    assert torch.equal(out[0], expected[0::2])
    assert torch.equal(out[1], expected[1::2])
