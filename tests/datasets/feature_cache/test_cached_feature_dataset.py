"""CachedFeatureDataset on a synthetic cache (no model, no media)."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate

import umbe  # noqa: F401  (before mmaction.models)
from umbe.models.data_preprocessors.cached_feature_preprocessor import \
    CachedFeaturePreprocessor
from umbe.structures import MODALITIES
from umbe.utils import register_all_modules
from umbe.datasets.feature_cache import (CACHE_VERSION, CLIPS, MANIFEST,
                                         CachedFeatureDataset,
                                         FeatureCacheArrays, StaleCacheError)

register_all_modules()
N, K, T, D, E, S = 5, 3, 4, 6, 8, 10
CLASSES = ('a', 'b', 'c')


def write_cache(cache_dir, done=True):
    arrays = FeatureCacheArrays(
        cache_dir, 'w+',
        dict(num_clips=N, num_views=K, clip_len=T, vision_dim=D,
             caption_dim=E, audio_samples=S))
    rng = np.random.default_rng(0)
    for name in ('face', 'scene', 'caption', 'audio'):
        arr = getattr(arrays, name)
        arr[:] = rng.standard_normal(arr.shape)
        # view k of clip i carries its ids in the first two numbers
    arrays.face[:, :, 0, 0] = np.arange(N)[:, None]
    arrays.face[:, :, 0, 1] = np.arange(K)[None, :]
    arrays.frame_mask[:] = True
    arrays.frame_mask[1, :, 2:] = False  # a short clip
    arrays.present[:] = True
    arrays.present[2, :, MODALITIES.index('audio')] = False
    arrays.label[:] = np.arange(N) % len(CLASSES)
    arrays.done[:] = done
    arrays.flush()
    with open(osp.join(cache_dir, CLIPS), 'w') as f:
        json.dump([
            dict(filename=f'v{i}.mp4', clip_id=str(i), label=i % 3)
            for i in range(N)
        ], f)
    with open(osp.join(cache_dir, MANIFEST), 'w') as f:
        json.dump(dict(version=CACHE_VERSION, key='k', components={}), f)
    return arrays


def build(cache_dir, **kwargs):
    return CachedFeatureDataset(
        cache_dir=cache_dir, metainfo=dict(classes=CLASSES),
        config='my_config.py', split='train', **kwargs)


def test_samples_and_batches(tmp_path):
    arrays = write_cache(str(tmp_path))
    dataset = build(str(tmp_path), test_mode=True)
    assert len(dataset) == N and dataset.num_views == K
    sample = dataset[1]
    feats = sample['inputs']['frozen_features']
    assert feats['face'].shape == (T, D) and feats['caption'].shape == (E, )
    assert sample['inputs']['audio'].shape == (S, )
    ds = sample['data_samples']
    assert ds.view == 0 and ds.clip_id == '1' and ds.filename == 'v1.mp4'
    assert int(ds.gt_label) == 1
    assert ds.frame_mask.tolist() == [True, True, False, False]
    np.testing.assert_array_equal(feats['scene'].numpy(), arrays.scene[1, 0])
    assert dataset[2]['data_samples'].present['audio'] is False

    batch = CachedFeaturePreprocessor()(
        pseudo_collate([dataset[i] for i in range(N)]), training=True)
    inputs = batch['inputs']
    assert inputs['frozen_features']['face'].shape == (N, T, D)
    assert inputs['frozen_features']['caption'].dtype == torch.float32
    assert inputs['audio'].shape == (N, S)
    assert inputs['frame_mask'].shape == (N, T)
    assert inputs['present']['audio'].tolist() == [1, 1, 0, 1, 1]
    assert torch.equal(inputs['frozen_features']['face'][:, 0, 0],
                       torch.arange(N, dtype=torch.float32))


def test_training_draws_views_and_runs_presence_transforms(tmp_path):
    write_cache(str(tmp_path))
    dataset = build(
        str(tmp_path),
        pipeline=[dict(type='ModalityDropout', drop_probs=dict(caption=1.0))])
    np.random.seed(0)
    seen = set()
    for _ in range(30):
        sample = dataset[3]
        face = sample['inputs']['frozen_features']['face']
        view = sample['data_samples'].view
        assert face[0, 0] == 3 and face[0, 1] == view  # the drawn view
        assert sample['data_samples'].present['caption'] is False
        assert sample['data_samples'].present['face'] is True
        seen.add(view)
    assert seen == set(range(K))
    # keep_modalities of the preprocessor acts on cached batches too
    pre = CachedFeaturePreprocessor(keep_modalities=('video', ))
    batch = pre(pseudo_collate([dataset[0], dataset[1]]))
    assert batch['inputs']['present']['audio'].tolist() == [0, 0]
    assert batch['inputs']['present']['scene'].tolist() == [1, 1]


def test_missing_unfinished_and_mismatched_caches(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        build(str(tmp_path / 'none'))
    assert str(tmp_path / 'none') in str(err.value)
    assert 'tools/cache_features.py my_config.py --split train' in str(
        err.value)
    write_cache(str(tmp_path), done=False)
    with pytest.raises(StaleCacheError, match='unfinished'):
        build(str(tmp_path))
    write_cache(str(tmp_path))
    with pytest.raises(StaleCacheError, match='views per clip'):
        build(str(tmp_path), num_views=1)
    # another format version
    with open(osp.join(str(tmp_path), MANIFEST), 'w') as f:
        json.dump(dict(version=CACHE_VERSION + 1, components={}), f)
    with pytest.raises(StaleCacheError, match='format version'):
        build(str(tmp_path), source=dict(
            ann_file='x.json', data_root=str(tmp_path), pipeline=[]))
