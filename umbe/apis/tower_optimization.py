"""Faster frozen towers for CPU inference: oneDNN, int8, torch.compile.

Each changes how the frozen towers (``model.frozen_towers()``: the image tower
and the caption's text tower) compute, not what the rest of the model does.
:func:`prepare_towers` applies what ``tools/infer.py`` and ``tools/stream.py``
ask for.

- :func:`pack_towers` (the CPU default of :func:`prepare_towers`): every
  float32 Linear layer of the towers, attention projections included, as a
  :class:`umbe.models.utils.PackedLinear`: the weight reordered once for
  oneDNN's kernels. The same float32 arithmetic in another summation order
  (outputs equal to rounding; the tolerance is tested), ~1.3x faster for
  the ViT-L/14 tower on this project's CPU (docs/benchmark.md).
- :func:`quantize_towers`: dynamic int8 quantisation (``torch.ao.
  quantization.quantize_dynamic``, fbgemm / x86 with VNNI) of every Linear
  layer of the towers. open_clip's attention is ``nn.MultiheadAttention``,
  whose projections are not ``nn.Linear`` modules (its ``in_proj_weight`` is
  a bare parameter, ``out_proj`` a class quantize_dynamic skips), so each
  one is first replaced by :class:`umbe.models.utils.SelfAttention`: the
  same weights as two
  ``nn.Linear`` and ``F.scaled_dot_product_attention`` (equal to the
  original within 3e-6 in fp32). Then the attention projections are int8
  too: a third of a ViT block's multiply-adds, the MLP the other two.
  Weights are int8 per output channel (per tensor, torch's default, was
  ~10x further from fp32 on the full-size model for the same speed);
  activations are quantised per batch on the fly. The agreement with fp32
  is measured in docs/benchmark.md.
- :func:`compile_towers`: ``torch.compile`` of the image tower's forward.
  Measured on this CPU it does not pay (docs/benchmark.md), so it is off
  unless asked for.
"""
import warnings
from typing import Dict, List, Optional

import torch
import torch.nn as nn

from umbe.models.utils import (SelfAttention, onednn_linear_available,
                               pack_tower, replace_attention)


def _cpu_towers(model: nn.Module, what: str, runs_on_cpu: str,
                fix: str) -> Dict[str, nn.Module]:
    """The frozen towers of a model on the CPU, or a clear error.

    Args:
        what (str): What the caller does, for the error without towers.
        runs_on_cpu (str), fix (str): The error off the CPU:
            ``'{runs_on_cpu}; the model is on {device}: {fix}'``.
    """
    param = next(model.parameters(), None)
    if param is not None and param.device.type != 'cpu':
        raise ValueError(f'{runs_on_cpu}; the model is on {param.device}: '
                         f'{fix}')
    if not hasattr(model, 'frozen_towers'):
        raise TypeError(f'{type(model).__name__} has no frozen_towers(): '
                        f'nothing to {what}')
    return model.frozen_towers()


def pack_towers(model: nn.Module) -> Dict[str, int]:
    """Prepack the float32 Linear layers of the model's frozen towers for
    oneDNN (in place, for CPU inference).

    Attention modules are replaced first (:func:`replace_attention`), so
    their projections are packed too. Towers stored in another dtype are
    left as they are (0 layers).

    Args:
        model (nn.Module): A recognizer with ``frozen_towers()`` (UMBEnet),
            on the CPU.

    Returns:
        dict: ``{tower name: Linear layers packed}``.
    """
    towers = _cpu_towers(model, 'pack for oneDNN',
                         'oneDNN-packed towers run on the CPU',
                         'use --device cpu')
    if not onednn_linear_available():
        raise RuntimeError('this PyTorch has no oneDNN linear kernels: run '
                           'without packing (tools/infer.py --no-onednn)')
    return {name: pack_tower(tower) for name, tower in towers.items()}


def prepare_towers(model: nn.Module,
                   int8: bool = False,
                   compile: bool = False,
                   onednn: Optional[bool] = None) -> str:
    """Set the frozen towers up for inference as the tools do.

    Args:
        model (nn.Module): A recognizer (UMBEnet, ZeroShotCLIP).
        int8 (bool): :func:`quantize_towers` (CPU). Defaults to False.
        compile (bool): :func:`compile_towers`. Defaults to False.
        onednn (bool, optional): :func:`pack_towers`. Defaults to: on the
            CPU when neither ``int8`` nor ``compile`` is asked for (int8
            replaces the float32 layers; ``torch.compile`` picks its own
            kernels) and this PyTorch has oneDNN.

    Returns:
        str: What was done, for the log (``'float32, oneDNN-packed'``, ...).
    """
    if not hasattr(model, 'frozen_towers'):
        if int8 or compile or onednn:
            raise TypeError(f'{type(model).__name__} has no frozen_towers()')
        return 'as built'
    param = next(model.parameters(), None)
    on_cpu = param is None or param.device.type == 'cpu'
    if onednn is None:
        onednn = on_cpu and not (int8 or compile) and \
            onednn_linear_available()
    if onednn and (int8 or compile):
        raise ValueError('oneDNN packing is for float32 towers: not with '
                         'int8 or torch.compile')
    if int8:
        quantize_towers(model)
        return 'int8 (dynamic)'
    if compile:
        compile_towers(model)
        return 'torch.compile'
    if onednn:
        pack_towers(model)
        return 'float32, oneDNN-packed'
    return 'float32'


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
    towers = _cpu_towers(model, 'quantise',
                         'int8 towers run on the CPU (fbgemm/x86)',
                         'drop --int8 or use --device cpu')
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
        for name, tower in towers.items():
            replace_attention(tower)
            linears = sum(isinstance(m, nn.Linear) for m in tower.modules())
            torch.ao.quantization.quantize_dynamic(
                tower, {
                    nn.Linear:
                    torch.ao.quantization.per_channel_dynamic_qconfig
                },
                dtype=torch.qint8,
                inplace=True)
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


__all__ = [
    'prepare_towers', 'pack_towers', 'quantize_towers', 'compile_towers',
    'SelfAttention', 'replace_attention'
]
