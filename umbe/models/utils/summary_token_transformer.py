"""The summary-token transformer shared by umbe's temporal and fusion necks.
"""
import torch
import torch.nn as nn
from open_clip.transformer import Transformer

from .attention_masks import key_padding_to_attn_mask


class SummaryTokenTransformer(nn.Module):
    """open_clip ``Transformer`` that reads N tokens into one learnable
    summary token.

    Subclasses create their summary token ``(D,)`` and embeddings ``(>= N+1,
    D)`` (their own names, initialised in their order), then call
    :meth:`_build_transformer`; :meth:`summarise` prepends the token, adds
    the embeddings, masks invalid keys out of attention and returns the
    layer-normalised output of the summary token.
    """

    def _build_transformer(self, embed_dim: int, num_layers: int,
                           num_heads: int) -> None:
        self.transformer = Transformer(embed_dim, num_layers, num_heads)
        self.ln = nn.LayerNorm(embed_dim)
        self.num_heads = num_heads

    def summarise(self, token: torch.Tensor, embed: torch.Tensor,
                  tokens: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
        """Run the transformer over ``[token, tokens]``.

        Args:
            token (Tensor): ``(D,)`` the summary token.
            embed (Tensor): ``(>= N+1, D)`` embeddings, the first N+1 added.
            tokens (Tensor): ``(B, N, D)``.
            valid (Tensor): ``(B, N)`` bool, False for keys to mask out
                (the summary token is always attendable).

        Returns:
            Tensor: ``(B, D)`` the summary token's output, layer-normalised.
        """
        B, N, D = tokens.shape
        x = torch.cat([token.expand(B, 1, D), tokens], dim=1) + embed[:N + 1]
        valid = torch.cat([valid.new_ones(B, 1), valid], dim=1)
        attn_mask = key_padding_to_attn_mask(valid, self.num_heads, x.dtype)
        x = self.transformer(x, attn_mask=attn_mask)  # (B, N+1, D)
        return self.ln(x[:, 0])
