"""cache_split on the demo: cached and uncached logits agree, a stale
cache is refused, an interrupted run resumes, check_model compares towers."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.runner import set_random_seed

import umbe  # noqa: F401  (before mmaction.models)
from umbe.datasets.feature_cache import (StaleCacheError, cache_split,
                                         check_model, read_manifest)
from umbe.registry import DATASETS, MODELS
from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py')


def load_cfg(root, cache_root):
    register_all_modules()  # the default scope (another test may clear it)
    cfg = Config.fromfile(CONFIG)
    for split in ('train', 'val', 'test'):
        ds = cfg[f'{split}_dataloader'].dataset
        ds.source.data_root = root
        ds.cache_dir = osp.join(cache_root, split)
    return cfg


def build_model(cfg):
    set_random_seed(0)
    model = MODELS.build(cfg.model)
    return model.eval()


def test_cached_and_uncached_logits_match(tiny_demo_root, tmp_path):
    cfg = load_cfg(tiny_demo_root, str(tmp_path))
    model = build_model(cfg)
    source = cfg.val_dataloader.dataset.source
    cache_dir = cfg.val_dataloader.dataset.cache_dir
    written = cache_split(model, source, cache_dir, batch_size=3,
                          num_workers=0, log=lambda *a: None)
    assert written == 7
    manifest = read_manifest(cache_dir)
    assert set(manifest['components']) == {
        'towers', 'preprocessor', 'pipeline', 'annotations'
    }
    assert manifest['shapes']['clip_len'] == 8

    cached = DATASETS.build(cfg.val_dataloader.dataset)
    uncached = DATASETS.build(source)
    assert len(cached) == len(uncached) == 7
    pre = model.data_preprocessor
    batch_c = pre(pseudo_collate([cached[i] for i in range(7)]))
    batch_u = pre(pseudo_collate([uncached[i] for i in range(7)]))
    feats = batch_c['inputs']['frozen_features']
    assert feats['face'].shape == (7, 8, 64)
    assert feats['caption'].shape == (7, 64)
    assert 'face' not in batch_c['inputs']  # no pixels: towers skipped
    for m, flags in batch_u['inputs']['present'].items():
        assert torch.equal(flags, batch_c['inputs']['present'][m])
    assert torch.equal(batch_u['inputs']['frame_mask'],
                       batch_c['inputs']['frame_mask'])
    with torch.no_grad():
        logits_c = model(batch_c['inputs'], batch_c['data_samples'])
        logits_u = model(batch_u['inputs'], batch_u['data_samples'])
    assert logits_c.shape == (7, 7)
    assert (logits_c - logits_u).abs().max().item() <= 1e-4
    # the towers never ran on the cached batch: wrong towers, same logits
    with torch.no_grad():
        for p in model.vision_encoder.parameters():
            p.add_(1.0)
        assert torch.allclose(
            model(batch_c['inputs'], batch_c['data_samples']), logits_c)

    # a cached training step runs and updates the trainable part
    model.train()
    optim = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1)
    before = model.temporal.state_dict()
    before = {k: v.clone() for k, v in before.items()}
    losses = model.train_step(
        pseudo_collate([cached[i] for i in range(7)]), OptimWrapper(optim))
    assert torch.isfinite(losses['loss_cls'])
    assert any(not torch.equal(before[k], v)
               for k, v in model.temporal.state_dict().items())


def test_stale_cache_is_refused(tiny_demo_root, tmp_path):
    cfg = load_cfg(tiny_demo_root, str(tmp_path))
    model = build_model(cfg)
    ds_cfg = cfg.test_dataloader.dataset
    cache_split(model, ds_cfg.source, ds_cfg.cache_dir, num_workers=0,
                log=lambda *a: None)
    first = np.load(osp.join(ds_cfg.cache_dir, 'face.npy')).copy()

    # other sampling: the dataset refuses the cache
    other = copy.deepcopy(ds_cfg)
    other.source.pipeline[0].clip_len = 4
    with pytest.raises(StaleCacheError) as err:
        DATASETS.build(other)
    msg = str(err.value)
    assert ds_cfg.cache_dir in msg and 'frame sampling' in msg
    assert 'tools/cache_features.py' in msg and '--overwrite' in msg

    # other tower weights: caching refuses to mix, --overwrite rebuilds
    with torch.no_grad():
        next(model.vision_encoder.parameters()).mul_(2)
    with pytest.raises(StaleCacheError, match='weights'):
        cache_split(model, ds_cfg.source, ds_cfg.cache_dir, num_workers=0,
                    log=lambda *a: None)
    assert cache_split(model, ds_cfg.source, ds_cfg.cache_dir,
                       num_workers=0, overwrite=True,
                       log=lambda *a: None) == 7
    assert not np.allclose(np.load(osp.join(ds_cfg.cache_dir, 'face.npy')),
                           first)
    assert len(DATASETS.build(ds_cfg)) == 7

    # trainable towers cannot be cached
    cfg.model.vision_encoder.frozen = False
    with pytest.raises(ValueError, match='frozen=True'):
        cache_split(build_model(cfg), ds_cfg.source, ds_cfg.cache_dir,
                    num_workers=0, log=lambda *a: None)


def test_interrupted_run_resumes(tiny_demo_root, tmp_path):
    cfg = load_cfg(tiny_demo_root, str(tmp_path))
    model = build_model(cfg)
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.num_views = 2
    quiet = dict(num_workers=0, log=lambda *a: None)
    # 7 clips x 2 views in batches of 4: stop after 2 batches
    assert cache_split(model, ds_cfg.source, ds_cfg.cache_dir, num_views=2,
                       batch_size=4, stop_after=2, **quiet) == 8
    done = np.load(osp.join(ds_cfg.cache_dir, 'done.npy'))
    assert done.sum() == 8 and done.shape == (7, 2)
    with pytest.raises(StaleCacheError, match='unfinished'):
        DATASETS.build(ds_cfg)
    # the second run writes only the 6 missing views
    assert cache_split(model, ds_cfg.source, ds_cfg.cache_dir, num_views=2,
                       batch_size=4, **quiet) == 6
    # and the result equals an uninterrupted build (up to float rounding
    # of other batch compositions)
    full = str(tmp_path / 'full')
    cache_split(model, ds_cfg.source, full, num_views=2, **quiet)
    for name in ('face', 'scene', 'caption', 'audio', 'present'):
        np.testing.assert_allclose(
            np.load(osp.join(ds_cfg.cache_dir, f'{name}.npy')),
            np.load(osp.join(full, f'{name}.npy')), atol=1e-5)
    dataset = DATASETS.build(ds_cfg)
    assert dataset.num_views == 2
    views = {dataset[0]['data_samples'].view for _ in range(20)}
    assert views == {0, 1}  # training samples among the K views
    # a config asking for another K refuses the cache
    with pytest.raises(StaleCacheError, match='--views 3'):
        DATASETS.build(dict(ds_cfg, num_views=3))


def test_check_model_refuses_other_towers(tiny_demo_root, tmp_path):
    cfg = load_cfg(tiny_demo_root, str(tmp_path))
    model = build_model(cfg)
    ds_cfg = cfg.val_dataloader.dataset
    cache_split(model, ds_cfg.source, ds_cfg.cache_dir, num_workers=0,
                log=lambda *a: None)
    dataset = DATASETS.build(ds_cfg)
    check_model(model, dataset)  # the same towers: fine
    set_random_seed(1)
    other = MODELS.build(cfg.model)  # other random towers
    with pytest.raises(StaleCacheError, match='towers\' weights'):
        check_model(other, dataset)
