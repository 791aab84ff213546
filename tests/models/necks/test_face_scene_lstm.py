import pytest
import torch

from umbe.models import FaceSceneLSTM, ResidualFaceSceneLSTM


def test_missing_scene_content_is_ignored():
    torch.manual_seed(0)
    lstm = FaceSceneLSTM(in_dim=8, embed_dim=6)
    face, scene = torch.randn(2, 3, 8), torch.randn(2, 3, 8)
    present = torch.tensor([True, False])
    mask = torch.tensor([[True, True, True], [True, True, False]])
    out = lstm(face, scene, present, mask)['frames']
    assert out.shape == (2, 3, 6)
    other = lstm(face, scene + 5 * torch.randn_like(scene), present,
                 mask)['frames']
    assert torch.equal(out[1], other[1])  # scene missing: unchanged
    assert not torch.allclose(out[0], other[0])  # scene present: used
    out.sum().backward()
    assert lstm.lstm.weight_ih_l0.grad.abs().sum() > 0


def test_scene_token_is_the_masked_mean_of_the_scene():
    lstm = FaceSceneLSTM(in_dim=2, embed_dim=3)
    scene = torch.tensor([[[1., 2.], [3., 4.], [100., 100.]]])
    out = lstm(torch.zeros(1, 3, 2), scene, torch.tensor([True]),
               torch.tensor([[True, True, False]]))
    assert torch.equal(out['scene'], torch.tensor([[2., 3.]]))


def test_residual_lstm_adds_its_input_to_both_steps():
    torch.manual_seed(0)
    lstm = ResidualFaceSceneLSTM(in_dim=4, embed_dim=4)
    face, scene = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    mask = torch.tensor([[True] * 3, [True, False, False]])
    out = lstm(face, scene, torch.tensor([True, False]), mask)
    # the public arithmetic by hand: an LSTM over the sequence [face, scene]
    # of each frame (sequence first), output + input
    for b in range(2):
        for t in range(3):
            seq = torch.stack([face[b, t], scene[b, t]])[:, None]  # (2,1,D)
            steps, _ = lstm.lstm(seq.transpose(0, 1))
            steps = steps.transpose(0, 1)[:, 0] + seq[:, 0]  # (2, D)
            assert torch.allclose(out['frames'][b, t], steps[0], atol=1e-6)
    # scene token: plain mean over all T frames (padding included)
    steps, _ = lstm.lstm(torch.stack([face, scene], 2).reshape(6, 2, 4))
    scene_steps = steps[:, 1].reshape(2, 3, 4) + scene
    assert torch.allclose(out['scene'], scene_steps.mean(1), atol=1e-6)
    # the face step never sees the scene
    other = lstm(face, scene + 3, torch.tensor([True, True]), mask)
    assert torch.equal(other['frames'], out['frames'])


def test_residual_lstm_needs_equal_widths():
    with pytest.raises(ValueError, match='embed_dim'):
        ResidualFaceSceneLSTM(in_dim=4, embed_dim=6)
