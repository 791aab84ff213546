"""Attention masks: key padding, and a prefix shared by packed suffixes."""
import pytest
import torch

from umbe.models.utils import shared_prefix_mask, shared_prefix_positions


def test_shared_prefix_mask_and_positions():
    mask = shared_prefix_mask(2, 3, 2, torch.float32)  # N = 2 + 3*2
    allowed = (mask == 0).int()
    assert allowed.tolist() == [
        [1, 0, 0, 0, 0, 0, 0, 0],  # prefix: causal
        [1, 1, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 0, 0, 0, 0, 0],  # suffix 0: prefix + itself, causal
        [1, 1, 1, 1, 0, 0, 0, 0],
        [1, 1, 0, 0, 1, 0, 0, 0],  # suffix 1 never sees suffix 0
        [1, 1, 0, 0, 1, 1, 0, 0],
        [1, 1, 0, 0, 0, 0, 1, 0],
        [1, 1, 0, 0, 0, 0, 1, 1],
    ]
    assert torch.isinf(mask[allowed == 0]).all()
    assert shared_prefix_positions(2, 3, 2).tolist() == [0, 1, 2, 3, 2, 3,
                                                         2, 3]
    # one suffix: the plain causal mask
    one = shared_prefix_mask(3, 1, 4, torch.float32)
    assert torch.equal(one == 0, torch.ones(7, 7).tril().bool())
    with pytest.raises(ValueError, match='needs a token'):
        shared_prefix_mask(0, 2, 2, torch.float32)
