import torch

from umbe.models import FaceSceneLSTM


def test_missing_scene_content_is_ignored():
    torch.manual_seed(0)
    lstm = FaceSceneLSTM(in_dim=8, embed_dim=6)
    face, scene = torch.randn(2, 3, 8), torch.randn(2, 3, 8)
    present = torch.tensor([True, False])
    out = lstm(face, scene, present)
    assert out.shape == (2, 3, 6)
    other = lstm(face, scene + 5 * torch.randn_like(scene), present)
    assert torch.equal(out[1], other[1])  # scene missing: unchanged
    assert not torch.allclose(out[0], other[0])  # scene present: used
    out.sum().backward()
    assert lstm.lstm.weight_ih_l0.grad.abs().sum() > 0
