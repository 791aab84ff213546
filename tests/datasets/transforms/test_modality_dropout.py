import pytest
import torch

import umbe  # noqa: F401
from umbe.datasets.transforms.modality_dropout import (ModalityDropout,
                                                       UnimodalSample)
from umbe.registry import TRANSFORMS
from umbe.structures import MODALITIES


def random_present(gen):
    bits = torch.rand(len(MODALITIES), generator=gen) < 0.6
    return {m: bool(b) for m, b in zip(MODALITIES, bits)}


def test_dropout_never_empties_and_only_flips_true_to_false():
    gen = torch.Generator().manual_seed(0)
    t = TRANSFORMS.build(
        dict(type='ModalityDropout',
             drop_probs=dict(face=0.9, scene=0.9, audio=0.9, caption=0.9),
             seed=1))
    rescued = 0
    for _ in range(2000):
        present = random_present(gen)
        out = t(dict(present=dict(present)))['present']
        assert set(out) == set(present)
        for m in MODALITIES:
            assert not (out[m] and not present[m])  # absent stays absent
        if any(present.values()):
            assert any(out.values())
            rescued += sum(out.values()) == 1
        else:
            assert not any(out.values())
    assert rescued > 500  # p=0.9 empties most draws: the rescue is used


def test_dropout_rates_match_probabilities():
    t = ModalityDropout(drop_probs=dict(audio=0.25, caption=1.0), seed=3)
    n = 4000
    kept = {m: 0 for m in MODALITIES}
    for _ in range(n):
        out = t(dict(present={m: True for m in MODALITIES}))['present']
        for m in MODALITIES:
            kept[m] += out[m]
    assert kept['face'] == kept['scene'] == n  # p=0: never dropped
    assert kept['caption'] == 0
    assert abs(kept['audio'] / n - 0.75) < 0.03


def test_dropout_is_deterministic_under_a_seed():
    draws = []
    for _ in range(2):
        t = ModalityDropout(seed=7)
        draws.append([
            tuple(t(dict(present={m: True
                                  for m in MODALITIES}))['present'].values())
            for _ in range(50)
        ])
    assert draws[0] == draws[1]
    torch.manual_seed(5)
    a = [ModalityDropout()(dict(present={m: True for m in MODALITIES}))
         ['present'] for _ in range(20)]
    torch.manual_seed(5)
    b = [ModalityDropout()(dict(present={m: True for m in MODALITIES}))
         ['present'] for _ in range(20)]
    assert a == b


def test_unimodal_keeps_exactly_one_present():
    gen = torch.Generator().manual_seed(2)
    t = UnimodalSample(seed=0)
    chosen = {m: 0 for m in MODALITIES}
    for _ in range(2000):
        present = random_present(gen)
        out = t(dict(present=dict(present)))['present']
        assert sum(out.values()) == (1 if any(present.values()) else 0)
        for m in MODALITIES:
            assert not (out[m] and not present[m])
            chosen[m] += out[m]
    assert min(chosen.values()) > 300  # uniform: every modality chosen


def test_unimodal_weights():
    t = UnimodalSample(weights=dict(face=3, audio=1), seed=0)
    counts = {m: 0 for m in MODALITIES}
    n = 4000
    for _ in range(n):
        out = t(dict(present={m: True for m in MODALITIES}))['present']
        for m in MODALITIES:
            counts[m] += out[m]
    assert counts['scene'] == counts['caption'] == 0
    assert abs(counts['face'] / n - 0.75) < 0.03
    # only zero-weight modalities present: fall back to uniform among them
    out = t(dict(present=dict(face=False, scene=True, audio=False,
                              caption=False)))['present']
    assert out == dict(face=False, scene=True, audio=False, caption=False)


@pytest.mark.parametrize('kwargs, match', [
    (dict(drop_probs=dict(audio=1.5)), r'\[0, 1\].*1.5'),
    (dict(drop_probs=dict(video=0.1)), r"'video'.*'face', 'scene'"),
])
def test_dropout_arguments_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ModalityDropout(**kwargs)


@pytest.mark.parametrize('kwargs, match', [
    (dict(weights=dict(audio=-1)), r'>= 0.*-1'),
    (dict(weights=dict(text=1)), r"'text'.*'audio', 'caption'"),
    (dict(weights=dict(audio=0)), 'positive'),
])
def test_unimodal_arguments_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        UnimodalSample(**kwargs)
