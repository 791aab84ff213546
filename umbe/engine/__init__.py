from .hooks import FeatureCacheCheckHook, PromptStatisticsHook, TwoStageHook
from .modality_sampling import BatchModalityDropout, BatchUnimodalSample

__all__ = [
    'TwoStageHook', 'PromptStatisticsHook', 'FeatureCacheCheckHook',
    'BatchModalityDropout', 'BatchUnimodalSample'
]
