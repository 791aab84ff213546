"""The mean-pooling transformer of the public code's temporal and fusion
necks (no summary token)."""
import torch
import torch.nn as nn
from open_clip.transformer import QuickGELU, Transformer

from .attention_masks import key_padding_to_attn_mask


def masked_mean(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Mean of ``x`` over the valid positions of dim 1.

    Args:
        x (Tensor): ``(B, N, D)``.
        valid (Tensor): ``(B, N)`` bool.

    Returns:
        Tensor: ``(B, D)``; a row without a valid position gives zeros (its
        denominator counts as 1, as in the public code).
    """
    weights = valid.to(x.dtype)[..., None]  # (B, N, 1)
    count = weights.sum(1)  # (B, 1)
    count = torch.where(count == 0, torch.ones_like(count), count)
    return (x * weights).sum(1) / count


class MaskedMeanTransformer(nn.Module):
    """open_clip ``Transformer`` over N tokens plus learned positions, read
    out as the masked mean of its output (optionally plus its input).

    Subclasses create their position table ``(>= N, D)`` and call
    :meth:`_build_transformer`; :meth:`pool` adds the positions, masks
    invalid keys out of attention and averages over the valid tokens.
    """

    def _build_transformer(self, embed_dim: int, num_layers: int,
                           num_heads: int, quick_gelu: bool) -> None:
        self.transformer = Transformer(
            embed_dim, num_layers, num_heads,
            act_layer=QuickGELU if quick_gelu else nn.GELU)
        self.num_heads = num_heads

    def pool(self,
             tokens: torch.Tensor,
             pos_embed: torch.Tensor,
             valid: torch.Tensor,
             residual: bool) -> torch.Tensor:
        """Run the transformer and average its output.

        Args:
            tokens (Tensor): ``(B, N, D)``.
            pos_embed (Tensor): ``(>= N, D)`` positions, the first N added.
            valid (Tensor): ``(B, N)`` bool, the tokens to attend to and to
                average.
            residual (bool): Average ``output + tokens`` (the input before
                the positions) instead of ``output``.

        Returns:
            Tensor: ``(B, D)``.
        """
        B, N, D = tokens.shape
        x = tokens + pos_embed[:N]  # (B, N, D)
        attn_mask = key_padding_to_attn_mask(valid, self.num_heads, x.dtype)
        out = self.transformer(x, attn_mask=attn_mask)  # (B, N, D)
        if residual:
            out = out + tokens
        return masked_mean(out, valid)
