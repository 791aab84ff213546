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


def shared_prefix_mask(prefix_len: int, num_suffixes: int, suffix_len: int,
                       dtype: torch.dtype,
                       device=None) -> torch.Tensor:
    """Causal mask of one prefix followed by several suffixes packed in one
    sequence, each suffix continuing the prefix on its own.

    The packed sequence is ``[prefix (P), suffix 0 (S), ..., suffix C-1
    (S)]``. A prefix token attends to the prefix tokens up to itself; a
    token of suffix c attends to the whole prefix and to the tokens of
    suffix c up to itself, never to another suffix. Under this mask every
    suffix token gets exactly what it gets in its own causal sequence
    ``[prefix, suffix c]`` (up to floating-point rounding), while the prefix
    is computed once for all C suffixes.

    Args:
        prefix_len (int): P tokens shared by all suffixes (at least 1).
        num_suffixes (int): C suffixes.
        suffix_len (int): S tokens per suffix.
        dtype (torch.dtype): dtype of the activations.
        device (torch.device, optional): Defaults to None (CPU).

    Returns:
        Tensor: ``(P + C*S, P + C*S)`` additive mask, 0 where allowed and
        ``-inf`` where masked (open_clip's causal mask convention).
    """
    if prefix_len < 1:
        raise ValueError(f'prefix_len={prefix_len}: the prefix needs a token')
    P, C, S = prefix_len, num_suffixes, suffix_len
    N = P + C * S
    pos = torch.arange(N, device=device)
    # the suffix each token belongs to (-1: the prefix), and its position in
    # its own sequence [prefix, suffix]
    group = torch.where(pos < P, -1, (pos - P).div(S, rounding_mode='floor'))
    own_pos = torch.where(pos < P, pos, P + (pos - P) % S)
    allowed = (own_pos[None, :] <= own_pos[:, None]) & (
        (group[None, :] == -1) | (group[None, :] == group[:, None]))
    mask = torch.zeros(N, N, dtype=dtype, device=device)
    return mask.masked_fill_(~allowed, float('-inf'))


def shared_prefix_positions(prefix_len: int, num_suffixes: int,
                            suffix_len: int, device=None) -> torch.Tensor:
    """Position of each token of a packed ``[prefix, suffix 0, ...]``
    sequence in its own sequence ``[prefix, suffix c]`` (see
    :func:`shared_prefix_mask`).

    Returns:
        Tensor: ``(P + C*S,)`` long: ``0..P-1``, then ``P..P+S-1`` per suffix.
    """
    P, C, S = prefix_len, num_suffixes, suffix_len
    return torch.cat([
        torch.arange(P, device=device),
        (P + torch.arange(S, device=device)).repeat(C)
    ])
