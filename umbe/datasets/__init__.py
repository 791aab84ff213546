from .cached_feature_dataset import CachedFeatureDataset
from .multimodal_emotion_dataset import (BadRecordError,
                                         MultimodalEmotionDataset)
from .transforms import *  # noqa: F401,F403
from .utils import BadClipError

__all__ = [
    'MultimodalEmotionDataset', 'CachedFeatureDataset', 'BadRecordError',
    'BadClipError'
]
