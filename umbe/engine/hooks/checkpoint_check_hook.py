"""Refuses to test or resume from a checkpoint that does not fit the model."""
from mmengine.hooks import Hook

from umbe.engine.checkpoint_check import check_checkpoint
from umbe.registry import HOOKS


@HOOKS.register_module()
class CheckpointCheckHook(Hook):
    """Check every checkpoint the runner loads before its weights are used.

    mmengine loads ``load_from`` / ``--resume`` checkpoints with
    ``strict=False`` and only logs missing keys, so a checkpoint of another
    model or another class order would be scored or trained on. This hook
    runs :func:`umbe.engine.checkpoint_check.check_checkpoint` in
    ``after_load_checkpoint`` (called before the weights are copied into
    the model) and raises ``CheckpointMismatchError``, naming both files and
    the difference.
    """

    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Check the loaded checkpoint against the runner's model."""
        cfg = getattr(runner, 'cfg', None)
        config = getattr(cfg, 'filename', None) or 'the config'
        path = getattr(runner, '_load_from', None) or 'the checkpoint'
        check_checkpoint(runner.model, checkpoint, str(path), config)
