from .cpu_amp_optim_wrapper import CPUAmpOptimWrapper
from .cpu_bf16 import cpu_bf16_flags, cpu_native_bf16

__all__ = ['CPUAmpOptimWrapper', 'cpu_bf16_flags', 'cpu_native_bf16']
