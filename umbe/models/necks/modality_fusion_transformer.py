"""ModalityFusionTransformer: one fused embedding from the modality tokens."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from umbe.models.utils import SummaryTokenTransformer, check_modality_tokens
from umbe.registry import MODELS


@MODELS.register_module()
class ModalityFusionTransformer(SummaryTokenTransformer):
    """Fuse M modality tokens through a fusion token.

    A learnable fusion token and a learnable type embedding per modality are
    added; missing modalities are masked out of attention (the fusion token
    is always attendable), so their content never reaches the output.

    Args:
        embed_dim (int): Width. Defaults to 768.
        num_layers (int): Layers. Defaults to 12.
        num_heads (int): Attention heads. Defaults to 8.
        num_modalities (int): M. Defaults to 4.
    """

    def __init__(self,
                 embed_dim: int = 768,
                 num_layers: int = 12,
                 num_heads: int = 8,
                 num_modalities: int = 4) -> None:
        super().__init__()
        self.fusion_token = nn.Parameter(torch.zeros(embed_dim))
        self.type_embed = nn.Parameter(
            torch.zeros(num_modalities + 1, embed_dim))
        nn.init.normal_(self.fusion_token, std=0.02)
        nn.init.normal_(self.type_embed, std=0.02)
        self._build_transformer(embed_dim, num_layers, num_heads)
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
        fused = self.summarise(self.fusion_token, self.type_embed, tokens,
                               present)  # (B, D)
        return F.normalize(fused, dim=-1)
