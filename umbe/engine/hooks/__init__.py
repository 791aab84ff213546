from .epoch_timer_hook import EpochTimerHook
from .feature_cache_check_hook import FeatureCacheCheckHook
from .prompt_statistics_hook import PromptStatisticsHook
from .two_stage_hook import TwoStageHook

__all__ = [
    'TwoStageHook', 'PromptStatisticsHook', 'FeatureCacheCheckHook',
    'EpochTimerHook'
]
