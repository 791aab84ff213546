from .cached_feature_preprocessor import CachedFeaturePreprocessor
from .multimodal_emotion_preprocessor import MultimodalEmotionPreprocessor

__all__ = ['MultimodalEmotionPreprocessor', 'CachedFeaturePreprocessor']
