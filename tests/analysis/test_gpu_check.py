"""The GPU check's pieces (the whole check runs on CPU in
tests/tools/analysis/test_gpu_check_tool.py)."""
import torch

from umbe.analysis.gpu_check import agreement


def test_agreement_figures():
    ref = torch.tensor([[10.0, 0.0], [0.0, 5.0]])
    got = torch.tensor([[9.0, 0.5], [0.0, 5.0]])
    a = agreement(ref, got, scale=100.0)
    assert a['max_abs_logit'] == 1.0 and a['max_abs_cos'] == 0.01
    assert a['top1_agree'] == 1.0 and 0 < a['max_abs_prob'] < 1e-3
    assert agreement(ref, ref.flip(1), 100.0)['top1_agree'] == 0.0
