from .hooks import FeatureCacheCheckHook, PromptStatisticsHook, TwoStageHook
from .modality_sampling import BatchModalityDropout, BatchUnimodalSample
from .optimizers import CPUAmpOptimWrapper

__all__ = [
    'TwoStageHook', 'PromptStatisticsHook', 'FeatureCacheCheckHook',
    'BatchModalityDropout', 'BatchUnimodalSample', 'CPUAmpOptimWrapper'
]
