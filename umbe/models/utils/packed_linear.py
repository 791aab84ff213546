"""Linear layers with their weight prepacked for oneDNN (CPU inference).

PyTorch runs a float32 ``nn.Linear`` on the CPU through its BLAS (MKL in the
pip wheels), which lays the weight out for its kernels again on every call.
oneDNN (bundled with PyTorch, the kernels ``torch.compile`` uses for frozen
CPU models) can take the weight reordered once into its blocked layout
(``torch.ops.mkldnn._reorder_linear_weight``) and multiply with it directly
(``torch.ops.mkldnn._linear_pointwise``). Same float32 arithmetic, a
different summation order: outputs agree with ``nn.Linear`` to rounding
(~1e-6 relative). On this project's CPU (AMD EPYC, 2 cores) the ViT-L/14
image tower runs ~1.3x faster with every Linear packed
(``tools/analysis/tower_speed.py``, docs/benchmark.md).

A :class:`PackedLinear` is for inference with frozen weights: it keeps no
``nn.Parameter`` and refuses inputs that need a gradient. Its
``state_dict`` holds the dense ``weight`` and ``bias`` under the names an
``nn.Linear`` uses, so a model's checkpoint does not change, and loading one
repacks the weight; it can be deep-copied, and stays float32 on the CPU
(``.to`` another device or dtype refuses).
"""
from typing import Optional

import torch
import torch.nn as nn

from .self_attention import replace_attention


def onednn_linear_available() -> bool:
    """Whether this PyTorch has oneDNN's prepacked linear kernels."""
    return torch.backends.mkldnn.is_available() and hasattr(
        torch.ops.mkldnn, '_reorder_linear_weight') and hasattr(
            torch.ops.mkldnn, '_linear_pointwise')


class PackedLinear(nn.Module):
    """``nn.Linear``'s forward on a weight packed once for oneDNN.

    Args:
        linear (nn.Linear): A float32 layer on the CPU; its weight and
            bias are copied (the layer itself is left as it is).

    Shapes:
        ``(*, in_features)`` in, ``(*, out_features)`` out.
    """

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight
        if weight.device.type != 'cpu' or weight.dtype != torch.float32:
            raise ValueError('PackedLinear takes a float32 nn.Linear on the '
                             f'CPU, got {weight.dtype} on {weight.device}')
        if not onednn_linear_available():
            raise RuntimeError('this PyTorch has no oneDNN linear kernels '
                               '(torch.ops.mkldnn._linear_pointwise)')
        self.in_features = linear.in_features
        self.out_features = linear.out_features
        self._set(weight.detach(),
                  None if linear.bias is None else linear.bias.detach())

    def _set(self, weight: torch.Tensor, bias: Optional[torch.Tensor]) -> None:
        """Pack ``weight`` ``(out, in)``; keep ``bias`` ``(out,)``."""
        packed = torch.ops.mkldnn._reorder_linear_weight(
            weight.contiguous(), None)
        self.register_buffer('packed_weight', packed, persistent=False)
        self.register_buffer(
            'bias', None if bias is None else bias.clone().contiguous(),
            persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad and torch.is_grad_enabled():
            raise RuntimeError('PackedLinear is for inference: its input '
                               'needs a gradient (run under torch.no_grad, '
                               'or keep the nn.Linear for training)')
        if x.dtype != torch.float32 or x.device.type != 'cpu':
            raise TypeError('PackedLinear takes float32 CPU inputs, got '
                            f'{x.dtype} on {x.device}')
        lead = x.shape[:-1]
        out = torch.ops.mkldnn._linear_pointwise(
            x.reshape(-1, self.in_features), self.packed_weight, self.bias,
            'none', [], '')  # (prod(*), out_features)
        return out.view(*lead, self.out_features)

    def dense_weight(self) -> torch.Tensor:
        """The weight ``(out_features, in_features)`` as a plain tensor."""
        return self.packed_weight.to_dense()

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        destination[prefix + 'weight'] = self.dense_weight()
        if self.bias is not None:
            destination[prefix + 'bias'] = self.bias

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs):
        names = ['weight'] + ([] if self.bias is None else ['bias'])
        found = {n: state_dict.get(prefix + n) for n in names}
        missing_keys += [prefix + n for n, v in found.items() if v is None]
        weight = found['weight']
        if weight is None:
            return
        if tuple(weight.shape) != (self.out_features, self.in_features):
            error_msgs.append(
                f'size mismatch for {prefix}weight: copying a param with '
                f'shape {tuple(weight.shape)}, the layer is '
                f'{(self.out_features, self.in_features)}')
            return
        bias = found.get('bias')
        self._set(weight.detach().float(),
                  self.bias if bias is None else bias.detach().float())

    def _apply(self, fn, recurse=True):
        # .to() / .float() / .cpu(): convert the dense weight, then repack;
        # only float32 on the CPU packs
        weight = fn(self.dense_weight())
        bias = None if self.bias is None else fn(self.bias)
        if weight.dtype != torch.float32 or weight.device.type != 'cpu':
            raise ValueError('a PackedLinear stays float32 on the CPU (got '
                             f'{weight.dtype} on {weight.device}): move or '
                             'convert the model before packing it')
        self._set(weight, bias)
        return self

    def __deepcopy__(self, memo):
        dense = nn.Linear(self.in_features, self.out_features,
                          self.bias is not None)
        dense.load_state_dict(self.state_dict())
        return PackedLinear(dense).train(self.training)

    def extra_repr(self) -> str:
        return (f'in_features={self.in_features}, '
                f'out_features={self.out_features}, '
                f'bias={self.bias is not None}, onednn')


def pack_linear_layers(module: nn.Module) -> int:
    """Replace every float32 CPU ``nn.Linear`` inside ``module`` (in place)
    by a :class:`PackedLinear` with its weights.

    Subclasses of ``nn.Linear`` (quantised or otherwise special layers) and
    layers of other dtypes or devices are left alone.

    Args:
        module (nn.Module): A frozen tower.

    Returns:
        int: How many layers were packed.
    """
    count = 0
    for name, child in module.named_children():
        if type(child) is nn.Linear and child.weight.dtype == torch.float32 \
                and child.weight.device.type == 'cpu':
            setattr(module, name, PackedLinear(child).train(child.training))
            count += 1
        else:
            count += pack_linear_layers(child)
    return count


def pack_tower(tower: nn.Module) -> int:
    """Pack every float32 Linear of a tower, its attention projections
    included (in place, for CPU inference).

    Its ``nn.MultiheadAttention`` modules are replaced first by
    :class:`.self_attention.SelfAttention` (same weights, under the same
    state_dict names), whose projections are plain Linear layers. A tower
    stored in another dtype is left as it is.

    Args:
        tower (nn.Module): A frozen CLIP tower on the CPU.

    Returns:
        int: How many layers were packed.
    """
    if not any(p.dtype == torch.float32 for p in tower.parameters()):
        return 0
    replace_attention(tower)
    return pack_linear_layers(tower)


__all__ = [
    'PackedLinear', 'pack_linear_layers', 'pack_tower',
    'onednn_linear_available'
]
