from .checkpoint_check import (CheckpointMismatchError, check_checkpoint,
                               load_checked_checkpoint)
from .hooks import (AtomicCheckpointHook, CheckpointCheckHook, EpochTimerHook,
                    FeatureCacheCheckHook, PromptStatisticsHook,
                    RandomStateHook, TwoStageHook)
from .optimizers import CPUAmpOptimWrapper
from .resume import find_resume_checkpoint, is_complete_checkpoint

__all__ = [
    'TwoStageHook', 'PromptStatisticsHook', 'FeatureCacheCheckHook',
    'AtomicCheckpointHook', 'CheckpointCheckHook', 'RandomStateHook',
    'EpochTimerHook', 'CPUAmpOptimWrapper', 'CheckpointMismatchError',
    'check_checkpoint', 'load_checked_checkpoint', 'find_resume_checkpoint',
    'is_complete_checkpoint'
]
