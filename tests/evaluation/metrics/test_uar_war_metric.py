"""UARWARMetric against a hand-computed prediction set."""
import json
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample

import umbe  # noqa: F401
from umbe.evaluation import UARWARMetric
from umbe.registry import METRICS

CLASSES = ('happy', 'sad', 'neutral', 'angry')
# (true, predicted) pairs. happy: 3/4 right; sad: 1/2; neutral: never
# predicted (0/3); angry: no samples at all, but predicted once.
PAIRS = [(0, 0), (0, 0), (0, 0), (0, 3), (1, 1), (1, 0), (2, 0), (2, 1),
         (2, 1)]


def _samples(pairs, num_classes=len(CLASSES), as_dict=True):
    out = []
    for true, pred in pairs:
        score = torch.full((num_classes, ), 0.1)
        score[pred] = 0.9
        sample = ActionDataSample().set_gt_label(true)
        sample.set_pred_score(score)
        out.append(sample.to_dict() if as_dict else sample)
    return out


def _evaluate(metric, pairs, batch_size=2):
    samples = _samples(pairs)
    for i in range(0, len(samples), batch_size):
        metric.process(None, samples[i:i + batch_size])
    return metric.evaluate(len(samples))


def test_hand_computed_uar_war(tmp_path):
    metric = METRICS.build(dict(type='UARWARMetric', out_dir=str(tmp_path)))
    metric.dataset_meta = dict(classes=CLASSES)
    res = _evaluate(metric, PAIRS)
    # WAR = (3 + 1 + 0) / 9; UAR over the 3 classes with samples.
    assert res['WAR'] == pytest.approx(100 * 4 / 9)
    assert res['UAR'] == pytest.approx(100 * (3 / 4 + 1 / 2 + 0) / 3)
    assert res['recall/happy'] == pytest.approx(75.0)
    assert res['recall/sad'] == pytest.approx(50.0)
    assert res['recall/neutral'] == 0.0
    assert math.isnan(res['recall/angry'])
    # The matrix is written next to the logs with the class names.
    saved = json.load(open(tmp_path / 'confusion_matrix.json'))
    assert saved['classes'] == list(CLASSES)
    assert saved['matrix'] == [[3, 0, 0, 1], [1, 1, 0, 0], [1, 2, 0, 0],
                               [0, 0, 0, 0]]
    assert (tmp_path / 'confusion_matrix.png').stat().st_size > 1000


def test_whole_split_not_per_batch(tmp_path):
    # Batch-averaged UAR would differ: batches of 2 give other recalls.
    results = []
    for bs in (1, 2, 4, 9):
        metric = UARWARMetric(save_confusion_matrix=False)
        metric.dataset_meta = dict(classes=CLASSES)
        results.append(_evaluate(metric, PAIRS, batch_size=bs)['UAR'])
    assert np.allclose(results, results[0])
    assert metric.results == []  # reset after evaluate


def test_table_printed_with_class_names(tmp_path):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('uar_war_table', log_file=str(tmp_path / 'a.log'))
    metric = UARWARMetric(save_confusion_matrix=False, tag='video')
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process(None, _samples(PAIRS, as_dict=False))
    metric.evaluate(len(PAIRS))
    out = (tmp_path / 'a.log').read_text()
    for name in CLASSES:
        assert name in out
    assert 'UAR / WAR (video)' in out and '44.44' in out and '41.67' in out


def test_pred_label_only_and_no_classes_meta():
    metric = UARWARMetric(save_confusion_matrix=False)
    metric.process(None, [
        dict(pred_label=torch.tensor([1]), gt_label=torch.tensor([1])),
        dict(pred_label=torch.tensor([0]), gt_label=torch.tensor([1])),
        dict(pred_label=torch.tensor([0]), gt_label=torch.tensor([0])),
    ])
    res = metric.evaluate(3)
    assert res['UAR'] == pytest.approx(75.0)
    assert res['WAR'] == pytest.approx(100 * 2 / 3)
    assert set(res) == {'UAR', 'WAR', 'recall/0', 'recall/1'}


def test_out_of_range_label_is_clear():
    metric = UARWARMetric(save_confusion_matrix=False)
    metric.dataset_meta = dict(classes=('a', 'b'))
    metric.process(None, _samples([(5, 0)], num_classes=2))
    with pytest.raises(ValueError, match='out of range'):
        metric.evaluate(1)


def test_saves_in_log_dir_by_default(tmp_path):
    from mmengine.logging import MMLogger
    MMLogger.get_instance(
        'uar_war_test', log_file=str(tmp_path / 'run.log'))
    metric = UARWARMetric(tag='audio')
    metric.dataset_meta = dict(classes=CLASSES)
    _evaluate(metric, PAIRS)
    assert osp.isfile(tmp_path / 'confusion_matrix_audio.png')
