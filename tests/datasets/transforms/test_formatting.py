import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample

import umbe  # noqa: F401
from umbe.datasets.transforms import PackMultimodalInputs
from umbe.structures import MODALITIES


def _results(**over):
    results = dict(
        face=np.ones((4, 3, 8, 8), np.uint8),
        scene=np.zeros((4, 3, 6, 6), np.uint8),
        audio=np.linspace(-1, 1, 100, dtype=np.float32),
        caption_tokens=np.arange(10, dtype=np.int64),
        frame_mask=np.array([True, True, True, False]),
        present=dict(face=True, scene=False, audio=True, caption=True),
        label=3,
        filename='videos/1.mp4',
        clip_id='1')
    results.update(over)
    return results


def test_pack_shapes_dtypes_and_fields():
    packed = PackMultimodalInputs()(_results())
    inputs, sample = packed['inputs'], packed['data_samples']
    assert set(inputs) == set(MODALITIES)
    assert inputs['face'].shape == (4, 3, 8, 8)
    assert inputs['face'].dtype == torch.uint8
    assert inputs['scene'].shape == (4, 3, 6, 6)
    assert inputs['audio'].dtype == torch.float32
    assert inputs['audio'].shape == (100, )
    assert inputs['caption'].dtype == torch.int64
    assert isinstance(sample, ActionDataSample)
    assert sample.gt_label.tolist() == [3]
    assert sample.frame_mask.dtype == torch.bool
    assert sample.frame_mask.tolist() == [True, True, True, False]
    assert sample.present == dict(face=True, scene=False, audio=True,
                                  caption=True)
    assert sample.metainfo == dict(filename='videos/1.mp4', clip_id='1')


def test_pack_missing_loader_is_named():
    results = _results()
    del results['caption_tokens']
    with pytest.raises(KeyError, match='TokenizeCaption'):
        PackMultimodalInputs()(results)


def test_pack_absent_flag_defaults_false():
    packed = PackMultimodalInputs()(_results(present=dict(face=True)))
    assert packed['data_samples'].present == dict(
        face=True, scene=False, audio=False, caption=False)
