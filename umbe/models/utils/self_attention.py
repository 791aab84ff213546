"""``nn.MultiheadAttention``'s self-attention from two ``nn.Linear`` layers.

``nn.MultiheadAttention`` keeps its input projection as a bare parameter
(``in_proj_weight``) and its output projection as a Linear subclass that
``quantize_dynamic`` skips, and computes inside
``F.multi_head_attention_forward``. :class:`SelfAttention` holds the same
weights as two plain ``nn.Linear`` (so int8 quantisation and oneDNN packing
reach every projection) and attends with ``F.scaled_dot_product_attention``;
:func:`replace_attention` swaps it in throughout a tower.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


#: SelfAttention's state names -> nn.MultiheadAttention's, in its order
_MULTIHEAD_NAMES = (('in_proj.weight', 'in_proj_weight'),
                    ('in_proj.bias', 'in_proj_bias'),
                    ('out_proj.weight', 'out_proj.weight'),
                    ('out_proj.bias', 'out_proj.bias'))


def _save_as_multihead(module, state_dict, prefix, local_metadata) -> None:
    """state_dict post-hook: name (and order) the projections' float
    weights as ``nn.MultiheadAttention`` does; int8 state stays as is."""
    ours = [prefix + a for a, _ in _MULTIHEAD_NAMES]
    if not all(k in state_dict for k in ours):
        return
    values = [state_dict.pop(k) for k in ours]  # this module's, last in
    for (_, theirs), value in zip(_MULTIHEAD_NAMES, values):
        state_dict[prefix + theirs] = value


def _load_as_multihead(module, state_dict, prefix, *args) -> None:
    """load_state_dict pre-hook: read ``nn.MultiheadAttention``'s names."""
    for ours, theirs in _MULTIHEAD_NAMES[:2]:
        if prefix + theirs in state_dict:
            state_dict[prefix + ours] = state_dict.pop(prefix + theirs)


class SelfAttention(nn.Module):
    """``nn.MultiheadAttention``'s forward from two ``nn.Linear`` layers.

    Takes the weights of an ``nn.MultiheadAttention`` (one input
    projection for q, k, v and the output projection) and computes the same
    attention with ``F.scaled_dot_product_attention``, so that the
    projections are ``nn.Linear`` modules ``quantize_dynamic`` converts
    (or :func:`.packed_linear.pack_tower` packs). Same call as the
    original: ``(query, key, value, need_weights=False, attn_mask=None)``
    -> ``(output, None)``.
    Its float32 (or packed) weights are saved and loaded under the
    original's names (``in_proj_weight``, ``in_proj_bias``, ``out_proj.*``),
    so a model's checkpoint does not change.

    Args:
        attention (nn.MultiheadAttention): Its weights are copied (q, k, v
            of one width, with biases).
    """

    def __init__(self, attention: nn.MultiheadAttention) -> None:
        super().__init__()
        if not attention._qkv_same_embed_dim or (attention.in_proj_bias
                                                 is None):
            raise ValueError('SelfAttention takes a MultiheadAttention with '
                             'one q/k/v width and biases')
        width = attention.embed_dim
        self.num_heads = attention.num_heads
        self.batch_first = attention.batch_first
        self.in_proj = nn.Linear(width, 3 * width)
        self.out_proj = nn.Linear(width, width)
        with torch.no_grad():
            self.in_proj.weight.copy_(attention.in_proj_weight)
            self.in_proj.bias.copy_(attention.in_proj_bias)
            self.out_proj.weight.copy_(attention.out_proj.weight)
            self.out_proj.bias.copy_(attention.out_proj.bias)
        self.in_proj.requires_grad_(attention.in_proj_weight.requires_grad)
        self.out_proj.requires_grad_(attention.out_proj.weight.requires_grad)
        self.register_state_dict_post_hook(_save_as_multihead)
        self.register_load_state_dict_pre_hook(_load_as_multihead)

    def forward(self,
                query: torch.Tensor,
                key: torch.Tensor,
                value: torch.Tensor,
                need_weights: bool = False,
                attn_mask: Optional[torch.Tensor] = None,
                key_padding_mask: Optional[torch.Tensor] = None):
        """Attend.

        Args:
            query (Tensor): ``(B, L, W)`` (``(L, B, W)`` if not batch
                first); ``key`` and ``value`` ``(B, S, W)``.
            need_weights (bool): Must be False.
            attn_mask (Tensor, optional): ``(L, S)``, additive (float) or
                True = masked out (bool), as ``nn.MultiheadAttention``.

        Returns:
            tuple: ``(B, L, W)`` output and None.
        """
        if need_weights or key_padding_mask is not None:
            raise NotImplementedError(
                'SelfAttention does not return weights nor take a '
                'key_padding_mask (the CLIP towers use neither)')
        # self-attention (one tensor): one projection for q, k, v; decided
        # before any transpose makes three distinct views of it
        same = key is query and value is query
        if not self.batch_first:
            query, key, value = (
                x.transpose(0, 1) for x in (query, key, value))
        B, L, W = query.shape
        h = self.num_heads
        if same:
            q, k, v = self.in_proj(query).chunk(3, dim=-1)  # (B, L, W) x 3
        else:
            q = self.in_proj(query)[..., :W]
            k = self.in_proj(key)[..., W:2 * W]
            v = self.in_proj(value)[..., 2 * W:]
        q, k, v = (x.reshape(B, -1, h, W // h).transpose(1, 2)
                   for x in (q, k, v))  # (B, h, L|S, W / h)
        if attn_mask is not None and attn_mask.dtype == torch.bool:
            attn_mask = ~attn_mask  # SDPA: True = attend
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        out = self.out_proj(out.transpose(1, 2).reshape(B, L, W))  # (B, L, W)
        if not self.batch_first:
            out = out.transpose(0, 1)
        return out, None


def replace_attention(module: nn.Module) -> int:
    """Replace every ``nn.MultiheadAttention`` inside ``module`` (in place)
    by a :class:`SelfAttention` with its weights.

    Args:
        module (nn.Module): A tower.

    Returns:
        int: How many were replaced.
    """
    count = 0
    for name, child in module.named_children():
        if isinstance(child, nn.MultiheadAttention):
            setattr(module, name, SelfAttention(child).train(child.training))
            count += 1
        else:
            count += replace_attention(child)
    return count
