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
from mmengine.config import DictAction
from mmengine.dist import init_dist

from umbe.datasets.feature_cache import (DEFAULT_TRAIN_VIEWS,
                                         StaleCacheError, cache_split,
                                         split_target)
from umbe.engine import load_checked_checkpoint
from umbe.registry import MODELS
from umbe.utils import (exit_on_user_error, register_all_modules,
                        setup_distributed)
from umbe.utils.config_utils import (add_checkpoint_trust_argument,
                                     apply_checkpoint_trust, load_config,
                                     seed_like_runner)


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
                        help='load the model (frozen towers) from here; '
                        'checked against the config')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--overwrite', action='store_true',
                        help='delete a stale cache and rebuild it')
    parser.add_argument('--stop-after', type=int, default=None,
                        help='stop after N batches (to test resuming)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    add_checkpoint_trust_argument(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    apply_checkpoint_trust(args)
    try:
        cfg = load_config(args.config, args.cfg_options)
    except (FileNotFoundError, KeyError) as err:
        raise SystemExit(f'tools/cache_features.py: error: {err.args[0]}')
    if args.launcher != 'none':
        if torch.cuda.is_available():
            init_dist(args.launcher)
        else:
            setup_distributed(cfg, args.launcher)
    seed = seed_like_runner(cfg)  # the same random towers as the Runner
    with exit_on_user_error('tools/cache_features.py'):
        model = MODELS.build(cfg.model)  # refuses random frozen towers
    if args.checkpoint:
        with exit_on_user_error('tools/cache_features.py'):
            load_checked_checkpoint(model, args.checkpoint, args.config)
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
                        seed, command)
        except (StaleCacheError, ValueError) as err:
            print(f'error: {err}', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
