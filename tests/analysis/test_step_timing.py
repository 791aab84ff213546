"""Train and inference step timing; the cached step skips the towers."""
import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import (frozen_features, inference_times,
                           paired_median_times, train_step_times)

PHASES = ('preprocess', 'forward', 'backward', 'optimizer', 'total')


@pytest.fixture(scope='module')
def demo(demo_cached):
    cfg, model, batch = demo_cached
    return model, build_optim_wrapper(model, cfg.optim_wrapper), batch


def test_train_step_phases_and_no_gradient_in_the_towers(demo):
    model, optim_wrapper, batch = demo
    stats = {}
    before = {k: v.clone() for k, v in model.temporal.state_dict().items()}
    times = train_step_times(model, optim_wrapper, copy.deepcopy(batch),
                             stats=stats)
    assert tuple(times) == PHASES and all(t > 0 for t in times.values())
    assert sum(times[p] for p in PHASES[:-1]) == pytest.approx(
        times['total'])
    assert stats == dict(frozen_params_with_grad=0)
    assert any(not torch.equal(before[k], v)
               for k, v in model.temporal.state_dict().items())


def test_cached_steps_run_from_the_features(demo, monkeypatch):
    model, optim_wrapper, batch = demo
    feats = frozen_features(model, batch)
    assert feats['face'].shape[:2] == (2, 8) and feats['caption'].ndim == 2
    assert all(not f.requires_grad for f in feats.values())
    # the features stand for the towers: same logits
    with torch.no_grad():
        data = model.data_preprocessor(copy.deepcopy(batch), False)
        uncached = model(**data, mode='tensor')
        data['inputs']['frozen_features'] = feats
        assert torch.allclose(model(**data, mode='tensor'), uncached,
                              atol=1e-5)

    def no_towers(*args, **kwargs):
        raise AssertionError('the towers ran')

    monkeypatch.setattr(model, 'extract_frozen_features', no_towers)
    times = train_step_times(model, optim_wrapper, copy.deepcopy(batch),
                             feats)
    assert times['total'] > 0
    assert list(inference_times(model, copy.deepcopy(batch), feats)) == [
        'total'
    ]
    with pytest.raises(AssertionError, match='the towers ran'):
        inference_times(model, copy.deepcopy(batch))


def test_paired_median_times_alternate_and_take_medians():
    calls = []

    def timed(name, values):
        it = iter(values)
        return lambda: calls.append(name) or dict(total=next(it))

    a, b = paired_median_times(
        [timed('a', [9, 1, 5, 3]), timed('b', [7, 2, 4, 6])], 3, 1)
    assert calls == ['a', 'b'] * 4  # warm-up round, then 3 rounds
    assert a['total'] == 3 and b['total'] == 4  # medians of rounds 2-4
    assert set(a['memory']) >= {'cpu_rss_gib'}
