"""tools/analysis/benchmark_infer.py as a user runs it (``main(argv)``)."""
import json
import os.path as osp

import pytest

ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


@pytest.fixture
def tool(tool_module):
    return tool_module('tools/analysis/benchmark_infer.py')


def test_benchmark_infer_splits_the_time(tool, tmp_path, capsys):
    out = tmp_path / 'bench.json'
    assert tool.main([
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
    assert set(row['peak_rss_gib']) == {'open', 'face_detection', 'windows'}
    assert row['frames_encoded'] == 2 * 12  # 8 + 4 new clip frames, x 2
    out = capsys.readouterr().out
    assert 'face_detection s' in out and 'peak RSS GiB' in out


def test_stream_mode(tool, tmp_path, capsys):
    out = tmp_path / 'stream.json'
    assert tool.main([
        '--seconds', '3', '--fps', '10', '--size', '160', '120', '--stream',
        '--json',
        str(out)
    ]) == 0
    (row, ) = json.loads(out.read_text())
    assert row['windows'] == 2 and row['dropped_windows'] == 0
    assert row['stream_seconds'] == pytest.approx(3.0)
    assert row['latency']['max'] >= row['latency']['mean'] > 0
    assert 'windows / s' in capsys.readouterr().out


def test_worker_and_the_alternating_order(tool, tmp_path, monkeypatch,
                                          capsys):
    video = tool.write_talking_video(
        str(tmp_path / 'v.mp4'), 3.0, 10, (160, 120), chunk=1.0)
    warm = tool.write_talking_video(
        str(tmp_path / 'w.mp4'), 1.0, 10, (160, 120))
    spec = dict(
        name='demo',
        code='this',
        variant='uncached',
        config=osp.join(ROOT, tool.DEMO),
        checkpoint=None,
        device='cpu',
        window=None,
        stride=None,
        det_fps=5.0,
        batch_size=8,
        threads=None,
        video=video,
        warmup=warm)
    row = tool.worker(spec)  # in this process
    assert row['windows'] == 2 and row['frames_encoded'] == 2 * 2 * 8
    assert row['phase_peak_rss_gib'] and row['peak_rss_gib'] > 0
    assert len(row['scores']) == 2

    calls = []

    def fake_run(spec, root):
        calls.append((spec['code'], spec['variant'], root))
        return dict(
            row,
            name=spec['name'],
            code=spec['code'],
            variant=spec['variant'],
            video_s_per_wall_s=2.0 if spec['code'] == 'this' else 1.0)

    monkeypatch.setattr(tool, 'run_worker', fake_run)
    out = tmp_path / 'runs.json'
    assert tool.main([
        '--video', video, '--baseline',
        str(tmp_path), '--variants', 'fp32,int8', '--repeats', '2', '--json',
        str(out)
    ]) == 0
    assert [c[:2] for c in calls] == [('baseline', 'fp32'), ('this', 'fp32'),
                                      ('this', 'int8')] * 2
    assert calls[0][2] == str(tmp_path) and calls[1][2] == ROOT
    printed = capsys.readouterr().out
    assert '| 2.00    |' in printed  # this / baseline
    res = json.loads(out.read_text())
    agree = res['agreement']['umbenet_demo']
    assert agree['this:int8']['top1_agreement'] == 1.0  # against this:fp32
    # random weights: another checkout's model is not compared
    assert agree['this:fp32']['top1_agreement'] is None
    assert 'not comparable' in agree['this:fp32']['note']
    with pytest.raises(SystemExit):
        tool.main(['--variants', 'fp16'])


def test_missing_video(tool, tmp_path, capsys):
    assert tool.main(['--video', str(tmp_path / 'none.mp4')]) == 2
    assert 'not found' in capsys.readouterr().err
