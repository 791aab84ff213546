"""Synthetic batches carry the pipeline's shapes; one clip of a batch."""
import dataclasses

import pytest
import torch

from umbe.analysis import first_clip, synthetic_batch, synthetic_clips
from umbe.datasets import pipeline_settings
from umbe.structures import MODALITIES
from umbe.utils import register_all_modules

PIPELINE = [
    dict(type='LoadFaceSceneFrames', clip_len=4, face_size=16,
         scene_size=24),
    dict(type='LoadAudio', sample_rate=8000, duration=0.5),
    dict(type='TokenizeCaption', context_length=20),
    dict(type='PackMultimodalInputs')
]


def test_shapes_labels_and_presence():
    register_all_modules()
    batch = synthetic_batch(dict(pipeline=PIPELINE), 3, 2)
    inputs = batch['inputs']
    assert [x.shape for x in inputs['face']] == [(4, 3, 16, 16)] * 3
    assert [x.shape for x in inputs['scene']] == [(4, 3, 24, 24)] * 3
    assert inputs['face'][0].dtype == torch.uint8
    assert [x.shape for x in inputs['audio']] == [(4000, )] * 3
    caption = inputs['caption'][0]
    assert caption.shape == (20, ) and caption[0] == 49406
    assert caption[12] == 49407 and not caption[13:].any()
    samples = batch['data_samples']
    assert [int(s.gt_label) for s in samples] == [0, 1, 0]
    assert all(s.frame_mask.all() and s.frame_mask.shape == (4, )
               for s in samples)
    assert all(s.present == {m: True for m in MODALITIES} for s in samples)
    # seeded: the same batch twice
    again = synthetic_batch(dict(pipeline=PIPELINE), 3, 2)
    assert torch.equal(again['inputs']['face'][2], inputs['face'][2])
    assert not torch.equal(inputs['face'][0], inputs['face'][1])


def test_settings_replaced_and_defaults():
    register_all_modules()
    settings = pipeline_settings(PIPELINE[:2])  # no caption tokenizer
    settings = dataclasses.replace(settings, clip_len=2, audio_samples=10)
    batch = synthetic_clips(settings, 1, 7)
    assert batch['inputs']['face'][0].shape == (2, 3, 16, 16)
    assert batch['inputs']['audio'][0].shape == (10, )
    assert batch['inputs']['caption'][0].shape == (77, )  # the default
    with pytest.raises(ValueError, match='LoadAudio'):
        synthetic_clips(pipeline_settings(PIPELINE[:1]), 1, 7)


def test_first_clip():
    register_all_modules()
    batch = synthetic_batch(dict(pipeline=PIPELINE), 3, 3)
    one = first_clip(batch, 2)
    assert len(one['data_samples']) == 1
    assert int(one['data_samples'][0].gt_label) == 2
    assert torch.equal(one['inputs']['audio'][0], batch['inputs']['audio'][2])
