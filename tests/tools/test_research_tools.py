"""tools/extract_features.py, and the zero-shot config through tools/test.py
and tools/infer.py with the checkpoint ``none`` (tiny random towers)."""
import json
import os.path as osp

import numpy as np
import pytest

from umbe.apis import load_features, reproduce_logits
from umbe.testing.synthetic_video import face_frames, tone, write_video

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')
ZERO_SHOT = osp.join(REPO, 'configs', 'umbenet', 'zero_shot',
                     'zero_shot_clip_demo.py')


def point_at(root):
    opts = []
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.dataset.data_root={root}',
                 f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False']
    return opts


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('v') / 'talk.mp4')
    return write_video(path, face_frames(2.0, 10), 10, audio=tone(2.0))


def test_extract_split_and_videos(tool_main, tiny_demo_root, demo_checkpoint,
                                  video, tmp_path, capsys):
    extract = tool_main('tools/extract_features.py')
    out = str(tmp_path / 'feats.npz')
    assert extract([DEMO, demo_checkpoint, 'val', '--out', out,
                    '--cfg-options', *point_at(tiny_demo_root)]) == 0
    assert '7 clips: fused (7, 64)' in capsys.readouterr().out
    a = load_features(out)
    with open(osp.join(tiny_demo_root, 'annotations', 'val.json')) as f:
        assert a['clip_ids'].tolist() == [r['clip_id'] for r in json.load(f)]
    assert str(a['source']) == 'split:val'
    np.testing.assert_allclose(reproduce_logits(a), a['logits'], atol=1e-4)

    out = str(tmp_path / 'videos.npz')
    assert extract([DEMO, demo_checkpoint, video, '--out', out,
                    '--modalities', 'video,audio']) == 0
    a = load_features(out)
    assert a['clip_ids'].tolist() == [video]
    assert a['present'][0].tolist() == [True, True, True, False]


def test_extract_errors(tool_main, demo_checkpoint, tmp_path, capsys):
    extract = tool_main('tools/extract_features.py')
    with pytest.raises(SystemExit):
        extract([DEMO, demo_checkpoint, 'test', '--out', 'f.pkl'])
    assert 'use a .npz file name' in capsys.readouterr().err
    out = str(tmp_path / 'f.npz')
    assert extract([DEMO, 'none', 'test', '--out', out]) == 2
    assert 'zero-shot config' in capsys.readouterr().err
    assert not osp.exists(out)


def test_zero_shot_test_without_checkpoint(tool_main, tiny_demo_root,
                                           tmp_path, monkeypatch, capsys):
    monkeypatch.setenv('LOCAL_RANK', '0')
    tool_main('tools/test.py')([
        ZERO_SHOT, 'none', '--work-dir', str(tmp_path), '--cfg-options',
        *point_at(tiny_demo_root)
    ])
    out = capsys.readouterr().out
    assert 'UAR' in out and '| WAR      | 7 ' in out


def test_test_refuses_none_for_umbenet(tool_exit, tiny_demo_root, tmp_path):
    message = tool_exit('tools/test.py', DEMO, 'none', '--work-dir',
                        str(tmp_path))
    assert 'UMBEnet has trainable parts' in message


def test_zero_shot_infer_and_extract(tool_main, video, tmp_path, capsys):
    res = tmp_path / 'res.json'
    assert tool_main('tools/infer.py')(
        [ZERO_SHOT, 'none', video, '--out', str(res)]) == 0
    saved = json.loads(res.read_text())
    assert saved['checkpoint'] == 'none'
    assert saved['videos'][0]['overall'] is not None
    out = str(tmp_path / 'zs.npz')
    assert tool_main('tools/extract_features.py')(
        [ZERO_SHOT, 'none', video, '--out', out]) == 0
    a = load_features(out)
    assert a['prompt_ids'].shape == (1, 0)  # no prompt pool
    assert a['class_embeddings'].shape == (1, 7, 64)
    np.testing.assert_allclose(reproduce_logits(a), a['logits'], atol=1e-4)
