"""TemporalTransformer: frame tokens to one clip token."""
import torch
import torch.nn as nn

from umbe.models.utils import SummaryTokenTransformer, check_frame_tokens
from umbe.registry import MODELS


@MODELS.register_module()
class TemporalTransformer(SummaryTokenTransformer):
    """open_clip ``Transformer`` over a class token and the frame tokens.

    Padding frames (clips shorter than T) are masked out of attention.

    Args:
        embed_dim (int): Width. Defaults to 768.
        num_layers (int): Layers. Defaults to 12.
        num_heads (int): Attention heads. Defaults to 8.
        max_frames (int): Number of positional embeddings (T at most).
            Defaults to 16.
    """

    def __init__(self,
                 embed_dim: int = 768,
                 num_layers: int = 12,
                 num_heads: int = 8,
                 max_frames: int = 16) -> None:
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(max_frames + 1, embed_dim))
        nn.init.normal_(self.cls_token, std=0.02)
        nn.init.normal_(self.pos_embed, std=0.02)
        self._build_transformer(embed_dim, num_layers, num_heads)
        self.max_frames = max_frames

    def forward(self, tokens: torch.Tensor,
                frame_mask: torch.Tensor) -> torch.Tensor:
        """Summarise a clip.

        Args:
            tokens (Tensor): ``(B, T, D)`` frame tokens.
            frame_mask (Tensor): ``(B, T)`` bool, True for real frames.

        Returns:
            Tensor: ``(B, D)`` clip tokens (the class token's output).
        """
        check_frame_tokens(tokens, self.max_frames)
        return self.summarise(self.cls_token, self.pos_embed, tokens,
                              frame_mask)
