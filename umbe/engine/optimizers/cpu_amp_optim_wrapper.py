"""Mixed precision on CPU: mmengine's AmpOptimWrapper with bfloat16."""
import warnings
from contextlib import contextmanager

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from umbe.registry import OPTIM_WRAPPERS
from .cpu_bf16 import cpu_native_bf16


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(AmpOptimWrapper):
    """:class:`mmengine.optim.AmpOptimWrapper` for CPU training in bfloat16.

    mmengine's wrapper refuses to start without an accelerator, although its
    ``optim_context`` (mmengine's ``autocast``) supports CPU autocast in
    bfloat16. bfloat16 has float32's exponent range, so no loss scaling is
    needed: the scaler is created disabled (``scale``/``step`` pass through).
    ``tools/train.py --amp`` picks this wrapper when CUDA is unavailable and
    the CPU computes bfloat16 natively.

    AMP never slows a run down: on a CPU without native bfloat16
    (:func:`umbe.engine.optimizers.cpu_bf16.cpu_native_bf16`) bfloat16 is
    emulated and slower than float32, so the wrapper warns and runs in
    float32 (``autocast_enabled`` False).

    Args:
        dtype (str | torch.dtype): Autocast dtype; CPU autocast supports only
            bfloat16. Defaults to 'bfloat16'.
        **kwargs: Arguments of :class:`mmengine.optim.OptimWrapper`
            (``optimizer``, ``accumulative_counts``, ``clip_grad``).
    """

    def __init__(self, dtype='bfloat16', **kwargs) -> None:
        kwargs.pop('loss_scale', None)  # no scaling in bfloat16
        OptimWrapper.__init__(self, **kwargs)
        if isinstance(dtype, str):
            dtype = getattr(torch, dtype, None)
        if dtype != torch.bfloat16:
            raise ValueError(
                f'CPUAmpOptimWrapper supports dtype bfloat16 only, got '
                f'{dtype}; CPU autocast has no float16.')
        self.cast_dtype = dtype
        self._scale_update_param = None
        self.loss_scaler = torch.amp.GradScaler('cpu', enabled=False)
        self.autocast_enabled = cpu_native_bf16()
        if not self.autocast_enabled:
            warnings.warn(
                'CPUAmpOptimWrapper: this CPU has no native bfloat16 '
                '(avx512_bf16 / amx_bf16), where bf16 autocast is slower '
                'than float32; training in float32')

    @contextmanager
    def optim_context(self, model):
        """bfloat16 autocast (plain float32 where it is emulated)."""
        if self.autocast_enabled:
            with super().optim_context(model):
                yield
        else:
            with OptimWrapper.optim_context(self, model):
                yield
