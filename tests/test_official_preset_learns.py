"""The official preset's model learns: the public code's arithmetic at demo
size (configs/umbenet/official/umbenet_demo_official.py) on the demo data.

A short run, 5 epochs (~130 steps of batch 8, about a minute on 2 cores),
every modality present, the demo's modality dropout: chance is 1/7 = 14%;
the run must reach 35% test WAR (it reached 47%).
"""
import copy
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import Runner
from test_demo_learns import count, demo_root  # noqa: F401  (a fixture)

from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'official',
                  'umbenet_demo_official.py')
STEPS = 130
BATCH = 8


def test_official_preset_learns_on_the_demo(demo_root, tmp_path):  # noqa
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    assert cfg.model.head.type == 'StatefulDualStreamHead'
    epochs = -(-STEPS * BATCH // count(demo_root, 'train'))  # ceil
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs + 1  # no validation
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.param_scheduler = None  # constant lr
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = 50
    for key in ('train_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = demo_root
        cfg[key].batch_size = BATCH
    cfg.work_dir = str(tmp_path)
    cfg.randomness = dict(seed=0)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runner = Runner.from_cfg(copy.deepcopy(cfg))
        runner.train()
        metrics = runner.test()
    finally:
        torch.set_num_threads(threads)
    assert metrics['WAR'] >= 35, metrics
