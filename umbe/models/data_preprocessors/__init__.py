from .cached_feature_preprocessor import CachedFeaturePreprocessor
from .modality_augments import BatchModalityDropout, BatchUnimodalSample
from .multimodal_emotion_preprocessor import MultimodalEmotionPreprocessor

__all__ = [
    'MultimodalEmotionPreprocessor', 'CachedFeaturePreprocessor',
    'BatchModalityDropout', 'BatchUnimodalSample'
]
