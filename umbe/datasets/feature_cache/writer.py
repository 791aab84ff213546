"""Writing the frozen-feature cache of a dataset split.

Runs the dataset's own pipeline and the model's data preprocessor, then the
model's ``extract_frozen_features`` once per clip and view, and stores the
features with the audio waveform, frame mask and presence flags
(:mod:`.format`). Resumable (an interrupted run continues where it stopped)
and distributed (each rank caches its contiguous slice of the clips). The
model is any module with ``data_preprocessor``, ``extract_frozen_features``
and ``frozen_towers`` (UMBEnet).
"""
import json
import os.path as osp
import random
import shutil
import time

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import barrier, get_dist_info
from torch.utils.data import DataLoader, Dataset

from umbe.atomic_io import atomic_write_json
from umbe.registry import DATASETS
from umbe.structures import MODALITIES
from .format import (CACHE_VERSION, CLIPS, FeatureCacheArrays,
                     StaleCacheError, read_manifest, rebuild_command,
                     write_manifest)
from .keys import (cacheable_pipeline, check_components, check_frozen,
                   make_key, model_components, source_components)

#: default K of the train split (see docs/feature_cache.md)
DEFAULT_TRAIN_VIEWS = 1


class _Views(Dataset):
    """(clip, view) items of a source dataset, each view seeded."""

    def __init__(self, dataset, items, seed):
        self.dataset, self.items, self.seed = dataset, items, seed

    def __len__(self):
        return len(self.items)

    def __getitem__(self, j):
        i, k = self.items[j]
        if k > 0:  # view 0 uses the pipeline's own state (test-time view)
            s = (self.seed * 1000003 + i * 997 + k) % 2**31
            np.random.seed(s)
            torch.manual_seed(s)
            random.seed(s)
        out = self.dataset.prepare_data(i)
        if out is None:
            raise RuntimeError(f'clip {i} failed to load; fix or remove it')
        out['item'] = np.array([i, k])  # kept whole by pseudo_collate
        return out


def split_target(cfg, split, out=None, config_path=None):
    """(source dataset cfg, cache dir, num_views or None) of a split."""
    key = f'{split}_dataloader'
    if key not in cfg:
        raise KeyError(f'the config has no {key}')
    ds = cfg[key]['dataset']
    if ds.get('type') == 'CachedFeatureDataset':
        if ds.get('source') is None:
            raise KeyError(f'{key}.dataset (CachedFeatureDataset) needs '
                           '`source`, the uncached dataset config')
        return ds['source'], ds['cache_dir'], ds.get('num_views')
    name = osp.splitext(osp.basename(config_path or 'config'))[0]
    root = out or osp.join(ds.get('data_root', ''), 'feature_cache', name)
    return ds, osp.join(root, split), None


def _open(cache_dir, manifest, shapes, overwrite, rank, command):
    """Create, resume or refuse the cache; returns the arrays."""
    old = read_manifest(cache_dir)
    if old is not None and old.get('key') != manifest['key']:
        if not overwrite:
            check_components(old, manifest['components'], cache_dir,
                             command)
            raise StaleCacheError(
                f'feature cache {cache_dir} has another key; rebuild it: '
                f'{command}')
        if rank == 0:
            shutil.rmtree(cache_dir)
        old = None
    if old is not None and old.get('shapes') != manifest['shapes']:
        raise StaleCacheError(f'feature cache {cache_dir} holds other shapes '
                              f'{old.get("shapes")}; rebuild it: {command}')
    if old is None and rank == 0:
        FeatureCacheArrays(cache_dir, 'w+', shapes)
        write_manifest(cache_dir, manifest)
    barrier()
    return FeatureCacheArrays(cache_dir, 'r+')


def cache_split(model, source_cfg, cache_dir, num_views=1, batch_size=8,
                num_workers=2, overwrite=False, stop_after=None, seed=0,
                command=None, log=print):
    """Cache one split; resumable and sharded over the ranks.

    Args:
        model (UMBEnet): The model (frozen towers, data preprocessor).
        source_cfg (dict): The uncached dataset config.
        cache_dir (str): Where the cache goes.
        num_views (int): K views per clip. Defaults to 1.
        batch_size (int): Clips per tower batch. Defaults to 8.
        num_workers (int): Loader workers. Defaults to 2.
        overwrite (bool): Rebuild a stale cache. Defaults to False.
        stop_after (int, optional): Stop after this many batches.
        seed (int): Seed of the views k > 0. Defaults to 0.
        command (str, optional): The rebuild command, for messages.
        log (callable): Printer. Defaults to print.

    Returns:
        int: Views written by this rank in this run.
    """
    check_frozen(model)
    rank, world = get_dist_info()
    command = command or rebuild_command(None, 'SPLIT')
    source_cfg = dict(source_cfg)
    source_cfg['pipeline'] = cacheable_pipeline(source_cfg['pipeline'])
    dataset = DATASETS.build(source_cfg)
    components = dict(model_components(model), **source_components(source_cfg))
    n = len(dataset)
    clip_len = next(t['clip_len'] for t in source_cfg['pipeline']
                    if t.get('type') == 'LoadFaceSceneFrames')
    probe = model.data_preprocessor(pseudo_collate([dataset.prepare_data(0)]))
    with torch.no_grad():
        feats = model.extract_frozen_features(probe['inputs'])
    shapes = dict(num_clips=n, num_views=num_views, clip_len=clip_len,
                  vision_dim=feats['face'].shape[-1],
                  caption_dim=feats['caption'].shape[-1],
                  audio_samples=probe['inputs']['audio'].shape[-1])
    manifest = dict(
        version=CACHE_VERSION, key=make_key(components),
        components=components,
        shapes=shapes, command=command, modalities=list(MODALITIES),
        source=json.loads(json.dumps(source_cfg, default=repr)))
    arrays = _open(cache_dir, manifest, shapes, overwrite, rank, command)
    if rank == 0:
        infos = [dataset.get_data_info(i) for i in range(n)]
        atomic_write_json([
            dict(filename=d.get('filename'), clip_id=d.get('clip_id'),
                 label=int(d['label'])) for d in infos
        ], osp.join(cache_dir, CLIPS))
        arrays.label[:] = [int(d['label']) for d in infos]
        arrays.label.flush()
    lo, hi = rank * n // world, (rank + 1) * n // world
    done = np.asarray(arrays.done)
    items = [(i, k) for i in range(lo, hi) for k in range(num_views)
             if not done[i, k]]
    log(f'[rank {rank}] {cache_dir}: clips {lo}-{hi - 1}, '
        f'{len(items)} views to write ({int(done[lo:hi].sum())} done)')
    loader = DataLoader(_Views(dataset, items, seed), batch_size=batch_size,
                        num_workers=num_workers, collate_fn=pseudo_collate)
    model.eval()
    written, start = 0, time.time()
    for b, batch in enumerate(loader):
        if stop_after is not None and b >= stop_after:
            log(f'[rank {rank}] stopped after {b} batches (--stop-after)')
            break
        ids = batch.pop('item')
        data = model.data_preprocessor(batch, training=False)
        with torch.no_grad():
            feats = model.extract_frozen_features(data['inputs'])
        inputs = data['inputs']
        ids = [(int(i), int(k)) for i, k in ids]
        for j, (i, k) in enumerate(ids):
            arrays.face[i, k] = feats['face'][j].float().cpu().numpy()
            arrays.scene[i, k] = feats['scene'][j].float().cpu().numpy()
            arrays.caption[i, k] = feats['caption'][j].float().cpu().numpy()
            arrays.audio[i, k] = inputs['audio'][j].cpu().numpy()
            arrays.frame_mask[i, k] = inputs['frame_mask'][j].cpu().numpy()
            arrays.present[i, k] = [
                bool(batch['data_samples'][j].present[m]) for m in MODALITIES
            ]
        arrays.flush()  # the features first ...
        for i, k in ids:
            arrays.done[i, k] = True
        arrays.done.flush()  # ... then the done mask
        written += len(ids)
        if b % 10 == 0:
            log(f'[rank {rank}] {written}/{len(items)} views, '
                f'{time.time() - start:.1f} s')
    barrier()
    return written
