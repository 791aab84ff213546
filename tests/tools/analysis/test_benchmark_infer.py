"""tools/analysis/benchmark_infer.py as a user runs it (``main(argv)``)."""
import importlib.util
import json
import os.path as osp

import pytest

ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def _tool():
    spec = importlib.util.spec_from_file_location(
        'benchmark_infer_tool',
        osp.join(ROOT, 'tools', 'analysis', 'benchmark_infer.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_benchmark_infer_splits_the_time(tmp_path, capsys):
    out = tmp_path / 'bench.json'
    assert _tool().main([
        '--seconds', '3', '--fps', '10', '--size', '160', '120', '--json',
        str(out)
    ]) == 0
    (row, ) = json.loads(out.read_text())
    assert row['name'] == 'umbenet_demo' and row['windows'] == 2
    assert row['window'] == 2.0  # the demo config's clip seconds
    assert row['video_seconds'] == pytest.approx(3.0)
    assert row['video_s_per_wall_s'] == pytest.approx(3.0 /
                                                      row['wall_seconds'])
    stages = [
        row[k] for k in ('decode', 'face_detection', 'pipeline', 'model')
    ]
    assert all(v > 0 for v in stages)
    assert sum(stages) <= row['wall_seconds'] + 1e-6
    assert 'face_detection s' in capsys.readouterr().out


def test_missing_video(tmp_path, capsys):
    assert _tool().main(['--video', str(tmp_path / 'none.mp4')]) == 2
    assert 'not found' in capsys.readouterr().err
