"""FeatureCacheCheckHook (in default_runtime) stops a run whose cache was
built by other towers."""
import copy
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner, set_random_seed

import umbe  # noqa: F401  (before mmaction.models)
from umbe.datasets.feature_cache import StaleCacheError, cache_split
from umbe.registry import MODELS
from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py')


def test_runner_hook_refuses_other_towers(tiny_demo_root, tmp_path):
    register_all_modules()  # the default scope (another test may clear it)
    cfg = Config.fromfile(CONFIG)
    ds_cfg = cfg.test_dataloader.dataset
    ds_cfg.source.data_root = tiny_demo_root
    ds_cfg.cache_dir = str(tmp_path / 'cache')
    set_random_seed(0)
    cache_split(MODELS.build(cfg.model).eval(), ds_cfg.source,
                ds_cfg.cache_dir, num_workers=0, log=lambda *a: None)
    assert 'feature_cache_check' in cfg.default_hooks
    cfg.work_dir = str(tmp_path / 'work')
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.randomness = dict(seed=0)  # the towers the cache was built with
    metrics = Runner.from_cfg(copy.deepcopy(cfg)).test()
    assert 0 <= metrics['WAR'] <= 100
    cfg.randomness = dict(seed=1)  # the runner builds other random towers
    runner = Runner.from_cfg(cfg)
    with pytest.raises(StaleCacheError, match='towers\' weights'):
        runner.test()
