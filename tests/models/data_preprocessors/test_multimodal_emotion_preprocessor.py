import pytest
import torch
from tiny_clip import synthetic_batch

from umbe.models import MultimodalEmotionPreprocessor
from umbe.registry import MODELS


@MODELS.register_module(force=True)
class DropAudioForTest:
    """A trivial modality augment: marks audio missing."""

    def __call__(self, present, training):
        present = dict(present)
        present['audio'] = torch.zeros_like(present['audio'])
        return present


def test_stacks_normalises_and_reads_presence():
    pre = MultimodalEmotionPreprocessor()
    batch = synthetic_batch(B=3, T=4, present=[[1, 1, 1, 1], [1, 0, 1, 0],
                                               [1, 1, 0, 1]],
                            frame_lens=[4, 2, 3])
    out = pre(batch, training=False)
    inp = out['inputs']
    assert inp['face'].shape == (3, 4, 3, 16, 16)
    assert inp['face'].dtype == torch.float32
    raw = batch['inputs']['face'][1][0].float()
    ref = (raw[0] - 0.48145466 * 255) / (0.26862954 * 255)
    assert torch.allclose(inp['face'][1, 0, 0], ref, atol=1e-4)
    assert inp['audio'].shape == (3, 400) and inp['caption'].shape == (3, 77)
    assert inp['frame_mask'].tolist() == [[True] * 4, [True, True, False,
                                                       False],
                                          [True, True, True, False]]
    assert inp['present']['scene'].tolist() == [True, False, True]
    assert inp['present']['audio'].tolist() == [True, True, False]


def test_keep_modalities_always_augments_only_in_training():
    batch = synthetic_batch(B=2)
    pre = MultimodalEmotionPreprocessor(keep_modalities=('video', 'caption'))
    for training in (False, True):
        p = pre(batch, training=training)['inputs']['present']
        assert p['face'].all() and p['scene'].all() and p['caption'].all()
        assert not p['audio'].any()
    pre = MultimodalEmotionPreprocessor(
        modality_augments=[dict(type='DropAudioForTest')])
    assert pre(batch, training=False)['inputs']['present']['audio'].all()
    assert not pre(batch, training=True)['inputs']['present']['audio'].any()
    with pytest.raises(ValueError, match='unknown names'):
        MultimodalEmotionPreprocessor(keep_modalities=('vidoe', ))
