"""Epochs with and without the frozen-feature cache, through the Runner.

Trains an uncached config and its cached twin (the same model, read from
``tools/cache_features.py``'s cache) for the same epochs with the same seed,
one after the other in this process, and reports per epoch the wall time of
the train epoch (loader, steps, checkpoint) and of the validation, and the
validation UAR / WAR of both; ``--json`` writes the numbers (keys in
docs/benchmark.md). The logic is :mod:`umbe.analysis.epoch_benchmark`.

    python tools/analysis/benchmark_epochs.py \\
        configs/umbenet/umbenet_demo_frozen.py \\
        configs/umbenet/umbenet_demo_cached.py --epochs 3 --build-cache

The cache must be built for the cached config's train and val splits
(``--build-cache`` builds a missing or stale one first and reports its
one-off time). The two configs must describe the same model: only the data
preprocessor's type and the datasets may differ.
"""
import argparse
import json
import sys

from mmengine.config import DictAction

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis.epoch_benchmark import (RUNS, build_cache, check_cache,
                                           check_twins,
                                           epoch_benchmark_table,
                                           prepare_run, summarize_epochs,
                                           time_training)
from umbe.datasets.feature_cache import StaleCacheError
from umbe.utils import register_all_modules
from umbe.utils.config_utils import load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('uncached_config')
    parser.add_argument('cached_config')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--work-dir', default='work_dirs/benchmark_epochs',
                        help='runs go to WORK_DIR/uncached and /cached')
    parser.add_argument('--build-cache', action='store_true',
                        help='build a missing or stale train/val cache first')
    parser.add_argument('--data-root', default=None,
                        help='data_root of every dataset of both configs')
    parser.add_argument('--cache-root', default=None,
                        help='cache_dir of the cached datasets: '
                        'CACHE_ROOT/<split>')
    parser.add_argument('--json', default=None, help='write the numbers')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides applied to both configs')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.epochs < 1:
        raise SystemExit('--epochs must be >= 1')
    register_all_modules()
    paths = dict(uncached=args.uncached_config, cached=args.cached_config)
    try:
        cfgs = {
            name: prepare_run(load_config(paths[name], args.cfg_options),
                              name, args.work_dir, args.epochs,
                              args.data_root, args.cache_root)
            for name in RUNS
        }
        check_twins(cfgs['uncached'], cfgs['cached'])
    except (FileNotFoundError, KeyError, ValueError) as err:
        raise SystemExit(f'benchmark_epochs.py: error: {err.args[0]}')
    cache_s = build_cache(cfgs['cached']) if args.build_cache else None
    try:
        check_cache(cfgs['cached'])
    except (FileNotFoundError, StaleCacheError) as err:
        raise SystemExit(f'benchmark_epochs.py: {err} (or pass '
                         '--build-cache)')
    runs = {name: time_training(cfgs[name]) for name in RUNS}
    r = summarize_epochs(runs, args.uncached_config, args.cached_config,
                         args.epochs, cache_s)
    print(epoch_benchmark_table(r))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(r, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
