"""What a data pipeline loads, read from its own transforms.

The clip length, frame sizes, audio rate and length and caption length are
declared once, as the arguments (and defaults) of the loading transforms;
tools and the inference API read them here from a pipeline config instead
of repeating the numbers.
"""
import copy
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

from umbe.registry import TRANSFORMS
from umbe.structures import MODALITY_GROUPS
from .transforms import LoadAudio, LoadFaceSceneFrames, TokenizeCaption

#: loading transform -> the modality group it loads
_LOADERS = ((LoadFaceSceneFrames, 'video'), (LoadAudio, 'audio'),
            (TokenizeCaption, 'caption'))


@dataclass(frozen=True)
class PipelineSettings:
    """The clip a pipeline produces (None: the pipeline does not load it).

    Attributes:
        clip_len (int): T frames per clip.
        face_size (int): Side of the face frames.
        scene_size (int): Side of the scene frames.
        audio_rate (int): Audio sample rate in Hz.
        audio_duration (float): Seconds of audio per clip.
        audio_samples (int): S = rate x duration.
        caption_length (int): Lc caption tokens.
        groups (tuple[str]): The modality groups loaded, in
            ``MODALITY_GROUPS`` order.
    """
    clip_len: Optional[int] = None
    face_size: Optional[int] = None
    scene_size: Optional[int] = None
    audio_rate: Optional[int] = None
    audio_duration: Optional[float] = None
    audio_samples: Optional[int] = None
    caption_length: Optional[int] = None
    groups: Tuple[str, ...] = ()


def _built(step: Union[dict, object]):
    """The loader a step builds, or None for any other step."""
    if not isinstance(step, dict):
        return step if isinstance(step, tuple(c for c, _ in _LOADERS)) \
            else None
    cls = TRANSFORMS.get(step.get('type'))
    if not (isinstance(cls, type) and issubclass(
            cls, tuple(c for c, _ in _LOADERS))):
        return None
    return TRANSFORMS.build(copy.deepcopy(dict(step)))


def pipeline_settings(pipeline: Sequence[Union[dict, object]]
                      ) -> PipelineSettings:
    """Read the clip settings of a pipeline.

    Args:
        pipeline (Sequence[dict | transform]): Transform configs or built
            transforms (subclasses of the loaders count).

    Returns:
        PipelineSettings: What the loaders are set to.
    """
    values, groups = {}, set()
    for step in pipeline:
        loader = _built(step)
        if isinstance(loader, LoadFaceSceneFrames):
            values.update(clip_len=loader.clip_len,
                          face_size=loader.face_size,
                          scene_size=loader.scene_size)
            groups.add('video')
        elif isinstance(loader, LoadAudio):
            values.update(audio_rate=loader.sample_rate,
                          audio_duration=float(loader.duration),
                          audio_samples=loader.num_samples)
            groups.add('audio')
        elif isinstance(loader, TokenizeCaption):
            values.update(caption_length=loader.context_length)
            groups.add('caption')
    return PipelineSettings(
        groups=tuple(g for g in MODALITY_GROUPS if g in groups), **values)
