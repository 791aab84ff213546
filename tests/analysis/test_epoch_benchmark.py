"""Epoch benchmark logic: twin configs, run preparation, the summary.

The two demo runs themselves are tests/tools/test_benchmark_epochs.py."""
import os.path as osp
import statistics

import pytest
from mmengine.config import Config

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis.epoch_benchmark import (EpochRun, check_cache,
                                           check_twins,
                                           epoch_benchmark_table,
                                           prepare_run, summarize_epochs)
from umbe.engine import EpochTimerHook
from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'umbenet')


def load(name):
    return Config.fromfile(osp.join(CONFIGS, f'umbenet_{name}.py'))


def test_twins_must_build_the_same_model():
    check_twins(load('demo_frozen'), load('demo_cached'))
    with pytest.raises(ValueError, match='model.vision_encoder differ'):
        check_twins(load('demo'), load('demo_cached'))
    with pytest.raises(ValueError, match='give the uncached config first'):
        check_twins(load('demo_cached'), load('demo_frozen'))
    with pytest.raises(ValueError, match='no CachedFeatureDataset'):
        check_twins(load('demo_frozen'), load('demo'))


def test_prepare_run_points_at_the_run(tmp_path):
    cfg = prepare_run(load('demo_cached'), 'cached', str(tmp_path), 4,
                      data_root='/data/x', cache_root='/cache')
    assert cfg.train_cfg.max_epochs == 4 and cfg.train_cfg.val_interval == 1
    assert cfg.work_dir == osp.join(str(tmp_path), 'cached')
    for split in ('train', 'val', 'test'):
        ds = cfg[f'{split}_dataloader'].dataset
        assert ds.source.data_root == '/data/x'
        assert ds.cache_dir == osp.join('/cache', split)
    plain = prepare_run(load('demo_frozen'), 'uncached', 'w', 1)
    assert plain.val_dataloader.dataset.data_root == 'data/demo'


def test_a_missing_cache_stops_before_training(tmp_path):
    register_all_modules()
    cfg = prepare_run(load('demo_cached'), 'cached', str(tmp_path), 1,
                      cache_root=str(tmp_path / 'none'))
    with pytest.raises(FileNotFoundError, match='tools/cache_features.py'):
        check_cache(cfg)


def fake_run(train_s, val_s, uar):
    timer = EpochTimerHook()
    timer.train_s, timer.val_s = list(train_s), list(val_s)
    timer.metrics = [dict(UAR=u, WAR=u + 1) for u in uar]
    return EpochRun(timer, sum(train_s) + sum(val_s), 2, [0.5, 0.5, 0.5])


def test_summary_and_table():
    runs = dict(uncached=fake_run([9, 6, 8], [1, 1, 2], [10, 20, 30]),
                cached=fake_run([3, 1, 2], [1, 1, 1], [10, 25, 30]))
    r = summarize_epochs(runs, 'u.py', 'c.py', 3, cache_build_s=4.321)
    assert r['uncached_train_epoch_s'] == [9, 6, 8]
    assert r['cached_val_WAR'] == [11, 26, 31]
    assert r['cache_build_s'] == 4.32
    assert r['load_average'] == dict(uncached=[0.5] * 3, cached=[0.5] * 3)
    # epochs 2+: medians 7 / 1.5; with validation 8.5 / 2.5
    assert r['train_epoch_speedup'] == round(7 / 1.5, 2)
    assert r['epoch_with_val_speedup'] == round(
        statistics.median([7, 10]) / statistics.median([2, 3]), 2)
    assert r['max_abs_diff_UAR'] == 5 and r['final_abs_diff_UAR'] == 0
    text = epoch_benchmark_table(r)
    assert 'c.py' in text and '10.00 / 10.00' in text
    assert 'largest over the epochs: 5 / 5' in text
    assert 'cache build (train + val, once): 4.32 s' in text
    one = summarize_epochs(
        dict(uncached=fake_run([4], [1], [1]), cached=fake_run([2], [1], [1])),
        'u.py', 'c.py', 1)
    assert one['train_epoch_speedup'] == 2.0 and one['cache_build_s'] is None
    assert '(epochs 2+' not in epoch_benchmark_table(one)
