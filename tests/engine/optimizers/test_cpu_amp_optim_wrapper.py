"""CPUAmpOptimWrapper: bfloat16 autocast on CPU, unscaled steps."""
import pytest
import torch
from torch import nn

from umbe.registry import OPTIM_WRAPPERS


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='autocasts on the CUDA device there')
def test_bfloat16_autocast_and_step():
    model = nn.Linear(4, 2)
    wrapper = OPTIM_WRAPPERS.build(
        dict(type='CPUAmpOptimWrapper',
             optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert not torch.equal(before, model.weight)
    state = wrapper.state_dict()
    wrapper.load_state_dict(state)


def test_rejects_float16():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match='bfloat16'):
        OPTIM_WRAPPERS.build(
            dict(type='CPUAmpOptimWrapper', dtype='float16',
                 optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
