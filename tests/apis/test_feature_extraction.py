"""Feature extraction: a dataset split in annotation order, videos, and the
logits reproduced from the saved embeddings."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from umbe.apis import (extract_split_features, extract_video_features,
                       infer_video, init_recognizer, load_features,
                       reproduce_logits, save_features)
from umbe.apis.feature_extraction import (keep_modalities_cfg,
                                          prompt_usage_entropy,
                                          recording_features)
from umbe.structures import MODALITIES

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')


def demo_cfg(root, modalities=None):
    cfg = Config.fromfile(CONFIG)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = root
    return keep_modalities_cfg(cfg, modalities)


@pytest.fixture(scope='module')
def split_arrays(tiny_demo_root, demo_checkpoint, tmp_path_factory):
    model = init_recognizer(demo_cfg(tiny_demo_root), demo_checkpoint, 'cpu')
    arrays = extract_split_features(model, 'test', batch_size=3,
                                    config=CONFIG, checkpoint='demo.pth')
    path = str(tmp_path_factory.mktemp('feats') / 'feats.npz')
    save_features(path, arrays)
    return model, path


def test_split_in_annotation_order_with_documented_shapes(
        split_arrays, tiny_demo_root):
    model, path = split_arrays
    a = load_features(path)  # no pickle
    with open(osp.join(tiny_demo_root, 'annotations', 'test.json')) as f:
        records = json.load(f)
    N, C, M = len(records), len(model.classes), len(MODALITIES)
    assert a['clip_ids'].tolist() == [r['clip_id'] for r in records]
    assert a['labels'].tolist() == [r['label'] for r in records]
    assert a['fused'].shape == (N, 64) and a['fused'].dtype == np.float32
    assert a['tokens'].shape == (N, M, 64)
    assert a['present'].shape == (N, M) and a['present'].dtype == bool
    assert a['prompt_ids'].shape == (N, 2)  # demo pool: k=2 of P=8
    assert a['prompt_ids'].min() >= 0 and a['prompt_ids'].max() < 8
    assert a['logits'].shape == (N, C)
    assert a['input_face'].shape == a['input_scene'].shape == (N, 64)
    assert a['input_caption'].shape == (N, 64)
    assert a['classes'].tolist() == list(model.classes)
    assert a['modalities'].tolist() == list(MODALITIES)
    assert str(a['source']) == 'split:test'
    assert str(a['checkpoint']) == 'demo.pth'
    U = len({tuple(r) for r in a['prompt_ids'].tolist()})
    assert a['class_embeddings'].shape == (U, C, 64)
    assert np.allclose(np.linalg.norm(a['class_embeddings'], axis=-1), 1,
                       atol=1e-5)
    # every demo clip has its face and scene; captions as annotated
    assert a['present'][:, :2].all()
    assert a['present'][:, MODALITIES.index('caption')].tolist() == [
        bool(r.get('caption')) for r in records
    ]


def test_logits_reproduced_from_the_embeddings(split_arrays):
    model, path = split_arrays
    a = load_features(path)
    # numpy alone: scale * cos(fused, class embeddings of the selection)
    np.testing.assert_allclose(reproduce_logits(a), a['logits'], rtol=0,
                               atol=1e-4)
    with torch.no_grad():
        # the head from the fused embedding selects the same prompts
        out = model.head(torch.from_numpy(a['fused']))
        assert torch.equal(out['prompt_ids'],
                           torch.from_numpy(a['prompt_ids']))
        np.testing.assert_allclose(out['logits'].numpy(), a['logits'],
                                   atol=1e-4)
        # and the fusion gives the fused embedding from the tokens
        fused = model.fusion(torch.from_numpy(a['tokens']),
                             torch.from_numpy(a['present']))
        np.testing.assert_allclose(fused.numpy(), a['fused'], atol=1e-5)


def test_batch_size_does_not_change_the_features(split_arrays,
                                                 tiny_demo_root):
    model, path = split_arrays
    a = load_features(path)
    b = extract_split_features(model, 'test', batch_size=7)
    for key, atol in (('fused', 1e-5), ('tokens', 1e-5), ('logits', 1e-4),
                      ('input_face', 1e-5)):  # logits: 100 x cosines
        np.testing.assert_allclose(a[key], b[key], atol=atol)
    assert np.array_equal(a['prompt_ids'], b['prompt_ids'])


def test_kept_modalities_are_marked_absent(tiny_demo_root, demo_checkpoint):
    model = init_recognizer(demo_cfg(tiny_demo_root, ['video']),
                            demo_checkpoint, 'cpu')
    a = extract_split_features(model, 'test')
    assert a['present'][:, :2].all() and not a['present'][:, 2:].any()
    np.testing.assert_allclose(reproduce_logits(a), a['logits'], atol=1e-4)


def test_videos_give_one_row_per_scored_window(demo_model, videos):
    path = videos['face_then_none']  # 5 s, the face in the first 2.5 s
    a = extract_video_features(demo_model, [path], window=2.0, stride=1.0)
    ref = infer_video(demo_model, path, window=2.0, stride=1.0)
    scored = [w for w in ref['windows'] if w['scores']]
    assert 0 < len(scored) < len(ref['windows'])  # windows without a face
    assert a['clip_ids'].tolist() == [
        f'{path}@{w["start"]:.2f}-{w["end"]:.2f}s' for w in scored
    ]
    assert a['start'].tolist() == [w['start'] for w in scored]
    assert (a['labels'] == -1).all() and str(a['source']) == 'videos'
    probs = torch.from_numpy(a['logits']).softmax(1).numpy()
    expected = np.array([[w['scores'][c] for c in demo_model.classes]
                         for w in scored])
    np.testing.assert_allclose(probs, expected, atol=1e-5)
    np.testing.assert_allclose(reproduce_logits(a), a['logits'], atol=1e-4)
    # the whole video as one clip
    whole = extract_video_features(demo_model, [path])
    assert whole['clip_ids'].tolist() == [path]
    # the model's own forward_features is back after recording
    assert 'forward_features' not in vars(demo_model)


def test_failed_video_reported_or_raised(demo_model, videos):
    seen = []
    a = extract_video_features(
        demo_model, [videos['not_video'], videos['no_audio']],
        on_error=lambda v, e: seen.append(v))
    assert seen == [videos['not_video']]
    assert a['clip_ids'].tolist() == [videos['no_audio']]
    assert not a['present'][0, MODALITIES.index('audio')]
    with pytest.raises(Exception):
        extract_video_features(demo_model, [videos['not_video']])
    with pytest.raises(ValueError, match='no face was found'):
        extract_video_features(demo_model, [videos['no_face']])
    a = extract_video_features(demo_model, [videos['no_face']],
                               no_face='scene')
    assert a['present'][0].tolist()[:2] == [False, True]


def test_recording_restores_the_method_after_an_error(demo_model):
    with pytest.raises(RuntimeError):
        with recording_features(demo_model):
            raise RuntimeError('boom')
    assert 'forward_features' not in vars(demo_model)


def test_save_refuses_other_extensions(tmp_path):
    with pytest.raises(ValueError, match='npz'):
        save_features(str(tmp_path / 'f.pkl'), {})


def test_prompt_usage_entropy_of_the_selections():
    a = dict(prompt_ids=np.array([[0, 1], [0, 1], [2, 3], [2, 3]]))
    assert prompt_usage_entropy(a) == pytest.approx(2.0)
    assert prompt_usage_entropy(a, pool_size=8) == pytest.approx(2.0)
    assert np.isnan(prompt_usage_entropy(
        dict(prompt_ids=np.zeros((3, 0), np.int64))))
