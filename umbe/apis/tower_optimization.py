"""Faster frozen towers for CPU inference: int8 weights, torch.compile.

Both change how the frozen towers (``model.frozen_towers()``: the image tower
and the caption's text tower) compute, not what the rest of the model does.

- :func:`quantize_towers`: dynamic int8 quantisation (``torch.ao.
  quantization.quantize_dynamic``, fbgemm / x86 with VNNI) of every Linear
  layer of the towers. open_clip's attention is ``nn.MultiheadAttention``,
  whose projections are not ``nn.Linear`` modules (its ``in_proj_weight`` is
  a bare parameter, ``out_proj`` a class quantize_dynamic skips), so each
  one is first replaced by :class:`SelfAttention`: the same weights as two
  ``nn.Linear`` and ``F.scaled_dot_product_attention`` (equal to the
  original within 3e-6 in fp32). Then the attention projections are int8
  too: a third of a ViT block's multiply-adds, the MLP the other two.
  Weights are int8 per tensor; activations are quantised per batch on the
  fly. The agreement with fp32 is measured in docs/benchmark.md.
- :func:`compile_towers`: ``torch.compile`` of the image tower's forward.
  Measured on this CPU it does not pay (docs/benchmark.md), so it is off
  unless asked for.
"""
import warnings
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    """``nn.MultiheadAttention``'s forward from two ``nn.Linear`` layers.

    Takes the weights of an ``nn.MultiheadAttention`` (one input
    projection for q, k, v and the output projection) and computes the same
    attention with ``F.scaled_dot_product_attention``, so that the
    projections are ``nn.Linear`` modules ``quantize_dynamic`` converts.
    Same call as the original: ``(query, key, value, need_weights=False,
    attn_mask=None)`` -> ``(output, None)``.

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


def quantize_towers(model: nn.Module) -> Dict[str, int]:
    """Quantise the Linear layers of the model's frozen towers to int8.

    In place, for CPU inference. Attention modules are replaced first
    (:func:`replace_attention`), so their projections are quantised too.

    Args:
        model (nn.Module): A recognizer with ``frozen_towers()`` (UMBEnet),
            on the CPU.

    Returns:
        dict: ``{tower name: Linear layers quantised}``.
    """
    if not hasattr(model, 'frozen_towers'):
        raise TypeError(f'{type(model).__name__} has no frozen_towers(): '
                        'nothing to quantise')
    param = next(model.parameters(), None)
    if param is not None and param.device.type != 'cpu':
        raise ValueError('int8 towers run on the CPU (fbgemm/x86); the model '
                         f'is on {param.device}: drop --int8 or use --device '
                         'cpu')
    engines = torch.backends.quantized.supported_engines
    if 'x86' in engines:
        torch.backends.quantized.engine = 'x86'
    elif 'fbgemm' in engines:
        torch.backends.quantized.engine = 'fbgemm'
    done = {}
    with warnings.catch_warnings():
        # torch 2.10+ points eager quantisation users at torchao, which
        # this environment does not have; the eager API still works
        warnings.filterwarnings('ignore', message='.*torchao.*')
        warnings.filterwarnings('ignore', message='.*quantized tensor.*')
        warnings.filterwarnings('ignore', module='torch.ao')
        for name, tower in model.frozen_towers().items():
            replace_attention(tower)
            linears = sum(isinstance(m, nn.Linear) for m in tower.modules())
            torch.ao.quantization.quantize_dynamic(
                tower, {nn.Linear}, dtype=torch.qint8, inplace=True)
            done[name] = linears
    return done


def compile_towers(model: nn.Module, **options) -> List[str]:
    """``torch.compile`` the frozen image tower's forward (in place).

    Compiles once per input shape: use it with a
    :class:`.frame_embeddings.FrozenFeatureEncoder`, whose fixed chunks
    give the tower one shape.

    Args:
        model (nn.Module): A recognizer with ``frozen_towers()``.
        **options: ``torch.compile`` keyword arguments.

    Returns:
        list[str]: The towers compiled.
    """
    towers = model.frozen_towers()
    vision = towers.get('vision_encoder')
    if vision is None:
        return []
    vision.forward = torch.compile(vision.forward, **options)
    return ['vision_encoder']
