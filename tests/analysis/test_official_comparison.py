"""umbe.analysis.official_comparison without the public code: its figures
and verdict."""
import math

import pytest
import torch

from umbe.analysis import official_comparison


def figures(logits=0.0, loss=0.0, grad=0.0, mismatch=()):
    fig = dict(max_abs=0.0, max_rel=0.0)
    return dict(
        train=dict(logits=dict(fig, max_rel=logits),
                   loss=dict(fig, max_rel=loss),
                   grads={'a.weight': dict(fig, max_rel=grad)}),
        eval=dict(logits=dict(fig), loss=dict(fig)),
        no_grad=dict(mismatch=list(mismatch)))


def test_compare_is_max_abs_over_max_public():
    public = torch.tensor([1.0, -4.0, 2.0])
    ours = torch.tensor([1.0, -4.0004, 2.0002])
    fig = official_comparison.compare(ours, public)
    assert fig['max_abs'] == pytest.approx(4e-4, rel=1e-3)
    assert fig['max_rel'] == pytest.approx(1e-4, rel=1e-3)
    assert official_comparison.compare(torch.zeros(2), torch.zeros(2)) == dict(
        max_abs=0.0, max_rel=0.0)
    assert math.isinf(official_comparison.compare(
        torch.ones(2), torch.zeros(2))['max_rel'])
    with pytest.raises(ValueError, match='shapes differ'):
        official_comparison.compare(torch.zeros(2), torch.zeros(3))


def test_verdict_holds_every_figure_to_its_target():
    ok, line = official_comparison.verdict(figures(logits=5e-5, grad=5e-4))
    assert ok and 'worst' in line
    assert not official_comparison.verdict(figures(logits=2e-4))[0]
    ok, line = official_comparison.verdict(figures(grad=2e-3))
    assert not ok and 'grad a.weight' in line
    assert not official_comparison.verdict(figures(mismatch=['x.keys']))[0]
