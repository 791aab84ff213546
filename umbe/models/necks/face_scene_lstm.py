"""FaceSceneLSTM: per-frame coupling of the face and scene embeddings."""
from typing import Dict

import torch
import torch.nn as nn

from umbe.registry import MODELS


@MODELS.register_module()
class FaceSceneLSTM(nn.Module):
    """Mix each frame's face and scene embeddings with an LSTM.

    Per frame the LSTM reads the face embedding, then the scene embedding;
    its output after the scene step is the frame token. For a sample whose
    scene is missing the output after the face step is used, so the token
    does not depend on the (absent) scene content. The scene token is the
    mean of the scene embeddings over the real frames.

    Args:
        in_dim (int): Width of the frame embeddings. Defaults to 768.
        embed_dim (int): Width of the frame tokens. Defaults to 768.
    """

    def __init__(self, in_dim: int = 768, embed_dim: int = 768) -> None:
        super().__init__()
        self.lstm = nn.LSTM(in_dim, embed_dim, batch_first=True)
        self.embed_dim = embed_dim

    def _steps(self, face: torch.Tensor,
               scene: torch.Tensor) -> torch.Tensor:
        """LSTM outputs over each frame's (face, scene) pair.

        Args:
            face (Tensor): ``(B, T, Dv)``.
            scene (Tensor): ``(B, T, Dv)``.

        Returns:
            Tensor: ``(B, T, 2, D)``, step 0 after the face, step 1 after
            the scene.
        """
        B, T, Dv = face.shape
        pairs = torch.stack([face, scene], dim=2).reshape(B * T, 2, Dv)
        out, _ = self.lstm(pairs)  # (B*T, 2, D)
        return out.reshape(B, T, 2, -1)  # (B, T, 2, D)

    def forward(self, face: torch.Tensor, scene: torch.Tensor,
                scene_present: torch.Tensor,
                frame_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Couple face and scene per frame.

        Args:
            face (Tensor): ``(B, T, Dv)`` face frame embeddings.
            scene (Tensor): ``(B, T, Dv)`` scene frame embeddings.
            scene_present (Tensor): ``(B,)`` bool, False where the sample's
                scene is missing.
            frame_mask (Tensor): ``(B, T)`` bool, True for real frames.

        Returns:
            dict: ``frames`` ``(B, T, D)`` frame tokens and ``scene``
            ``(B, Dv)`` the scene token (before the recognizer's
            projection).
        """
        out = self._steps(face, scene)  # (B, T, 2, D)
        keep_scene = scene_present[:, None, None]  # (B, 1, 1)
        frames = torch.where(keep_scene, out[:, :, 1], out[:, :, 0])
        weights = frame_mask.to(scene.dtype)[..., None]  # (B, T, 1)
        scene_token = (scene * weights).sum(1) / weights.sum(1).clamp(min=1)
        return dict(frames=frames, scene=scene_token)  # (B, Dv)


@MODELS.register_module()
class ResidualFaceSceneLSTM(FaceSceneLSTM):
    """The public code's face–scene LSTM: both steps with a residual.

    Per frame the LSTM runs over [face, scene] and its input is added to its
    output (``output + input``): the frame token is ``face + step 0`` (which
    never depends on the scene, so a missing scene changes nothing) and the
    scene token is the plain mean over all T frames, padding frames
    included, of ``scene + step 1``. Needs ``in_dim == embed_dim``.

    Args: as :class:`FaceSceneLSTM`.
    """

    def __init__(self, in_dim: int = 768, embed_dim: int = 768) -> None:
        if in_dim != embed_dim:
            raise ValueError(
                f'ResidualFaceSceneLSTM adds its input to its output: the '
                f'frame embeddings ({in_dim}) must have embed_dim '
                f'({embed_dim}) dims')
        super().__init__(in_dim, embed_dim)

    def forward(self, face: torch.Tensor, scene: torch.Tensor,
                scene_present: torch.Tensor,
                frame_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Couple face and scene per frame.

        Args: as :meth:`FaceSceneLSTM.forward` (``scene_present`` and
            ``frame_mask`` are not used).

        Returns:
            dict: ``frames`` ``(B, T, D)`` = face + step 0, ``scene``
            ``(B, D)`` = time mean of (scene + step 1).
        """
        out = self._steps(face, scene)  # (B, T, 2, D)
        frames = face + out[:, :, 0]  # (B, T, D)
        scene_token = (scene + out[:, :, 1]).mean(dim=1)  # (B, D)
        return dict(frames=frames, scene=scene_token)
