"""Attention-mask helpers shared by umbe's transformers."""
import torch


def key_padding_to_attn_mask(valid: torch.Tensor, num_heads: int,
                             dtype: torch.dtype) -> torch.Tensor:
    """Turn a per-key validity mask into an additive attention mask.

    open_clip's ``Transformer`` (``nn.MultiheadAttention`` blocks) takes an
    ``attn_mask`` but no key padding mask; a 3-D additive mask carries the
    padding per sample and head.

    Args:
        valid (Tensor): Bool ``(B, N)``, True for keys that may be attended.
            Every row needs at least one True (umbe's transformers always
            keep a class/fusion token).
        num_heads (int): Attention heads.
        dtype (torch.dtype): dtype of the activations.

    Returns:
        Tensor: ``(B * num_heads, N, N)``, 0 where allowed and the dtype's
        minimum where masked.
    """
    if not bool(valid.any(dim=1).all()):
        raise ValueError('every sample needs at least one attendable token')
    B, N = valid.shape
    mask = torch.zeros(B, 1, 1, N, dtype=dtype, device=valid.device)
    mask = mask.masked_fill(~valid[:, None, None, :], torch.finfo(dtype).min)
    return mask.expand(B, num_heads, N, N).reshape(B * num_heads, N, N)
