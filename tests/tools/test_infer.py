"""tools/infer.py on real videos: folders, lists, outputs, failures."""
import csv
import importlib.util
import json
import os.path as osp

import decord
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import save_checkpoint

import umbe  # noqa: F401  (before mmaction.models)
from umbe.testing.synthetic_video import face_frames, tone, write_video

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')
spec = importlib.util.spec_from_file_location(
    'infer_tool', osp.join(ROOT, 'tools', 'infer.py'))
infer_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(infer_tool)


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp('videos')
    write_video(
        str(root / 'a_talk.mp4'), face_frames(5.0, 10), 10, audio=tone(5.0))
    sub = root / 'sub'
    sub.mkdir()
    write_video(
        str(sub / 'b_pair.mkv'),
        face_frames(2.0, 10, faces=((.27, .5, .4), (.75, .5, .3))), 10)
    data = (root / 'a_talk.mp4').read_bytes()
    (root / 'c_truncated.mp4').write_bytes(data[:len(data) // 3])
    (root / 'd_text.avi').write_text('not a video')
    (root / 'notes.txt').write_text('ignored: not a video extension')
    return root


def run(argv, capsys):
    code = infer_tool.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_folder_run_json_show_dir_and_failures(demo_checkpoint, folder,
                                               tmp_path, capsys):
    out, show = tmp_path / 'res.json', tmp_path / 'show'
    code, stdout, stderr = run([
        CONFIG, demo_checkpoint, folder, '--window', 2, '--stride', 1, '--out',
        out, '--show-dir', show
    ], capsys)
    assert code == 1  # two bad files, reported at the end
    res = json.loads(out.read_text())
    assert res['classes'] == list(Config.fromfile(CONFIG).classes)
    names = [osp.basename(v['video']) for v in res['videos']]
    assert names == ['a_talk.mp4', 'b_pair.mkv']
    failed = {osp.basename(f['video']): f['error'] for f in res['failures']}
    assert set(failed) == {'c_truncated.mp4', 'd_text.avi'}
    assert all('cannot decode the video' in e for e in failed.values())
    talk, pair = res['videos']
    assert len(talk['windows']) == 4  # ceil((5 - 2) / 1) + 1
    assert [w['start'] for w in talk['windows']] == [0, 1, 2, 3]
    for w in talk['windows']:
        assert w['face_found'] and w['modalities'] == [
            'face', 'scene', 'audio'
        ]
        assert set(w['scores']) == set(res['classes'])
        assert w['smoothed_class'] in res['classes']
    assert talk['overall']['num_windows'] == 4
    assert len(pair['windows']) == 1
    assert any('no audio track' in n for n in pair['notes'])
    assert 'failures' in stdout and 'c_truncated.mp4' in stdout
    assert '2 of 4 video(s) done' in stdout
    assert 'a_talk.mp4' in stdout and 'overall:' in stdout
    for stem, frames in (('a_talk', 50), ('b_pair', 20)):
        video = show / f'{stem}_annotated.mp4'
        assert len(decord.VideoReader(str(video))) == frames
        assert (show / f'{stem}_timeline.png').stat().st_size > 1000


def test_list_input_csv_whole_video_and_modalities(demo_checkpoint, folder,
                                                   tmp_path, capsys):
    listing = folder / 'list.txt'
    listing.write_text('# my videos\na_talk.mp4\n\nsub/b_pair.mkv\n')
    out = tmp_path / 'res.csv'
    code, stdout, _ = run([
        CONFIG, demo_checkpoint, listing, '--window', 0, '--modalities',
        'video', '--out', out
    ], capsys)
    assert code == 0
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2  # --window 0: one clip per video
    assert [osp.basename(r['video'])
            for r in rows] == ['a_talk.mp4', 'b_pair.mkv']
    for r in rows:
        assert r['modalities'] == 'face+scene'
        probs = [
            float(r[f'p_{c}']) for c in ('happy', 'sad', 'neutral', 'angry',
                                         'surprise', 'disgust', 'fear')
        ]
        assert sum(probs) == pytest.approx(1.0, abs=1e-4)
        assert r['pred_class'] == r['smoothed_class']


def test_all_faces_csv(demo_checkpoint, folder, tmp_path, capsys):
    out = tmp_path / 'res.csv'
    code, stdout, _ = run([
        CONFIG, demo_checkpoint, folder / 'sub' / 'b_pair.mkv', '--window', 1,
        '--stride', 1, '--all-faces', '--out', out
    ], capsys)
    assert code == 0
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert sorted((r['person'], r['window']) for r in rows) == [('0', '0'),
                                                                ('0', '1'),
                                                                ('1', '0'),
                                                                ('1', '1')]
    assert 'b_pair.mkv person 1' in stdout


def test_argument_and_input_errors(demo_checkpoint, folder, tmp_path, capsys):
    for argv in (['--out', 'res.txt'], ['--modalities',
                                        'smell'], ['--window',
                                                   -1], ['--smooth', 2]):
        with pytest.raises(SystemExit):
            infer_tool.main(
                [CONFIG, demo_checkpoint, str(folder)] +
                [str(a) for a in argv])
    code, _, err = run([CONFIG, demo_checkpoint, tmp_path / 'nothing'], capsys)
    assert code == 2 and 'no such file or folder' in err
    code, _, err = run([CONFIG, demo_checkpoint, tmp_path], capsys)
    assert code == 2 and 'no videos' in err
    empty = tmp_path / 'empty.txt'
    empty.write_text('# nothing yet\n')
    code, _, err = run([CONFIG, demo_checkpoint, empty], capsys)
    assert code == 2 and 'names no videos' in err
    code, stdout, err = run([CONFIG, demo_checkpoint, folder / 'notes.txt'],
                            capsys)  # a list naming a missing file
    assert code == 1 and 'no such file' in err and 'failures' in stdout
    blank = tmp_path / 'blank.mp4'
    write_video(str(blank), face_frames(1.0, 10, faces=()), 10)
    code, stdout, _ = run([CONFIG, demo_checkpoint, blank], capsys)
    assert code == 0 and 'no window scored in 1 video(s)' in stdout
    bad = tmp_path / 'bad.pth'
    save_checkpoint(dict(state_dict={}), str(bad))
    code, _, err = run([CONFIG, bad, folder / 'a_talk.mp4'], capsys)
    assert code == 2 and 'does not fit' in err and 'umbenet_demo.py' in err


class HaarAsYuNet:
    """cv2.FaceDetectorYN stand-in: the Haar cascade's boxes as YuNet rows
    (the tests have no YuNet ONNX file)."""
    calls = 0

    def __init__(self, model, config, size, score, nms):
        import cv2
        self.cascade = cv2.CascadeClassifier(
            cv2.data.haarcascades + 'haarcascade_frontalface_default.xml')

    def setInputSize(self, size):
        self.size = size

    def detect(self, bgr):
        import cv2
        import numpy as np
        HaarAsYuNet.calls += 1
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        boxes = self.cascade.detectMultiScale(gray, 1.1, 4)
        if not len(boxes):
            return 0, None
        rows = np.zeros((len(boxes), 15), np.float32)
        rows[:, :4] = boxes
        rows[:, 14] = 0.9
        return len(boxes), rows


def test_detector_yunet_and_int8_options(demo_checkpoint, folder, tmp_path,
                                         capsys, monkeypatch):
    import cv2
    video = folder / 'a_talk.mp4'
    base = [CONFIG, demo_checkpoint, video, '--window', 2, '--stride', 1]
    code, _, _ = run(base + ['--out', tmp_path / 'haar.json'], capsys)
    assert code == 0
    haar = json.loads((tmp_path / 'haar.json').read_text())['videos'][0]

    monkeypatch.setattr(cv2.FaceDetectorYN, 'create', HaarAsYuNet)
    model = tmp_path / 'face_detection_yunet_2023mar.onnx'
    model.write_bytes(b'stand-in')
    code, _, err = run(
        base + [
            '--detector', 'yunet', '--yunet-model', model, '--out',
            tmp_path / 'yunet.json'
        ], capsys)
    assert code == 0, err
    assert HaarAsYuNet.calls == 26  # 5 per second of 5 s, and the last
    yunet = json.loads((tmp_path / 'yunet.json').read_text())['videos'][0]
    for a, b in zip(haar['windows'], yunet['windows']):  # same tracking
        assert a['face_found'] == b['face_found'] and b['face_found']
        assert np.abs(np.array(a['face_box']) - b['face_box']).max() <= 1

    code, _, err = run(base + ['--int8', '--out', tmp_path / 'q.json'], capsys)
    assert code == 0, err
    q = json.loads((tmp_path / 'q.json').read_text())['videos'][0]
    for a, b in zip(haar['windows'], q['windows']):
        diff = max(abs(a['scores'][c] - b['scores'][c]) for c in a['scores'])
        assert 0 < diff < 0.05  # int8 towers: close, not equal

    for argv in (['--detector',
                  'yunet'], ['--yunet-model',
                             model], ['--int8', '--device', 'cuda']):
        with pytest.raises(SystemExit):
            infer_tool.main([str(a) for a in base + argv])
    code, _, err = run(
        base + ['--detector', 'yunet', '--yunet-model', tmp_path / 'x.onnx'],
        capsys)
    assert code == 2 and 'opencv_zoo' in err
