"""Wall time of every train and validation epoch, and the val metrics."""
import time
from typing import Dict, List, Optional

from mmengine.hooks import Hook

from umbe.registry import HOOKS


@HOOKS.register_module()
class EpochTimerHook(Hook):
    """Record the seconds of each train and val epoch, and the val metrics.

    Runs after every other hook of a stage (``priority`` LOWEST), so a train
    epoch includes the checkpoint saved after it. The records are logged
    (``epoch time ...``) and kept on the hook (``train_s``, ``val_s``,
    ``metrics``), which is how ``umbe.analysis.epoch_benchmark`` reads them;
    they describe one ``runner.train()`` and are not saved in checkpoints
    (a resumed run times its own epochs).
    """

    priority = 'LOWEST'

    def __init__(self) -> None:
        self.train_s: List[float] = []
        self.val_s: List[float] = []
        self.metrics: List[Dict[str, float]] = []
        self._start: Optional[float] = None

    def before_train_epoch(self, runner) -> None:
        """Start the train epoch's clock."""
        self._start = time.perf_counter()

    def after_train_epoch(self, runner) -> None:
        """Record the train epoch's seconds."""
        self.train_s.append(time.perf_counter() - self._start)
        runner.logger.info(f'epoch time: train {self.train_s[-1]:.3f} s')

    def before_val_epoch(self, runner) -> None:
        """Start the validation's clock."""
        self._start = time.perf_counter()

    def after_val_epoch(self, runner,
                        metrics: Optional[Dict[str, float]] = None) -> None:
        """Record the validation's seconds and metrics."""
        self.val_s.append(time.perf_counter() - self._start)
        self.metrics.append(dict(metrics or {}))
        runner.logger.info(f'epoch time: val {self.val_s[-1]:.3f} s')
