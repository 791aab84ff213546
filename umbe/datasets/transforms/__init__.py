from .audio_loading import LoadAudio
from .caption_tokenize import TokenizeCaption
from .face_scene_frames import LoadFaceSceneFrames
from .formatting import PackMultimodalInputs
from .modality_dropout import ModalityDropout, UnimodalSample

__all__ = [
    'LoadFaceSceneFrames', 'LoadAudio', 'TokenizeCaption',
    'PackMultimodalInputs', 'ModalityDropout', 'UnimodalSample'
]
