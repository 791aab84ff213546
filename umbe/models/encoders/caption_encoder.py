"""CaptionEncoder: a (frozen) CLIP text tower plus a trainable projection."""
import torch
import torch.nn as nn

from umbe.registry import MODELS


@MODELS.register_module()
class CaptionEncoder(nn.Module):
    """Encode caption tokens with a CLIP text tower and project them.

    ``encode_tokens`` is the tower's part (frozen by default, cacheable);
    ``project`` the trainable part.

    Args:
        text_encoder (dict): Config of the text tower. Defaults to a frozen
            ``CLIPTextEncoder`` with ``ViT-B-32-quickgelu``.
        embed_dim (int): Output width. Defaults to 768.
    """

    def __init__(self,
                 text_encoder: dict = dict(
                     type='CLIPTextEncoder',
                     model_name='ViT-B-32-quickgelu'),
                 embed_dim: int = 768) -> None:
        super().__init__()
        self.text_encoder = MODELS.build(text_encoder)
        self.proj = nn.Linear(self.text_encoder.embed_dim, embed_dim)
        self.embed_dim = embed_dim

    def encode_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """Run the text tower.

        Args:
            tokens (Tensor): ``(B, Lc)`` long caption token ids.

        Returns:
            Tensor: ``(B, E)`` text embeddings, E = the tower's embed dim.
        """
        return self.text_encoder(tokens)

    def project(self, feats: torch.Tensor) -> torch.Tensor:
        """Project tower embeddings.

        Args:
            feats (Tensor): ``(B, E)`` text embeddings.

        Returns:
            Tensor: ``(B, D)`` caption embeddings.
        """
        return self.proj(feats)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Encode and project captions.

        Args:
            tokens (Tensor): ``(B, Lc)`` long caption token ids.

        Returns:
            Tensor: ``(B, D)`` caption embeddings.
        """
        return self.project(self.encode_tokens(tokens))
