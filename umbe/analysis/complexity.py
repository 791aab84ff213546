"""Parameters and FLOPs of a model, counted once, with one convention.

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode`` on a real
forward: **2 FLOPs per multiply-add** (a ``(m, k) @ (k, n)`` product is
``2·m·k·n``), for the matrix products, convolutions and attention; the
element-wise ops, norms and softmax are not counted. fvcore (and many
papers' "FLOPs") count 1 per multiply-add: halve ours to compare.

Two gaps of the plain counter are closed while counting:

* ``nn.MultiheadAttention`` takes a fused inference fast path in eval mode
  (``torch._native_multi_head_attention``) that the counter does not see;
  it is switched off (``torch.backends.mha``) so the projections and the
  attention run, and are counted, as separate ops;
* on CPU, ``scaled_dot_product_attention`` runs as
  ``_scaled_dot_product_flash_attention_for_cpu``, which the counter has no
  formula for; it gets the formula of the other SDPA kernels
  (``sdpa_flop_count``).
"""
import copy
from collections import OrderedDict
from typing import Dict, NamedTuple

import torch
import torch.nn as nn
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

from umbe.models.utils.sequence_first import mha_fastpath

#: FLOPs counted per multiply-add (torch's counter; fvcore counts 1)
FLOPS_PER_MULTIPLY_ADD = 2


class ParameterCount(NamedTuple):
    """Parameter elements of a module.

    Attributes:
        trainable (int): Elements of parameters with ``requires_grad``.
        frozen (int): Elements of the others.
    """
    trainable: int
    frozen: int

    @property
    def total(self) -> int:
        return self.trainable + self.frozen


def count_parameters(module: nn.Module) -> ParameterCount:
    """Trainable and frozen parameter elements of a module.

    Args:
        module (nn.Module): Any module.

    Returns:
        ParameterCount: ``(trainable, frozen)``.
    """
    trainable = frozen = 0
    for p in module.parameters():
        if p.requires_grad:
            trainable += p.numel()
        else:
            frozen += p.numel()
    return ParameterCount(trainable, frozen)


def parameters_per_child(model: nn.Module) -> Dict[str, ParameterCount]:
    """:func:`count_parameters` of each direct child that has parameters.

    Args:
        model (nn.Module): Any module.

    Returns:
        OrderedDict: child name -> ParameterCount, in registration order.
    """
    out = OrderedDict()
    for name, child in model.named_children():
        count = count_parameters(child)
        if count.total:
            out[name] = count
    return out


def _cpu_sdpa_flops(query_shape, key_shape, value_shape, *args,
                    out_shape=None, **kwargs) -> int:
    return sdpa_flop_count(query_shape, key_shape, value_shape)


#: formulas the counter lacks (see the module docstring)
_EXTRA_FORMULAS = {
    torch.ops.aten._scaled_dot_product_flash_attention_for_cpu:
    _cpu_sdpa_flops
}


def count_flops(fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` and count its FLOPs (the convention of
    the module docstring).

    Returns:
        tuple: ``(FLOPs (int), fn's result)``.
    """
    with mha_fastpath(False), FlopCounterMode(
            display=False, custom_mapping=_EXTRA_FORMULAS) as counter:
        result = fn(*args, **kwargs)
    return counter.get_total_flops(), result


def flops_per_clip(model: nn.Module, batch: dict) -> Dict[str, float]:
    """Forward FLOPs per clip, split into the frozen towers and the rest.

    ``frozen``: ``model.extract_frozen_features`` (what a feature cache
    saves); ``trainable``: ``model.forward_features`` on those features
    (everything else, with the head's frozen text tower, which runs on the
    class prompts in every forward). Counted in eval mode without grad,
    divided by the clips of the batch.

    Args:
        model (nn.Module): A recognizer with UMBEnet's
            ``data_preprocessor``, ``extract_frozen_features`` and
            ``forward_features``.
        batch (dict): A collated batch (``inputs``, ``data_samples``) of B
            clips; not modified.

    Returns:
        dict: ``frozen`` and ``trainable`` FLOPs per clip.
    """
    model.eval()
    clips = len(batch['data_samples'])
    data = model.data_preprocessor(copy.deepcopy(batch), False)
    with torch.no_grad():
        frozen, feats = count_flops(model.extract_frozen_features,
                                    data['inputs'])
        trainable, _ = count_flops(model.forward_features, feats,
                                   data['inputs'])
    return dict(frozen=frozen / clips, trainable=trainable / clips)
