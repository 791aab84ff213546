"""tools/analysis/benchmark.py as a user runs it, and the names that
scripts loading it by path use (/work/shared/anchors/side_by_side.py). The
measurements: tests/analysis/test_step_benchmark.py."""
import json
import os.path as osp

import pytest

import umbe.analysis

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
TOOL = 'tools/analysis/benchmark.py'
CACHED = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py')


def test_run_prints_and_writes_the_numbers(tool_main, tmp_path, capsys):
    """No dataset on disk: synthetic batches, the loader not timed."""
    out = tmp_path / 'bench.json'
    code = tool_main(TOOL)([
        CACHED, '--batch-size', '1', '--steps', '1', '--warmup', '0',
        '--pretrained', 'none', '--json',
        str(out), '--cfg-options',
        f'train_dataloader.dataset.source.data_root={tmp_path / "none"}'
    ])
    assert code == 0
    r = json.loads(out.read_text())
    printed = capsys.readouterr().out
    assert 'synthetic batches, the loader is not timed' in printed
    assert 'train total s/step' in printed and 'cached is' in printed
    assert f'umbenet_demo_cached.py {r["device"]} batch 1' in printed
    assert r['batch_size'] == 1 and r['steps'] == 1 and r['amp'] is False
    assert r['loader_clips_per_s'] is None
    assert 'loader_over_uncached_step' not in r
    assert r['train_cached_total_s'] > 0 and r['gflops_per_clip_frozen'] > 0


def test_cached_needs_a_built_cache(tool_main, tiny_demo_root, tmp_path):
    with pytest.raises(SystemExit, match='--cached needs a cached config'):
        tool_main(TOOL)([
            CACHED, '--cached', '--steps', '1', '--warmup', '0',
            '--num-workers', '0', '--cfg-options',
            f'train_dataloader.dataset.source.data_root={tiny_demo_root}',
            f'train_dataloader.dataset.cache_dir={tmp_path / "none"}'
        ])


def test_names_kept_for_scripts_that_load_it_by_path(tool_module):
    bench = tool_module(TOOL)
    for name in ('set_random_towers', 'source_dataset_cfg',
                 'synthetic_batch', 'train_step_times', 'inference_times'):
        assert getattr(bench, name) is getattr(umbe.analysis, name), name
