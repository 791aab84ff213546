"""MeanPoolTemporalTransformer: the public code's temporal transformer."""
import torch
import torch.nn as nn

from umbe.models.utils import MaskedMeanTransformer, check_frame_tokens
from umbe.registry import MODELS


@MODELS.register_module()
class MeanPoolTemporalTransformer(MaskedMeanTransformer):
    """Frame tokens to one clip token without a class token.

    The public code's readout (``model_unimod_mafw_vat.py``): learned frame
    positions are added, padding frames are masked out of attention, and
    the clip token is the mean over the valid frames of ``output + input``
    (the input before the positions). Blocks use QuickGELU there. Positions
    start as ``nn.Embedding`` does (normal, std 1).

    Args:
        embed_dim (int): Width. Defaults to 768.
        num_layers (int): Layers. Defaults to 12.
        num_heads (int): Attention heads. Defaults to 8.
        max_frames (int): Number of positional embeddings (T at most).
            Defaults to 16.
        quick_gelu (bool): QuickGELU instead of GELU in the blocks.
            Defaults to True.
    """

    def __init__(self,
                 embed_dim: int = 768,
                 num_layers: int = 12,
                 num_heads: int = 8,
                 max_frames: int = 16,
                 quick_gelu: bool = True) -> None:
        super().__init__()
        self.pos_embed = nn.Parameter(torch.randn(max_frames, embed_dim))
        self._build_transformer(embed_dim, num_layers, num_heads, quick_gelu)
        self.max_frames = max_frames

    def forward(self, tokens: torch.Tensor,
                frame_mask: torch.Tensor) -> torch.Tensor:
        """Summarise a clip.

        Args:
            tokens (Tensor): ``(B, T, D)`` frame tokens.
            frame_mask (Tensor): ``(B, T)`` bool, True for real frames.

        Returns:
            Tensor: ``(B, D)`` the masked mean of ``output + tokens``.
        """
        check_frame_tokens(tokens, self.max_frames)
        return self.pool(tokens, self.pos_embed, frame_mask, residual=True)
