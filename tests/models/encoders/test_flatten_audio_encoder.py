import pytest
import torch
import torch.nn.functional as F

from umbe.models import FlattenAudioEncoder


def test_default_sizes_are_the_public_ones():
    enc = FlattenAudioEncoder()
    convs = [m for m in enc.convs if isinstance(m, torch.nn.Conv1d)]
    assert [c.out_channels for c in convs] == [16, 32, 64, 128, 256, 512]
    assert all(c.kernel_size == (15, ) and c.stride == (5, )
               and c.padding == (1, ) and c.bias is not None for c in convs)
    shapes = [tuple(fc.weight.shape) for fc in enc.fc]
    assert shapes == [(1536, 2560), (768, 1536)]
    assert sum(p.numel() for p in enc.parameters()) > 7e6


def test_arithmetic_by_hand():
    torch.manual_seed(0)
    enc = FlattenAudioEncoder(embed_dim=6, num_samples=200, channels=(3, 4),
                              kernel_size=5, stride=3, padding=1,
                              hidden_dims=(7, ))
    audio = torch.randn(2, 200)
    x = audio[:, None]
    for conv in (enc.convs[0], enc.convs[2]):
        x = F.relu(F.conv1d(x, conv.weight, conv.bias, stride=3, padding=1))
    x = x.flatten(1)  # 4 channels x 22 samples
    assert x.shape == (2, 88)
    x = enc.fc[1](enc.fc[0](x))  # no activation between the Linears
    expected = F.layer_norm(x, (6, ), enc.ln.weight, enc.ln.bias)
    assert torch.allclose(enc(audio), expected, atol=1e-6)
    with pytest.raises(ValueError, match='num_samples'):
        enc(torch.randn(2, 199))
    with pytest.raises(ValueError, match='too few'):
        FlattenAudioEncoder(num_samples=100)
