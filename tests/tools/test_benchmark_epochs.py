"""tools/analysis/benchmark_epochs.py as a user runs it: cached and
uncached epochs agree, and wrong inputs end with a message. The logic:
tests/analysis/test_epoch_benchmark.py."""
import json
import os.path as osp
import statistics

import pytest

import umbe  # noqa: F401  (before mmaction.models)
from umbe.datasets.feature_cache import read_manifest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
UNCACHED = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_frozen.py')
CACHED = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py')
TOOL = 'tools/analysis/benchmark_epochs.py'


def test_epochs_match_and_report_speedup(tiny_demo_root, tmp_path, capsys,
                                         tool_main):
    out = str(tmp_path / 'epochs.json')
    cache_root = str(tmp_path / 'cache')
    code = tool_main(TOOL)([
        UNCACHED, CACHED, '--epochs', '2', '--build-cache', '--data-root',
        tiny_demo_root, '--cache-root', cache_root, '--work-dir',
        str(tmp_path / 'runs'), '--json', out
    ])
    printed = capsys.readouterr().out
    assert code == 0
    r = json.load(open(out))
    for split, clips in (('train', 7), ('val', 7)):
        manifest = read_manifest(osp.join(cache_root, split))
        assert manifest['shapes']['num_clips'] == clips
    assert r['cache_build_s'] > 0
    for name in ('uncached', 'cached'):
        assert len(r[f'{name}_train_epoch_s']) == 2
        assert len(r[f'{name}_val_epoch_s']) == 2
        assert all(t > 0 for t in r[f'{name}_train_epoch_s'])
        assert len(r[f'{name}_val_UAR']) == 2
        assert all(0 <= x <= 100 for x in r[f'{name}_val_WAR'])
    # the same model, seed and masks: the cache changes no metric
    assert r['cached_val_UAR'] == r['uncached_val_UAR']
    assert r['cached_val_WAR'] == r['uncached_val_WAR']
    assert r['max_abs_diff_UAR'] == 0 and r['max_abs_diff_WAR'] == 0
    assert r['final_abs_diff_UAR'] == 0 and r['final_abs_diff_WAR'] == 0
    # the ratio is the one of the printed epochs (epoch 2 only here)
    assert r['train_epoch_speedup'] == pytest.approx(
        statistics.median(r['uncached_train_epoch_s'][1:]) /
        statistics.median(r['cached_train_epoch_s'][1:]), rel=0.02)
    assert 'cached is' in printed
    assert 'after the last epoch: 0.0 / 0.0 points' in printed
    # both runs wrote their logs and checkpoints to their own work dirs
    for name in ('uncached', 'cached'):
        assert osp.isfile(tmp_path / 'runs' / name / 'epoch_2.pth')


def test_refuses_a_missing_cache_and_other_models(tiny_demo_root,
                                                  tmp_path, tool_main):
    main = tool_main(TOOL)
    base = [
        '--epochs', '1', '--data-root', tiny_demo_root, '--work-dir',
        str(tmp_path / 'runs')
    ]
    with pytest.raises(SystemExit, match='--build-cache'):
        main(
            [UNCACHED, CACHED, '--cache-root',
             str(tmp_path / 'none')] + base)
    plain = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')
    with pytest.raises(SystemExit, match='model.vision_encoder differ'):
        main([plain, CACHED] + base)
    with pytest.raises(SystemExit, match='give the uncached config first'):
        main([CACHED, UNCACHED] + base)
