from .feature_cache import CachedFeatureDataset
from .multimodal_emotion_dataset import (BadRecordError,
                                         MultimodalEmotionDataset)
from .pipeline_settings import PipelineSettings, pipeline_settings
from .transforms import *  # noqa: F401,F403
from .utils import BadClipError

__all__ = [
    'MultimodalEmotionDataset', 'CachedFeatureDataset', 'BadRecordError',
    'BadClipError', 'PipelineSettings', 'pipeline_settings'
]
