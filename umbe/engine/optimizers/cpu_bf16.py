"""Whether this CPU computes bfloat16 natively.

CPU autocast runs matrix products in bfloat16 through oneDNN. With the
``avx512_bf16`` instructions (Intel Cooper Lake / Sapphire Rapids and later,
AMD Zen 4 and later) or AMX that is faster than float32: the ViT-L/14 image
tower ran 1.8x faster under bf16 autocast on this project's AMD EPYC
(docs/benchmark.md, "AMP"). Without them oneDNN emulates bfloat16 with
float32 instructions and conversions, and the same tower ran 2.2x slower
(emulated with ``ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI``; the issue measured
13.6x on another machine). ``--amp`` on CPU is only switched on where it
pays (:func:`umbe.utils.config_utils.enable_amp`).
"""
import os
import platform
from typing import Optional, Tuple

#: /proc/cpuinfo flags of native bfloat16 arithmetic (x86, then Arm)
X86_BF16_FLAGS = ('avx512_bf16', 'amx_bf16')
ARM_BF16_FLAGS = ('bf16', )
#: ``ONEDNN_MAX_CPU_ISA`` values that keep oneDNN's bf16 instructions
_ONEDNN_BF16_ISAS = ('ALL', 'DEFAULT', 'AVX512_CORE_BF16',
                     'AVX512_CORE_AMX', 'AVX512_CORE_FP16', 'AVX10')


def _cpu_flags(cpuinfo: str) -> Tuple[str, ...]:
    """The feature flags of the first processor in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(':')
        if key.strip().lower() in ('flags', 'features'):
            return tuple(value.split())
    return ()


def cpu_bf16_flags(cpuinfo: Optional[str] = None) -> Tuple[str, ...]:
    """The native bfloat16 flags this CPU reports.

    Args:
        cpuinfo (str, optional): A /proc/cpuinfo text (tests); None reads
            the file (empty where there is none, e.g. not Linux).

    Returns:
        tuple[str, ...]: The flags of :data:`X86_BF16_FLAGS` /
        :data:`ARM_BF16_FLAGS` found, empty when bfloat16 is emulated.
    """
    if cpuinfo is None:
        try:
            with open('/proc/cpuinfo') as f:
                cpuinfo = f.read()
        except OSError:
            cpuinfo = ''
    flags = _cpu_flags(cpuinfo)
    wanted = ARM_BF16_FLAGS if platform.machine().lower() in (
        'aarch64', 'arm64') else X86_BF16_FLAGS
    return tuple(f for f in wanted if f in flags)


def cpu_native_bf16(cpuinfo: Optional[str] = None) -> bool:
    """True when CPU bfloat16 autocast runs on native instructions.

    A CPU flag of :func:`cpu_bf16_flags` is needed, and
    ``ONEDNN_MAX_CPU_ISA``, when set, must not cap oneDNN below them.

    Args:
        cpuinfo (str, optional): As :func:`cpu_bf16_flags`.

    Returns:
        bool
    """
    isa = os.environ.get('ONEDNN_MAX_CPU_ISA', '').upper()
    if isa and not isa.startswith(_ONEDNN_BF16_ISAS):
        return False
    return bool(cpu_bf16_flags(cpuinfo))
