from .audio_loading import LoadAudio
from .caption_replace import ReplaceInCaption
from .caption_tokenize import TokenizeCaption
from .face_scene_frames import LoadFaceSceneFrames
from .formatting import PackMultimodalInputs
from .modality_dropout import ModalityDropout, UnimodalSample
from .trimmed_audio_loading import LoadTrimmedAudio, trim_silence

__all__ = [
    'LoadFaceSceneFrames', 'LoadAudio', 'TokenizeCaption',
    'PackMultimodalInputs', 'ModalityDropout', 'UnimodalSample',
    'LoadTrimmedAudio', 'ReplaceInCaption', 'trim_silence'
]
