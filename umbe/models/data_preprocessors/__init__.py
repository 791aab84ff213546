from .multimodal_emotion_preprocessor import MultimodalEmotionPreprocessor

__all__ = ['MultimodalEmotionPreprocessor']
