"""FaceSceneLSTM: per-frame coupling of the face and scene embeddings."""
import torch
import torch.nn as nn

from umbe.registry import MODELS


@MODELS.register_module()
class FaceSceneLSTM(nn.Module):
    """Mix each frame's face and scene embeddings with an LSTM.

    Per frame the LSTM reads the face embedding, then the scene embedding;
    its output after the scene step is the frame token. For a sample whose
    scene is missing the output after the face step is used, so the token
    does not depend on the (absent) scene content.

    Args:
        in_dim (int): Width of the frame embeddings. Defaults to 768.
        embed_dim (int): Width of the frame tokens. Defaults to 768.
    """

    def __init__(self, in_dim: int = 768, embed_dim: int = 768) -> None:
        super().__init__()
        self.lstm = nn.LSTM(in_dim, embed_dim, batch_first=True)
        self.embed_dim = embed_dim

    def forward(self, face: torch.Tensor, scene: torch.Tensor,
                scene_present: torch.Tensor) -> torch.Tensor:
        """Couple face and scene per frame.

        Args:
            face (Tensor): ``(B, T, D)`` face frame embeddings.
            scene (Tensor): ``(B, T, D)`` scene frame embeddings.
            scene_present (Tensor): ``(B,)`` bool, False where the sample's
                scene is missing.

        Returns:
            Tensor: ``(B, T, D)`` frame tokens.
        """
        B, T, D = face.shape
        pairs = torch.stack([face, scene], dim=2).reshape(B * T, 2, D)
        out, _ = self.lstm(pairs)  # (B*T, 2, D)
        out = out.reshape(B, T, 2, -1)  # (B, T, 2, D)
        keep_scene = scene_present[:, None, None]  # (B, 1, 1)
        return torch.where(keep_scene, out[:, :, 1], out[:, :, 0])
