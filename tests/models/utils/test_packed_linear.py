"""umbe.models.utils.packed_linear: oneDNN-prepacked Linear layers."""
import pytest
import torch
import torch.nn as nn

from umbe.models.utils import (PackedLinear, onednn_linear_available,
                               pack_linear_layers)

pytestmark = pytest.mark.skipif(
    not onednn_linear_available(), reason='no oneDNN in this PyTorch')


@pytest.mark.parametrize('bias', [True, False])
def test_packed_linear_computes_the_linear(bias):
    torch.manual_seed(0)
    linear = nn.Linear(64, 48, bias=bias)
    packed = PackedLinear(linear)
    x = torch.randn(5, 7, 64)
    with torch.no_grad():
        for inputs in (x, x[0], x.transpose(0, 1)):  # 3-D, 2-D, strided
            out = packed(inputs)
            assert out.shape == inputs.shape[:-1] + (48, )
            torch.testing.assert_close(
                out, linear(inputs), atol=1e-5, rtol=0)
    assert not list(packed.parameters())  # frozen: nothing to train


def test_packed_linear_state_dict_is_the_linears():
    torch.manual_seed(0)
    linear = nn.Linear(16, 8)
    packed = PackedLinear(linear)
    state = packed.state_dict()
    assert list(state) == ['weight', 'bias']
    assert torch.equal(state['weight'], linear.weight)
    assert torch.equal(state['bias'], linear.bias)
    # loading other weights repacks them
    other = nn.Linear(16, 8)
    packed.load_state_dict(other.state_dict())
    x = torch.randn(3, 16)
    with torch.no_grad():
        torch.testing.assert_close(packed(x), other(x), atol=1e-5, rtol=0)
        assert (packed(x) - linear(x)).abs().max() > 1e-2
    with pytest.raises(RuntimeError, match='size mismatch'):
        packed.load_state_dict(nn.Linear(16, 9).state_dict())
    with pytest.raises(RuntimeError, match='Missing key'):
        packed.load_state_dict({'bias': other.bias})


def test_packed_linear_refuses_training_and_other_dtypes():
    packed = PackedLinear(nn.Linear(4, 2))
    with pytest.raises(RuntimeError, match='for inference'):
        packed(torch.randn(3, 4, requires_grad=True))
    with pytest.raises(TypeError, match='float32'):
        packed(torch.randn(3, 4, dtype=torch.float64))
    with pytest.raises(ValueError, match='float32'):
        PackedLinear(nn.Linear(4, 2).double())
    with pytest.raises(ValueError, match='stays float32'):
        packed.double()


def test_packed_linear_copies_and_moves_within_the_cpu():
    import copy
    torch.manual_seed(0)
    packed = PackedLinear(nn.Linear(8, 3))
    x = torch.randn(2, 8)
    twin = copy.deepcopy(packed).to('cpu').float()
    with torch.no_grad():
        assert torch.equal(twin(x), packed(x))
    twin.load_state_dict(nn.Linear(8, 3).state_dict())  # its own weights
    with torch.no_grad():
        assert not torch.equal(twin(x), packed(x))


def test_pack_linear_layers_replaces_plain_linears_only():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(8, 8), nn.GELU(),
        nn.Sequential(nn.Linear(8, 4), nn.Linear(4, 4).double()),
        nn.MultiheadAttention(8, 2))  # its out_proj is a Linear subclass
    x = torch.randn(2, 8)
    with torch.no_grad():
        ref = model[2][0](model[1](model[0](x)))
        assert pack_linear_layers(model) == 2
        assert type(model[0]) is PackedLinear
        assert type(model[2][0]) is PackedLinear
        assert type(model[2][1]) is nn.Linear  # float64: left alone
        assert type(model[3].out_proj) is not PackedLinear
        torch.testing.assert_close(
            model[2][0](model[1](model[0](x))), ref, atol=1e-5, rtol=0)
