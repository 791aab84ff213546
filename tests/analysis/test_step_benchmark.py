"""benchmark_steps on the small demo: consistent numbers, its table."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import (benchmark_steps, count_parameters, first_clip,
                           flops_per_clip, set_random_towers,
                           step_benchmark_table)
from umbe.registry import DATASETS, MODELS
from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CACHED = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py')


def demo_cfg(root):
    register_all_modules()
    cfg = Config.fromfile(CACHED)
    cfg.train_dataloader.dataset.source.data_root = root
    set_random_towers(cfg)
    return cfg


def test_numbers_are_consistent(tiny_demo_root, tmp_path):
    cfg = demo_cfg(tiny_demo_root)
    r = benchmark_steps(cfg, 'demo_cached.py', batch_size=2, steps=1,
                        warmup=0, num_workers=0)
    for name in ('uncached', 'cached'):
        phases = sum(r[f'train_{name}_{p}_s']
                     for p in ('preprocess', 'forward', 'backward',
                               'optimizer'))
        assert phases == pytest.approx(r[f'train_{name}_total_s'], rel=0.01,
                                       abs=1e-3)
    assert r['train_speedup_cached'] == pytest.approx(
        r['train_uncached_total_s'] / r['train_cached_total_s'], rel=0.02)
    assert r['loader_clips_per_s'] > 0 and r['inference_clips_per_s'] > 0
    assert r['loader_workers'] == 0
    assert r['loader_over_uncached_step'] == pytest.approx(
        r['loader_clips_per_s'] * r['train_uncached_total_s'] / 2, rel=0.02)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    params = count_parameters(model)
    assert r['params_frozen_m'] == pytest.approx(params.frozen / 1e6,
                                                 abs=1e-3)
    assert r['params_trainable_m'] == pytest.approx(params.trainable / 1e6,
                                                    abs=1e-3)
    # the FLOPs of the loaded clip's shapes, counted the one way
    clip = pseudo_collate([DATASETS.build(
        cfg.train_dataloader.dataset.source)[0]])
    flops = flops_per_clip(model, first_clip(clip))
    assert r['gflops_per_clip_frozen'] == round(flops['frozen'] / 1e9, 3)
    assert r['gflops_per_clip'] == pytest.approx(
        r['gflops_per_clip_frozen'] + r['gflops_per_clip_trainable'],
        abs=2e-3)
    assert r['peak_memory_train_uncached']['cpu_rss_gib'] > 0
    assert r['frozen_params_with_grad'] == 0  # no backward through towers
    text = step_benchmark_table(r)
    assert 'demo_cached.py cpu batch 2, median of 1' in text
    assert 'train total s/step' in text and 'cached is' in text
    assert 'video loader clips/s over' in text
    assert 'cached loader clips/s' not in text  # not asked for


def test_cached_needs_a_built_cache(tiny_demo_root, tmp_path):
    cfg = demo_cfg(tiny_demo_root)
    cfg.train_dataloader.dataset.cache_dir = str(tmp_path / 'no_cache')
    messages = []
    with pytest.raises(ValueError, match='whose train cache is built'):
        benchmark_steps(cfg, batch_size=1, steps=1, warmup=0, cached=True,
                        num_workers=0, log=messages.append)
    assert 'not available' in messages[0]  # the cache, not the videos
