from .hooks import PromptStatisticsHook, TwoStageHook
from .modality_sampling import BatchModalityDropout, BatchUnimodalSample

__all__ = [
    'TwoStageHook', 'PromptStatisticsHook', 'BatchModalityDropout',
    'BatchUnimodalSample'
]
