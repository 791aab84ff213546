from .caption_encoder import CaptionEncoder
from .clip_text_encoder import CLIPTextEncoder
from .clip_vision_encoder import CLIPVisionEncoder
from .flatten_audio_encoder import FlattenAudioEncoder
from .raw_audio_encoder import RawAudioEncoder

__all__ = [
    'CLIPVisionEncoder', 'CLIPTextEncoder', 'RawAudioEncoder',
    'CaptionEncoder', 'FlattenAudioEncoder'
]
