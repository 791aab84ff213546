"""CPUAmpOptimWrapper: bfloat16 autocast on CPU, unscaled steps; float32
where bfloat16 would be emulated."""
import pytest
import torch
from torch import nn

from umbe.engine.optimizers import cpu_amp_optim_wrapper
from umbe.registry import OPTIM_WRAPPERS


def _wrapper(model, **kwargs):
    return OPTIM_WRAPPERS.build(
        dict(type='CPUAmpOptimWrapper',
             optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
             **kwargs))


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='autocasts on the CUDA device there')
def test_bfloat16_autocast_and_step(monkeypatch):
    monkeypatch.setattr(cpu_amp_optim_wrapper, 'cpu_native_bf16',
                        lambda: True)
    model = nn.Linear(4, 2)
    wrapper = _wrapper(model)
    assert wrapper.autocast_enabled
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert not torch.equal(before, model.weight)
    state = wrapper.state_dict()
    wrapper.load_state_dict(state)


def test_float32_where_bfloat16_is_emulated(monkeypatch):
    monkeypatch.setattr(cpu_amp_optim_wrapper, 'cpu_native_bf16',
                        lambda: False)
    model = nn.Linear(4, 2)
    with pytest.warns(UserWarning, match='no native bfloat16.*float32'):
        wrapper = _wrapper(model)
    assert not wrapper.autocast_enabled
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
    assert out.dtype == torch.float32
    wrapper.update_params(out.pow(2).mean())


def test_rejects_float16():
    model = nn.Linear(2, 2)
    with pytest.raises(ValueError, match='bfloat16'):
        _wrapper(model, dtype='float16')
