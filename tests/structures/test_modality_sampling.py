import pytest
import torch

from umbe.structures import (ModalityDropoutSampler, UnimodalSampler,
                             drop_prob_vector, weight_vector)


@pytest.mark.parametrize('cls', [ModalityDropoutSampler, UnimodalSampler])
def test_state_round_trip_repeats_the_draws(cls):
    """The generator state restores the masks a sampler would draw next
    (what an exact resume needs)."""
    present = torch.ones(64, 4, dtype=torch.bool)
    sampler = cls(seed=3)
    sampler.sample(present)
    state = sampler.state_dict()
    expected = [sampler.sample(present) for _ in range(3)]
    other = cls(seed=99)
    other.load_state_dict(state)
    assert all(torch.equal(other.sample(present), e) for e in expected)


def test_checked_arguments():
    with pytest.raises(ValueError, match='smell'):
        drop_prob_vector(dict(smell=0.1))
    with pytest.raises(ValueError, match='1.5'):
        drop_prob_vector(dict(audio=1.5))
    with pytest.raises(ValueError, match='positive'):
        weight_vector(dict(audio=0))
    with pytest.raises(TypeError, match='seed'):
        UnimodalSampler(seed='1')
    assert UnimodalSampler().state_dict() == dict(generator=None)
