"""ModalityFusionTransformer: one fused embedding from the modality tokens."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from open_clip.transformer import Transformer

from umbe.models.utils import key_padding_to_attn_mask
from umbe.registry import MODELS


@MODELS.register_module()
class ModalityFusionTransformer(nn.Module):
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
        self.transformer = Transformer(embed_dim, num_layers, num_heads)
        self.ln = nn.LayerNorm(embed_dim)
        self.num_heads = num_heads
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
        B, M, D = tokens.shape
        if M != self.num_modalities:
            raise ValueError(f'got {M} modality tokens, num_modalities is '
                             f'{self.num_modalities}')
        fus = self.fusion_token.expand(B, 1, D)
        x = torch.cat([fus, tokens], dim=1) + self.type_embed  # (B, M+1, D)
        valid = torch.cat([present.new_ones(B, 1), present], dim=1)
        attn_mask = key_padding_to_attn_mask(valid, self.num_heads, x.dtype)
        x = self.transformer(x, attn_mask=attn_mask)  # (B, M+1, D)
        return F.normalize(self.ln(x[:, 0]), dim=-1)
