"""umbe.apis: checkpoint checks, equality with tools/test.py, video runs."""
import glob
import json
import os
import os.path as osp
import pickle
import sys

import cv2
import decord
import numpy as np
import pytest
import soundfile as sf
import torch
from mmengine.runner import save_checkpoint

from umbe.apis import (AudioSegment, inference_recognizer, infer_video,
                       init_recognizer)
from umbe.datasets.transforms import LoadAudio

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')


# ------------------------------------------------------------ checkpoints
def test_class_list_mismatch_is_refused(demo_model, tmp_path):
    path = str(tmp_path / 'other_classes.pth')
    save_checkpoint(
        dict(
            state_dict=demo_model.state_dict(),
            meta=dict(
                dataset_meta=dict(
                    classes=list(reversed(demo_model.classes))))), path)
    with pytest.raises(ValueError, match='trained on the classes') as err:
        init_recognizer(CONFIG, path, 'cpu')
    assert path in str(err.value) and 'umbenet_demo.py' in str(err.value)


def test_config_mismatch_is_refused(demo_model, tmp_path):
    state = dict(demo_model.state_dict())
    key = next(k for k in state if k.endswith('weight') and state[k].ndim)
    state[key] = torch.zeros(3, *state[key].shape)
    dropped = sorted(state)[-1]
    del state[dropped]
    path = str(tmp_path / 'other_model.pth')
    save_checkpoint(dict(state_dict=state), path)
    with pytest.raises(ValueError, match=r'does not fit .*umbenet_demo\.py') as err:
        init_recognizer(CONFIG, path, 'cpu')
    assert key in str(err.value) and dropped in str(err.value)
    assert 'pass the config the checkpoint was trained with' in str(err.value)


def test_missing_files_and_device_errors(demo_checkpoint, tmp_path):
    with pytest.raises(FileNotFoundError, match='checkpoint'):
        init_recognizer(CONFIG, str(tmp_path / 'none.pth'), 'cpu')
    with pytest.raises(FileNotFoundError, match='config file'):
        init_recognizer(str(tmp_path / 'none.py'), demo_checkpoint, 'cpu')
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match='--device cpu'):
            init_recognizer(CONFIG, demo_checkpoint, 'cuda')


# ------------------------------------------- equality with tools/test.py
def _records(root):
    with open(osp.join(root, 'annotations', 'test.json')) as f:
        records = json.load(f)
    for rec in records:
        for key in ('filename', 'frame_dir', 'audio'):
            if rec.get(key):
                rec[key] = osp.join(root, rec[key])
    return records


def test_predictions_match_tools_test(tiny_demo_root, demo_checkpoint,
                                      demo_model, tmp_path, monkeypatch,
                                      tool_module):
    dump = str(tmp_path / 'preds.pkl')
    opts = [
        'test_dataloader.dataset.data_root=' + tiny_demo_root,
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_dataloader.batch_size=4'
    ]
    tool = tool_module('tools/test.py')
    monkeypatch.setattr(sys, 'argv', [
        'tools/test.py', CONFIG, demo_checkpoint, '--work-dir',
        str(tmp_path / 'work'), '--dump', dump, '--cfg-options', *opts
    ])
    tool.main()  # in process: the same Runner.test() as the command
    with open(dump, 'rb') as f:
        expected = [np.asarray(p['pred_score']) for p in pickle.load(f)]
    records = _records(tiny_demo_root)
    assert len(expected) == len(records) == 7
    kinds = set()
    for rec, score in zip(records, expected):
        # the dataset's own record, fed to the same test pipeline
        got = inference_recognizer(demo_model, dict(rec))
        np.testing.assert_allclose(got['probs'], score, atol=1e-5)
        assert got['pred_label'] == int(score.argmax())
        assert list(got['scores']) == list(demo_model.classes)
        kinds.add('audio' in rec and rec['audio'] is not None)

        # the same clip from memory: face crops, decoded frames, sound
        faces = [
            cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2RGB) for p in sorted(
                glob.glob(osp.join(rec['frame_dir'], '*.jpg')),
                key=lambda p: int(''.join(
                    c for c in osp.basename(p) if c.isdigit())))
        ]
        scenes = list(decord.VideoReader(rec['filename'])[:].asnumpy())
        if rec.get('audio'):
            wave, rate = sf.read(rec['audio'], dtype='float32')
            sound = AudioSegment(wave, rate)
        elif 'audio' in rec:
            sound = None
        else:
            track = LoadAudio.read_track(rec['filename'])
            sound = track and AudioSegment(*track)
        got = inference_recognizer(
            demo_model,
            dict(
                frame_dir=faces,
                scene_dir=scenes,
                audio=sound,
                caption=rec.get('caption')))
        np.testing.assert_allclose(got['probs'], score, atol=1e-5)
    assert kinds == {True, False}


# ------------------------------------------------------------ videos
def test_video_windows_and_fields(demo_model, videos):
    timings = {}
    res = infer_video(
        demo_model,
        videos['face_then_none'],
        window=2.0,
        stride=1.0,
        return_features=True,
        timings=timings)
    assert res['duration'] == pytest.approx(5.0)
    assert [(w['start'], w['end']) for w in res['windows']] == [(0.0, 2.0),
                                                                (1.0, 3.0),
                                                                (2.0, 4.0),
                                                                (3.0, 5.0)]
    found = [w['face_found'] for w in res['windows']]
    assert found == [True, True, False, False]  # face shown for 2.5 s
    for w in res['windows'][:2]:
        assert w['modalities'] == ['face', 'scene', 'audio']
        assert sum(w['scores'].values()) == pytest.approx(1.0, abs=1e-5)
        assert w['pred_class'] == max(w['scores'], key=w['scores'].get)
        assert len(w['fused']) == 64
        assert np.linalg.norm(w['fused']) == pytest.approx(1.0, abs=1e-4)
        assert len(w['prompt_ids']) == 2  # demo top_k
        x, y, bw, bh = w['face_box']
        assert x < 80 < x + bw and y < 60 < y + bh
    for w in res['windows'][2:]:
        assert w['scores'] is None and 'skipped' in w['note']
    assert res['overall']['num_windows'] == 2
    mean = np.mean([[w['scores'][c] for c in res['classes']]
                    for w in res['windows'][:2]],
                   axis=0)
    np.testing.assert_allclose(
        [res['overall']['scores'][c] for c in res['classes']], mean, atol=1e-5)
    assert set(timings) == {'decode', 'face_detection', 'pipeline', 'model'}
    assert json.dumps({
        k: v
        for k, v in res.items() if not k.startswith('_')
    })  # JSON-ready


def test_no_face_policy_scene(demo_model, videos):
    res = infer_video(
        demo_model, videos['no_face'], window=2.0, no_face='scene')
    (w, ) = res['windows']
    assert not w['face_found']
    assert w['modalities'] == ['scene', 'audio']
    assert 'scored from scene' in w['note']
    assert any('no face found' in n for n in res['notes'])
    skipped = infer_video(demo_model, videos['no_face'], window=2.0)
    assert skipped['overall'] is None
    assert any('--no-face scene' in n for n in skipped['notes'])
    with pytest.raises(ValueError, match='no_face'):
        infer_video(demo_model, videos['no_face'], no_face='guess')
    with pytest.raises(ValueError, match="no_face='scene'"):
        inference_recognizer(demo_model, videos['no_face'])
    res = inference_recognizer(demo_model, videos['no_face'], no_face='scene')
    assert res['modalities'] == ['scene', 'audio'] and not res['face_found']


def test_missing_silent_audio_and_modalities(demo_model, videos):
    res = inference_recognizer(demo_model, videos['no_audio'])
    assert res['modalities'] == ['face', 'scene']
    assert any('no audio track' in n for n in res['notes'])
    res = inference_recognizer(demo_model, videos['silent'])
    assert res['modalities'] == ['face', 'scene']
    assert 'silent audio' in res['note']
    res = inference_recognizer(
        demo_model,
        videos['face_then_none'],
        caption='A person in a room.',
        modalities=['video', 'caption'])
    assert res['modalities'] == ['face', 'scene', 'caption']
    assert any('is one clip' in n for n in res['notes'])  # 5 s > 2 x 2 s
    with pytest.raises(ValueError, match='unknown'):
        inference_recognizer(
            demo_model, videos['silent'], modalities=['smell'])


def test_short_video_and_all_faces(demo_model, videos):
    res = infer_video(demo_model, videos['three_frames'], window=2.0)
    assert len(res['windows']) == 1 and res['num_frames'] == 3
    assert any('3 frames, fewer than the 8' in n for n in res['notes'])
    assert res['windows'][0]['face_found']
    res = infer_video(
        demo_model,
        videos['two_faces'],
        window=1.0,
        stride=1.0,
        all_faces=True)
    assert len(res['persons']) == 2
    assert [p['track_id'] for p in res['persons']] == [0, 1]  # left first
    left, right = (p['windows'][0]['face_box'] for p in res['persons'])
    assert left[0] < 80 < right[0]  # the larger, left face is person 0
    assert left[2] > right[2]
    assert res['windows'] == res['persons'][0]['windows']
    assert all(len(p['windows']) == 2 for p in res['persons'])


def test_unreadable_videos_raise_naming_the_file(demo_model, videos):
    from umbe.datasets.utils import BadClipError
    for key in ('truncated', 'not_video'):
        with pytest.raises(BadClipError, match='re-encode') as err:
            inference_recognizer(demo_model, videos[key])
        assert videos[key] in str(err.value)
    with pytest.raises(BadClipError, match='no such file'):
        inference_recognizer(demo_model, videos['silent'] + '.missing.mp4')
    assert os.path.isfile(videos['silent'])
