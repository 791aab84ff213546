"""EpochTimerHook: seconds per train epoch and validation, val metrics."""
import copy
import time

from mmengine.hooks import Hook
from mmengine.testing import RunnerTestCase

import umbe  # noqa: F401
from umbe.engine import EpochTimerHook
from umbe.registry import HOOKS


class _SlowEpochs(Hook):
    """Sleeps in every train epoch (before the timer stops)."""

    def after_train_epoch(self, runner):
        time.sleep(0.05)


class TestEpochTimerHook(RunnerTestCase):

    def test_times_every_epoch_and_keeps_the_metrics(self):
        hook = HOOKS.build(dict(type='EpochTimerHook'))
        assert hook.priority == 'LOWEST'
        cfg = copy.deepcopy(self.epoch_based_cfg)
        cfg.train_cfg.max_epochs = 3
        runner = self.build_runner(cfg)
        runner.register_hook(hook, priority=hook.priority)
        runner.register_hook(_SlowEpochs(), priority='NORMAL')
        runner.train()
        assert len(hook.train_s) == len(hook.val_s) == 3
        # it runs last: the other hooks' work is inside the epoch
        assert all(t >= 0.05 for t in hook.train_s)
        assert all(t > 0 for t in hook.val_s)
        assert hook.metrics == [dict(acc=1.0)] * 3  # ToyMetric's
        assert isinstance(runner.hooks[-1], EpochTimerHook)
