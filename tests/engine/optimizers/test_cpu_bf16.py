"""cpu_native_bf16: bf16 autocast on CPU only where it is native."""
import platform

import pytest

from umbe.engine.optimizers import cpu_bf16_flags, cpu_native_bf16

ZEN4 = ('processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 '
        'avx2 avx512f avx512bw avx512_vnni avx512_bf16\n')
SKYLAKE = 'processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw\n'
SPR = 'flags\t\t: avx512f avx512_vnni amx_tile amx_bf16 amx_int8\n'
GRAVITON3 = 'processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\n'


@pytest.fixture
def x86(monkeypatch):
    monkeypatch.setattr(platform, 'machine', lambda: 'x86_64')
    monkeypatch.delenv('ONEDNN_MAX_CPU_ISA', raising=False)


def test_flags_decide(x86):
    assert cpu_bf16_flags(ZEN4) == ('avx512_bf16', )
    assert cpu_native_bf16(ZEN4) and cpu_native_bf16(SPR)
    assert cpu_bf16_flags(SKYLAKE) == () and not cpu_native_bf16(SKYLAKE)
    assert not cpu_native_bf16('')  # no /proc/cpuinfo: not known native


def test_arm_features(monkeypatch):
    monkeypatch.setattr(platform, 'machine', lambda: 'aarch64')
    monkeypatch.delenv('ONEDNN_MAX_CPU_ISA', raising=False)
    assert cpu_native_bf16(GRAVITON3)
    assert not cpu_native_bf16('Features\t: fp asimd\n')


def test_onednn_isa_cap_counts(x86, monkeypatch):
    monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', 'AVX512_CORE_VNNI')
    assert not cpu_native_bf16(ZEN4)  # oneDNN emulates bf16 then
    for isa in ('AVX512_CORE_BF16', 'avx512_core_amx', 'ALL'):
        monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', isa)
        assert cpu_native_bf16(ZEN4)
