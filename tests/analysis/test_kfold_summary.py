"""k-fold summary: the newest result of each kind per fold, mean ± std,
the tables beside the published numbers."""
import json
import os
import os.path as osp
import statistics

import pytest

from umbe.analysis.kfold_summary import (guess_dataset, kfold_tables,
                                         read_test_results, summarize_folds)


def write_test_run(work_dir, stamp, checkpoint, uar, war):
    """What the runner leaves after tools/test.py: metrics JSON and log."""
    folder = osp.join(work_dir, stamp)
    os.makedirs(folder, exist_ok=True)
    with open(osp.join(folder, f'{stamp}.json'), 'w') as f:
        json.dump({'UAR': uar, 'WAR': war, 'recall/happy': 50.0}, f)
    with open(osp.join(folder, f'{stamp}.log'), 'w') as f:
        f.write(f'2026/01/01 00:00:00 - mmengine - INFO - Load checkpoint '
                f'from {checkpoint}\n')


def make_fold(root, k, last, best):
    work_dir = str(root / f'umbenet_dfew_fold{k}')
    # a training run: its JSON-lines log must be ignored
    train = osp.join(work_dir, '20260101_000000')
    os.makedirs(osp.join(train, 'vis_data'))
    with open(osp.join(train, 'vis_data', '20260101_000000.json'), 'w') as f:
        f.write('{"UAR": 1.0, "WAR": 2.0, "epoch": 1}\n{"UAR": 3.0}\n')
    write_test_run(work_dir, '20260102_000000', f'{work_dir}/epoch_30.pth',
                   99.0, 99.0)  # replaced by the newer run below
    write_test_run(work_dir, '20260103_000000', f'{work_dir}/epoch_30.pth',
                   *last)
    write_test_run(work_dir, '20260104_000000',
                   f'{work_dir}/best_UAR_epoch_12.pth', *best)
    return work_dir


def test_mean_std_over_folds(tmp_path):
    lasts = [(60.0, 70.0), (62.0, 71.0), (64.0, 72.0), (66.0, 74.0),
             (63.0, 73.0)]
    bests = [(u + 1, w + 0.5) for u, w in lasts]
    dirs = [make_fold(tmp_path, k + 1, lasts[k], bests[k]) for k in range(5)]
    assert guess_dataset(dirs) == 'dfew'
    runs = read_test_results(dirs[1])
    assert runs['last']['UAR'] == 62.0  # the newer of the two runs
    assert runs['best']['checkpoint'].endswith('best_UAR_epoch_12.pth')
    result = summarize_folds(dirs, 'dfew')
    last = result['summary']['last']
    assert last['n'] == 5
    assert last['UAR_mean'] == pytest.approx(63.0)
    assert last['UAR_std'] == pytest.approx(
        statistics.stdev([u for u, _ in lasts]))
    assert result['summary']['best']['WAR_mean'] == pytest.approx(
        statistics.mean(w for _, w in lasts) + 0.5)
    printed = kfold_tables(result)
    assert 'ours, last epoch' in printed and 'ours, best epoch' in printed
    assert '63.00 ± 2.24' in printed
    assert 'UMBEnet (paper)' in printed and '64.55' in printed
    assert 'MMA-DFER (audio-visual)' in printed and '77.51' in printed
    assert 'WARNING' not in printed
    assert json.loads(json.dumps(result))['summary']['last']['n'] == 5


def test_missing_folds_are_warned(tmp_path):
    dirs = [make_fold(tmp_path, 1, (50.0, 60.0), (51.0, 61.0))]
    (tmp_path / 'empty').mkdir()
    result = summarize_folds(dirs + [str(tmp_path / 'empty')], 'mafw')
    assert result['folds'][str(tmp_path / 'empty')] == {}
    printed = kfold_tables(result)
    assert 'the mafw protocol has 5' in printed and '58.52' in printed
    assert summarize_folds([str(tmp_path / 'empty')])['summary'] == {}
    assert guess_dataset([str(tmp_path / 'empty')]) is None
