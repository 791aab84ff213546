"""Cache the frozen towers' features of a dataset (docs/feature_cache.md).

Runs the dataset's own pipeline and the model's data preprocessor, then
``UMBEnet.extract_frozen_features`` once per clip and view, and stores the
features with the audio waveform, frame mask and presence flags as
memory-mapped arrays. Resumable (an interrupted run continues where it
stopped) and distributed (``--launcher pytorch``: each rank caches its
contiguous slice of the clips).

    python tools/cache_features.py configs/umbenet/umbenet_demo_cached.py
    python tools/cache_features.py CONFIG --split train --views 4 --out DIR
"""
import argparse
import json
import random
import os.path as osp
import shutil
import sys
import time

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.dist import barrier, get_dist_info, init_dist
from mmengine.runner import load_checkpoint, set_random_seed
from torch.utils.data import DataLoader, Dataset

from umbe.registry import DATASETS, MODELS
from umbe.structures import MODALITIES
from umbe.utils import register_all_modules, setup_distributed
from umbe.utils.feature_cache import (CACHE_VERSION, CLIPS, MANIFEST,
                                      FeatureCacheArrays, StaleCacheError,
                                      cacheable_pipeline, check_components,
                                      check_frozen, make_key,
                                      model_components, read_manifest,
                                      rebuild_command, source_components)

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


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--split', default='train,val,test',
                        help='comma-separated splits (train, val, test)')
    parser.add_argument('--views', type=int, default=None,
                        help='views K per train clip (val/test: 1); default '
                        'the train dataset\'s num_views or '
                        f'{DEFAULT_TRAIN_VIEWS}')
    parser.add_argument('--out', default=None,
                        help='cache root for an uncached config (default '
                        '<data_root>/feature_cache/<config name>); a cached '
                        'config\'s cache_dir wins')
    parser.add_argument('--checkpoint', default=None,
                        help='load the model (frozen towers) from here')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--overwrite', action='store_true',
                        help='delete a stale cache and rebuild it')
    parser.add_argument('--stop-after', type=int, default=None,
                        help='stop after N batches (to test resuming)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    return parser.parse_args(argv)


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
        with open(osp.join(cache_dir, MANIFEST), 'w') as f:
            json.dump(manifest, f, indent=2)
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
        with open(osp.join(cache_dir, CLIPS), 'w') as f:
            json.dump([
                dict(filename=d.get('filename'), clip_id=d.get('clip_id'),
                     label=int(d['label'])) for d in infos
            ], f)
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


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.launcher != 'none':
        if torch.cuda.is_available():
            init_dist(args.launcher)
        else:
            setup_distributed(cfg, args.launcher)
    seed = cfg.get('randomness', {}).get('seed', 0)
    if seed is not None:
        set_random_seed(seed)  # the same random towers as the Runner
    model = MODELS.build(cfg.model)
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    if torch.cuda.is_available():
        model = model.cuda()
    for split in [s.strip() for s in args.split.split(',') if s.strip()]:
        source, cache_dir, views = split_target(cfg, split, args.out,
                                                args.config)
        if split == 'train':
            views = args.views or views or DEFAULT_TRAIN_VIEWS
        else:
            views = 1
        command = (f'python tools/cache_features.py {args.config} --split '
                   f'{split} --overwrite')
        try:
            cache_split(model, source, cache_dir, views, args.batch_size,
                        args.num_workers, args.overwrite, args.stop_after,
                        seed or 0, command)
        except (StaleCacheError, ValueError) as err:
            print(f'error: {err}', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
