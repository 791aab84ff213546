from .hooks import (EpochTimerHook, FeatureCacheCheckHook,
                    PromptStatisticsHook, TwoStageHook)
from .optimizers import CPUAmpOptimWrapper

__all__ = [
    'TwoStageHook', 'PromptStatisticsHook', 'FeatureCacheCheckHook',
    'CPUAmpOptimWrapper', 'EpochTimerHook'
]
