"""The real-dataset configs: the two-stage recipe on DFEW and MAFW."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TWO_STAGE = sorted(
    glob.glob(osp.join(REPO, 'configs', 'umbenet', 'umbenet_dfew*.py')) +
    glob.glob(osp.join(REPO, 'configs', 'umbenet', 'umbenet_mafw*.py')))


def test_every_fold_config_is_found():
    assert len(TWO_STAGE) == 12  # dfew, mafw + 5 fold configs each


@pytest.mark.parametrize('path', TWO_STAGE, ids=osp.basename)
def test_dfew_and_mafw_train_in_two_stages(path):
    cfg = Config.fromfile(path)
    hooks = {h['type']: h for h in cfg.custom_hooks}
    assert 'TwoStageHook' in hooks and 'PromptStatisticsHook' in hooks
    # the hook reads the recipe's stage length when the run starts
    assert hooks['TwoStageHook'].get('switch_at') is None
    assert 0 < cfg.stage1_epochs < cfg.train_cfg.max_epochs
    assert hooks['TwoStageHook']['by_epoch'] is True
    stage1 = [a['type'] for a in hooks['TwoStageHook']['stage1_augments']]
    assert stage1 == ['BatchUnimodalSample']
    # the paper's schedule, not the demo's
    schedulers = cfg.param_scheduler
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    assert [s['type'] for s in schedulers] == ['ReduceOnPlateauLR']
