"""tools/stream.py on a file played as a live stream."""
import importlib.util
import json
import os.path as osp

import pytest

import umbe  # noqa: F401  (before mmaction.models)
from umbe.testing.synthetic_video import face_frames, tone, write_video

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')
spec = importlib.util.spec_from_file_location(
    'stream_tool', osp.join(ROOT, 'tools', 'stream.py'))
stream_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stream_tool)


@pytest.fixture(scope='module')
def talk(tmp_path_factory):
    root = tmp_path_factory.mktemp('stream_tool')
    return write_video(
        str(root / 'talk.mp4'), face_frames(3.0, 10), 10, audio=tone(3.0))


def run(argv, capsys):
    code = stream_tool.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lines_on_stdout_and_logs_on_stderr(demo_checkpoint, talk,
                                                 capsys):
    code, out, err = run([
        CONFIG, demo_checkpoint, '--source', talk, '--window', 2, '--stride', 1
    ], capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x['window'], x['start'], x['end'])
            for x in lines] == [(0, 0.0, 2.0), (1, 1.0, 3.0)]
    for x in lines:
        assert set(x) >= {
            'wall_time', 'latency', 'scores', 'smoothed_scores', 'modalities',
            'dropped', 'face_box', 'track_id'
        }
        assert x['modalities'] == ['face', 'scene', 'audio']
        assert sum(x['smoothed_scores'].values()) == pytest.approx(1, 1e-4)
    assert '10 fps, sound: yes; window 2 s every 1 s' in err
    summary = json.loads(err.split('summary: ')[1])
    assert summary['windows'] == 2 and summary['dropped_windows'] == 0


def test_out_file_int8_max_seconds_and_errors(demo_checkpoint, talk, tmp_path,
                                              capsys):
    out = tmp_path / 'lines.jsonl'
    code, stdout, err = run([
        CONFIG, demo_checkpoint, '--source', talk, '--window', 1, '--stride',
        1, '--out', out, '--int8', '--max-seconds', 2, '--speed', 4
    ], capsys)
    assert code == 0 and stdout == ''
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [x['window'] for x in lines] == [0]  # 1 waits for frame 20
    for argv in (['--window',
                  0], ['--detector',
                       'yunet'], ['--int8', '--device',
                                  'cuda'], ['--modalities', 'smell']):
        with pytest.raises(SystemExit):
            stream_tool.main([CONFIG, demo_checkpoint, '--source',
                              str(talk)] + [str(a) for a in argv])
    code, _, err = run(
        [CONFIG, demo_checkpoint, '--source', tmp_path / 'none.mp4'], capsys)
    assert code == 2 and 'not a camera index, a file or a URL' in err
