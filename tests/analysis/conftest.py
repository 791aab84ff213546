import os.path as osp

import pytest
import torch
from mmengine.config import Config

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import source_dataset_cfg, synthetic_batch
from umbe.registry import MODELS
from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def demo_cached():
    """``(cfg, model, batch)``: the cached demo config, its model (seed 0)
    and a synthetic batch of two clips with its pipeline's shapes."""
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    batch = synthetic_batch(source_dataset_cfg(cfg), 2,
                            len(cfg.model.classes))
    return cfg, model, batch
