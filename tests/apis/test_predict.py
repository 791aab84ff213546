"""umbe.apis.predict: batches, modalities and prompt pools shared by a
batch."""
import copy

import numpy as np
import pytest

from umbe.apis import AudioSegment, FrameSequence, make_record, predict_records
from umbe.apis.predict import selects_per_batch
from umbe.models.prompts import BatchQueryPromptPool, PromptPool
from umbe.models.utils import find_module
from umbe.testing import face_frames, tone


@pytest.fixture(scope='module')
def records():
    out = []
    for seed, freq in ((0, 300.), (1, 500.), (2, 900.)):
        frames = list(face_frames(1.0, 10, seed=seed))
        out.append(
            make_record(
                FrameSequence.from_arrays(frames, 'faces'),
                FrameSequence.from_arrays(frames, 'scenes'),
                AudioSegment(tone(1.0, freq=freq), 16000), 'A person.'))
    return out


def _batch_sizes(model):
    """Record the batch size of every forward pass of ``model``."""
    sizes, forward = [], model.forward_features

    def counted(feats, inputs):
        sizes.append(inputs['face'].shape[0])
        return forward(feats, inputs)

    model.forward_features = counted
    return sizes


def test_batches_and_modalities(demo_model, records):
    model = copy.deepcopy(demo_model)
    sizes = _batch_sizes(model)
    timings = {}
    together = predict_records(
        model, records, batch_size=2, return_features=True, timings=timings)
    assert sizes == [2, 1]
    assert set(timings) == {'pipeline', 'model'}
    alone = [predict_records(model, [r])[0] for r in records]
    for a, b in zip(together, alone):
        # float32 kernels (SDPA attention) round differently per batch shape
        np.testing.assert_allclose(a['probs'], b['probs'], atol=1e-5)
        assert a['modalities'] == ['face', 'scene', 'audio', 'caption']
        assert a['pred_class'] == list(model.classes)[a['pred_label']]
        assert a['fused'].shape == (64, ) and len(a['prompt_ids']) == 2
    (video_only, ) = predict_records(model, records[:1], modalities=['video'])
    assert video_only['modalities'] == ['face', 'scene']
    assert 'fused' not in video_only


def test_a_pool_shared_by_the_batch_predicts_clip_by_clip(demo_model, records):
    assert not selects_per_batch(demo_model)
    model = copy.deepcopy(demo_model)
    find_module(model, PromptPool).__class__ = BatchQueryPromptPool
    assert selects_per_batch(model)
    sizes = _batch_sizes(model)
    predict_records(model, records, batch_size=8)
    assert sizes == [1, 1, 1]  # each clip its own query
