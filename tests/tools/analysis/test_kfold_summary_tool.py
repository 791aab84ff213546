"""tools/analysis/kfold_summary.py as a user runs it: tables printed,
summary written, missing work dirs and results end with a message. The
summary itself: tests/analysis/test_kfold_summary.py."""
import json
import os

import pytest

TOOL = 'tools/analysis/kfold_summary.py'


def write_fold(root, k, uar, war):
    """A fold's work dir after one tools/test.py run on its best epoch."""
    work_dir = root / f'umbenet_mafw_fold{k}'
    run = work_dir / '20260102_000000'
    os.makedirs(run)
    (run / '20260102_000000.json').write_text(json.dumps(dict(UAR=uar,
                                                              WAR=war)))
    (run / '20260102_000000.log').write_text(
        f'INFO - Load checkpoint from {work_dir}/best_UAR_epoch_9.pth\n')
    return str(work_dir)


def test_tables_and_summary(tool_main, tmp_path, capsys):
    dirs = [write_fold(tmp_path, k, 40.0 + k, 50.0 + k) for k in (1, 2)]
    out = tmp_path / 'summary.json'
    result = tool_main(TOOL)(dirs + ['--out', str(out)])
    printed = capsys.readouterr().out
    assert 'ours, best epoch' in printed and '41.50 ± 0.71' in printed
    assert 'FineCLIPER' in printed and '45.01' in printed  # mafw, guessed
    assert 'WARNING: 2 folds with a best epoch' in printed
    assert json.loads(out.read_text()) == json.loads(json.dumps(result))
    assert result['summary']['best']['n'] == 2


def test_missing_dirs_and_results_end_with_a_message(tool_main, tmp_path,
                                                     capsys):
    main = tool_main(TOOL)
    with pytest.raises(SystemExit, match='work dirs not found'):
        main([str(tmp_path / 'nope')])
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SystemExit, match='no test results found'):
        main([str(tmp_path / 'empty'), '--dataset', 'dfew'])
    assert 'no test result in' in capsys.readouterr().out
