"""The inference pipeline: a config's own test pipeline, fed from memory.

Everything the inference API knows about a clip (frames per clip, seconds of
sound) is read here from the config's test pipeline through
:func:`umbe.datasets.pipeline_settings`, never re-declared.
"""
from typing import List

from mmcv.transforms import Compose
from mmengine.config import Config

from umbe.datasets import PipelineSettings, pipeline_settings
from umbe.datasets.transforms import LoadAudio
from umbe.registry import TRANSFORMS
from .in_memory_transforms import IN_MEMORY_LOADERS


def _test_pipeline_cfg(cfg: Config) -> List[dict]:
    """The config's test pipeline steps (copies), the dataset's first."""
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    pipeline = dataset.get('pipeline') or cfg.get('test_pipeline')
    if not pipeline:
        raise ValueError(
            'the config has no test pipeline (test_dataloader.dataset.'
            'pipeline or test_pipeline); use a config such as '
            'configs/umbenet/umbenet_demo.py')
    return [dict(step) for step in pipeline]


def build_inference_pipeline(cfg: Config) -> Compose:
    """The config's test pipeline with in-memory capable loaders.

    ``LoadFaceSceneFrames`` and ``LoadAudio`` become their
    :mod:`.in_memory_transforms` subclasses with the same arguments; every
    other step is built from the registry unchanged.

    Args:
        cfg (Config): The model's config.

    Returns:
        Compose: The pipeline (record -> ``inputs``, ``data_samples``).
    """
    steps = _test_pipeline_cfg(cfg)
    types = [step.get('type') for step in steps]
    if 'LoadFaceSceneFrames' not in types:
        raise ValueError(
            f'the config\'s test pipeline {types} has no LoadFaceSceneFrames:'
            ' inference decodes videos, so use the config that loads media '
            '(not a cached-feature config)')
    transforms = []
    for step in steps:
        cls = IN_MEMORY_LOADERS.get(step['type'])
        if cls is not None:
            args = {k: v for k, v in step.items() if k != 'type'}
            transforms.append(cls(**args))
        else:
            transforms.append(TRANSFORMS.build(step))
    return Compose(transforms)


def inference_settings(cfg: Config) -> PipelineSettings:
    """What the config's test pipeline loads per clip.

    Args:
        cfg (Config): The model's config.

    Returns:
        PipelineSettings: ``clip_len`` (T), frame sizes, audio rate and
        duration, caption length (None for what it does not load).
    """
    return pipeline_settings(_test_pipeline_cfg(cfg))


def clip_seconds(settings: PipelineSettings) -> float:
    """Seconds of one clip: the pipeline's ``LoadAudio`` duration.

    This is the default inference window. A pipeline that loads no sound
    has no clip length in seconds; ``LoadAudio``'s own default is used.

    Args:
        settings (PipelineSettings): From :func:`inference_settings` or
            :func:`umbe.datasets.pipeline_settings`.

    Returns:
        float: Seconds.
    """
    if settings.audio_duration is None:
        return float(LoadAudio().duration)
    return settings.audio_duration
