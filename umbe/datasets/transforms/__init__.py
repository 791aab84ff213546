from .audio_loading import LoadAudio
from .caption_tokenize import TokenizeCaption
from .face_scene_frames import LoadFaceSceneFrames
from .formatting import PackMultimodalInputs

__all__ = [
    'LoadFaceSceneFrames', 'LoadAudio', 'TokenizeCaption',
    'PackMultimodalInputs'
]
