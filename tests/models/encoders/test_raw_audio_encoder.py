import torch

from umbe.models import RawAudioEncoder


def test_shape_grad_and_seed_determinism():
    torch.manual_seed(0)
    enc = RawAudioEncoder(embed_dim=16, channels=(4, 8, 8),
                          kernel_sizes=(9, 5, 5), strides=(4, 4, 2))
    torch.manual_seed(0)
    again = RawAudioEncoder(embed_dim=16, channels=(4, 8, 8),
                            kernel_sizes=(9, 5, 5), strides=(4, 4, 2))
    audio = torch.randn(3, 800)
    out = enc(audio)
    assert out.shape == (3, 16)
    assert torch.equal(out, again(audio))
    out.pow(2).sum().backward()
    assert enc.convs[0].weight.grad.abs().sum() > 0


def test_default_is_six_conv_layers_to_768():
    enc = RawAudioEncoder()
    convs = [m for m in enc.modules() if isinstance(m, torch.nn.Conv1d)]
    assert len(convs) == 6 and enc.proj.out_features == 768
    enc.eval()
    assert enc(torch.randn(1, 22050)).shape == (1, 768)
