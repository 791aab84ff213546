from .atomic_checkpoint_hook import AtomicCheckpointHook
from .checkpoint_check_hook import CheckpointCheckHook
from .epoch_timer_hook import EpochTimerHook
from .feature_cache_check_hook import FeatureCacheCheckHook
from .prompt_statistics_hook import PromptStatisticsHook
from .random_state_hook import RandomStateHook
from .two_stage_hook import TwoStageHook

__all__ = [
    'TwoStageHook', 'PromptStatisticsHook', 'FeatureCacheCheckHook',
    'AtomicCheckpointHook', 'CheckpointCheckHook', 'RandomStateHook',
    'EpochTimerHook'
]
