import json
import os.path as osp

import numpy as np
import pytest

from umbe.analysis.prompt_usage_plots import (plot_prompt_usage, run_panels,
                                              with_entropy)
from umbe.engine.hooks.prompt_statistics_hook import statistics_dict
from umbe.structures import NUM_SUBSETS, subset_mask


def write_run(folder, epochs_counts):
    """prompt_stats_epoch_N.json per (epoch, counts) and a final copy of
    the last, as PromptStatisticsHook writes them."""
    log_dir = folder / '20260101_000000'
    log_dir.mkdir(parents=True)
    for epoch, counts in epochs_counts:
        (log_dir / f'prompt_stats_epoch_{epoch}.json').write_text(
            json.dumps(statistics_dict(counts)))
    (log_dir / 'prompt_stats_final.json').write_text(
        json.dumps(statistics_dict(epochs_counts[-1][1])))
    return str(folder)


def counts_with(row_values):
    counts = np.zeros((NUM_SUBSETS, 4), dtype=np.int64)
    for mask, values in row_values.items():
        counts[mask] = values
    return counts


FACE, AUDIO = subset_mask(['face']), subset_mask(['audio'])
BOTH = subset_mask(['face', 'audio'])


@pytest.fixture
def two_stage_run(tmp_path):
    stage1 = counts_with({FACE: [4, 4, 0, 0], AUDIO: [0, 0, 4, 4]})
    stage2a = counts_with({BOTH: [6, 2, 0, 0]})  # reset at the switch
    stage2b = counts_with({BOTH: [12, 4, 0, 0]})
    return write_run(tmp_path / 'run', [(1, stage1), (2, stage2a),
                                        (3, stage2b)])


def test_stage_ends_and_entropy(two_stage_run):
    panels = run_panels([two_stage_run])
    assert [name for name, _ in panels] == ['epoch 1', 'final']
    stage1, final = panels[0][1], panels[1][1]
    assert stage1['entropy'] == pytest.approx(2.0)  # 4 prompts, equally
    assert stage1['max_entropy'] == pytest.approx(2.0)
    by_mask = {s['mask']: s for s in final['subsets']}
    p = np.array([12, 4]) / 16
    assert by_mask[BOTH]['entropy'] == pytest.approx(-(p * np.log2(p)).sum(),
                                                     abs=1e-5)
    # every file (final repeats epoch 3 and is drawn once)
    names = [n for n, _ in run_panels([two_stage_run], all_epochs=True)]
    assert names == ['epoch 1', 'epoch 2', 'final']


def test_old_files_get_entropy(tmp_path):
    stats = statistics_dict(counts_with({FACE: [1, 1, 0, 0]}))
    del stats['entropy'], stats['max_entropy']
    for s in stats['subsets']:
        del s['entropy']
    filled = with_entropy(stats)
    assert filled['entropy'] == pytest.approx(1.0)
    assert filled['max_entropy'] == pytest.approx(2.0)


def test_plot_one_figure(two_stage_run, tmp_path):
    path = str(tmp_path / 'usage.png')
    report = plot_prompt_usage(run_panels([two_stage_run]), path)
    with open(path, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    assert [r['prompts_used'] for r in report] == [4, 2]
    assert [r['selections'] for r in report] == [16, 16]


def test_missing_statistics(tmp_path):
    with pytest.raises(FileNotFoundError, match='no prompt_stats'):
        run_panels([str(tmp_path)])
    with pytest.raises(FileNotFoundError, match='does not exist'):
        run_panels([str(tmp_path / 'nope.json')])
    with pytest.raises(ValueError):
        plot_prompt_usage([], str(tmp_path / 'x.png'))
    assert not osp.exists(tmp_path / 'x.png')
