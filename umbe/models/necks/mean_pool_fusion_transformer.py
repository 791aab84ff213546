"""MeanPoolFusionTransformer: the public code's modality fusion."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from umbe.models.utils import MaskedMeanTransformer, check_modality_tokens
from umbe.registry import MODELS


@MODELS.register_module()
class MeanPoolFusionTransformer(MaskedMeanTransformer):
    """Fuse M modality tokens by the masked mean of a transformer's output.

    The public code's fusion: a learned position per modality token, missing
    modalities masked out of attention and of the mean, the mean
    L2-normalised; QuickGELU blocks; positions start as ``nn.Embedding``
    does (normal, std 1). Attention and the mean do not depend on the order
    of the tokens, so only the position rows tie a token to a modality:
    row m belongs to ``MODALITIES[m]`` (the checkpoint converter reorders
    the public code's [face, scene, caption, audio] rows).

    Args:
        embed_dim (int): Width. Defaults to 768.
        num_layers (int): Layers. Defaults to 12.
        num_heads (int): Attention heads. Defaults to 8.
        num_modalities (int): M. Defaults to 4.
        quick_gelu (bool): QuickGELU instead of GELU in the blocks.
            Defaults to True.
    """

    def __init__(self,
                 embed_dim: int = 768,
                 num_layers: int = 12,
                 num_heads: int = 8,
                 num_modalities: int = 4,
                 quick_gelu: bool = True) -> None:
        super().__init__()
        self.pos_embed = nn.Parameter(torch.randn(num_modalities, embed_dim))
        self._build_transformer(embed_dim, num_layers, num_heads, quick_gelu)
        self.num_modalities = num_modalities

    def forward(self, tokens: torch.Tensor,
                present: torch.Tensor) -> torch.Tensor:
        """Fuse modalities.

        Args:
            tokens (Tensor): ``(B, M, D)`` one token per modality.
            present (Tensor): ``(B, M)`` bool, False for missing modalities.

        Returns:
            Tensor: ``(B, D)`` L2-normalised fused embeddings.
        """
        check_modality_tokens(tokens, self.num_modalities)
        fused = self.pool(tokens, self.pos_embed, present, residual=False)
        return F.normalize(fused, dim=-1)
