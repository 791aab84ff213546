"""umbe.apis.pipeline: the test pipeline fed from memory, its settings."""
import os.path as osp

import pytest
from mmengine.config import Config

from umbe.apis import (InMemoryAudio, InMemoryFaceSceneFrames,
                       build_inference_pipeline, clip_seconds,
                       inference_settings)
from umbe.datasets import PipelineSettings
from umbe.datasets.transforms import LoadAudio

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(ROOT, 'configs', 'umbenet')


@pytest.fixture(scope='module')
def demo_cfg():
    return Config.fromfile(osp.join(CONFIGS, 'umbenet_demo.py'))


def test_loaders_become_in_memory_ones(demo_cfg):
    pipeline = build_inference_pipeline(demo_cfg)
    types = [type(t) for t in pipeline.transforms]
    assert types[:2] == [InMemoryFaceSceneFrames, InMemoryAudio]
    assert pipeline.transforms[0].clip_len == 8
    assert pipeline.transforms[1].duration == 2.0


def test_settings_are_the_configs(demo_cfg):
    settings = inference_settings(demo_cfg)
    assert (settings.clip_len, settings.face_size, settings.audio_rate,
            settings.audio_duration) == (8, 32, 8000, 2.0)
    assert clip_seconds(settings) == 2.0
    full = inference_settings(
        Config.fromfile(osp.join(CONFIGS, 'umbenet_dfew.py')))
    assert clip_seconds(full) == full.audio_duration == 5.0
    # no LoadAudio: the loader's own default, declared once there
    assert clip_seconds(PipelineSettings(clip_len=8)) == LoadAudio().duration


def test_configs_without_a_media_pipeline_are_refused(demo_cfg):
    audio_only = Config(
        dict(test_pipeline=[
            dict(type='LoadAudio'),
            dict(type='PackMultimodalInputs')
        ]))
    with pytest.raises(ValueError, match='no LoadFaceSceneFrames'):
        build_inference_pipeline(audio_only)
    empty = Config(dict(model=demo_cfg.model))
    with pytest.raises(ValueError, match='no test pipeline'):
        build_inference_pipeline(empty)
    with pytest.raises(ValueError, match='no test pipeline'):
        inference_settings(empty)
