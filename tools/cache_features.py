"""Cache the frozen towers' features of a dataset (docs/feature_cache.md).

The cache writer is :func:`umbe.datasets.feature_cache.cache_split`:
resumable (an interrupted run continues where it stopped) and distributed
(``--launcher pytorch``: each rank caches its contiguous slice of the
clips).

    python tools/cache_features.py configs/umbenet/umbenet_demo_cached.py
    python tools/cache_features.py CONFIG --split train --views 4 --out DIR
"""
import argparse
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.dist import init_dist
from mmengine.runner import load_checkpoint, set_random_seed

from umbe.datasets.feature_cache import (DEFAULT_TRAIN_VIEWS,
                                         StaleCacheError, cache_split,
                                         split_target)
from umbe.models.utils import TowerWeightsError
from umbe.registry import MODELS
from umbe.utils import register_all_modules, setup_distributed


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
    try:
        model = MODELS.build(cfg.model)
    except TowerWeightsError as err:  # random or unavailable CLIP weights
        print(f'error: {err}', file=sys.stderr)
        return 1
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
