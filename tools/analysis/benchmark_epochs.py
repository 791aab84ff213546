"""Epochs with and without the frozen-feature cache, through the Runner.

Trains an uncached config and its cached twin (the same model, read from
``tools/cache_features.py``'s cache) for the same epochs with the same seed,
one after the other in this process, and reports per epoch the wall time of
the train epoch (loader, steps, checkpoint) and of the validation, and the
validation UAR / WAR of both. Prints a terminaltables table, the ratios
uncached / cached and the largest UAR / WAR difference; ``--json`` writes
the same numbers (keys in docs/benchmark.md).

    python tools/analysis/benchmark_epochs.py \\
        configs/umbenet/umbenet_demo_frozen.py \\
        configs/umbenet/umbenet_demo_cached.py --epochs 3 --build-cache

The cache must be built for the cached config's train and val splits
(``--build-cache`` builds a missing or stale one first and reports its
one-off time). The two configs must describe the same model: only the data
preprocessor's type and the datasets may differ.
"""
import argparse
import copy
import json
import os
import os.path as osp
import statistics
import sys
import time

import torch
from mmengine.config import DictAction
from mmengine.hooks import Hook
from mmengine.runner import Runner, set_random_seed
from terminaltables import AsciiTable

import umbe  # noqa: F401  (before mmaction.models)
from umbe.registry import DATASETS, MODELS
from umbe.utils import register_all_modules, setup_cpu_threads
from umbe.utils.config_utils import load_config
from umbe.datasets.feature_cache import (StaleCacheError, cache_split,
                                         split_target)

SPLITS = ('train', 'val', 'test')
CACHED = 'CachedFeatureDataset'


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


class EpochClock(Hook):
    """Wall time of every train and val epoch, and the val metrics.

    Runs last in every stage, so a train epoch includes the checkpoint
    saved after it.
    """

    def __init__(self):
        self.train_s, self.val_s, self.metrics = [], [], []

    def before_train_epoch(self, runner):
        self._t = time.perf_counter()

    def after_train_epoch(self, runner):
        self.train_s.append(time.perf_counter() - self._t)

    def before_val_epoch(self, runner):
        self._t = time.perf_counter()

    def after_val_epoch(self, runner, metrics=None):
        self.val_s.append(time.perf_counter() - self._t)
        self.metrics.append(dict(metrics or {}))


def datasets(cfg):
    """The split's dataset config, for every dataloader the config has."""
    return [cfg[f'{s}_dataloader']['dataset'] for s in SPLITS
            if cfg.get(f'{s}_dataloader')]


def prepare(cfg, args, name):
    """Point the config at this run: epochs, work dir, data and cache."""
    cfg.train_cfg.max_epochs = args.epochs
    cfg.train_cfg.val_interval = 1
    cfg.work_dir = osp.join(args.work_dir, name)
    cfg.experiment_name = name  # the Runner appends a timestamp
    for split in SPLITS:
        if not cfg.get(f'{split}_dataloader'):
            continue
        ds = cfg[f'{split}_dataloader']['dataset']
        source = ds['source'] if ds.get('type') == CACHED else ds
        if args.data_root:
            source['data_root'] = args.data_root
        if ds.get('type') == CACHED and args.cache_root:
            ds['cache_dir'] = osp.join(args.cache_root, split)
    return cfg


def check_twins(uncached, cached):
    """Refuse two configs whose models differ beyond the preprocessor."""
    if any(ds.get('type') == CACHED for ds in datasets(uncached)):
        raise ValueError('the first config reads a cache; give the uncached '
                         'config first, its cached twin second')
    if not any(ds.get('type') == CACHED for ds in datasets(cached)):
        raise ValueError('the second config has no CachedFeatureDataset; '
                         'give a cached config second')
    a, b = copy.deepcopy(uncached.model), copy.deepcopy(cached.model)
    a.pop('data_preprocessor', None)
    b.pop('data_preprocessor', None)
    if a.to_dict() != b.to_dict():
        diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        raise ValueError(f'the two configs build different models (model.'
                         f'{", model.".join(diff)} differ); the comparison '
                         'needs the same model')


def build_cache(cfg, log=print):
    """Cache the train and val splits of ``cfg``; returns seconds."""
    seed = (cfg.get('randomness') or {}).get('seed', 0) or 0
    set_random_seed(seed)  # the same random towers as the Runner
    model = MODELS.build(cfg.model).eval()
    if torch.cuda.is_available():
        model = model.cuda()
    start = time.perf_counter()
    for split in ('train', 'val'):
        source, cache_dir, views = split_target(cfg, split)
        cache_split(model, source, cache_dir, views or 1, overwrite=True,
                    seed=seed, log=log)
    return time.perf_counter() - start


def check_cache(cfg):
    """Build the cached train and val datasets: a missing, unfinished or
    stale cache stops here, before any training."""
    for split in ('train', 'val'):
        ds = cfg[f'{split}_dataloader']['dataset']
        if ds.get('type') == CACHED:
            DATASETS.build(copy.deepcopy(ds))


def train(cfg):
    """Train ``cfg`` with an :class:`EpochClock`; returns the clock."""
    setup_cpu_threads(cfg)
    clock = EpochClock()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(clock, priority='LOWEST')
    start = time.perf_counter()
    runner.train()
    clock.total_s = time.perf_counter() - start
    clock.threads = torch.get_num_threads()
    return clock


def summarise(args, clocks, cache_s, loads):
    unc, cac = clocks['uncached'], clocks['cached']
    r = dict(uncached_config=args.uncached_config,
             cached_config=args.cached_config, epochs=args.epochs,
             device='cuda' if torch.cuda.is_available() else 'cpu',
             cache_build_s=None if cache_s is None else round(cache_s, 2),
             load_average=loads)
    for name, c in clocks.items():
        r[f'{name}_train_epoch_s'] = [round(t, 3) for t in c.train_s]
        r[f'{name}_val_epoch_s'] = [round(t, 3) for t in c.val_s]
        r[f'{name}_total_s'] = round(c.total_s, 2)
        r[f'{name}_torch_threads'] = c.threads
        for key in ('UAR', 'WAR'):
            r[f'{name}_val_{key}'] = [round(m.get(key, float('nan')), 4)
                                      for m in c.metrics]
    # the first epoch pays for worker start-up and first-call warm-up
    later = slice(1, None) if args.epochs > 1 else slice(None)
    r['train_epoch_speedup'] = round(
        statistics.median(unc.train_s[later]) /
        statistics.median(cac.train_s[later]), 2)
    whole = [u + v for u, v in zip(unc.train_s, unc.val_s)]
    whole_c = [u + v for u, v in zip(cac.train_s, cac.val_s)]
    r['epoch_with_val_speedup'] = round(
        statistics.median(whole[later]) / statistics.median(whole_c[later]),
        2)
    for key in ('UAR', 'WAR'):
        diffs = [abs(a - b) for a, b in zip(r[f'uncached_val_{key}'],
                                            r[f'cached_val_{key}'])]
        r[f'final_abs_diff_{key}'] = round(diffs[-1], 4)
        r[f'max_abs_diff_{key}'] = round(max(diffs), 4)
    return r


def table(r) -> str:
    rows = [['epoch', 'train s (uncached)', 'train s (cached)', 'ratio',
             'val s (uncached)', 'val s (cached)', 'UAR u / c', 'WAR u / c']]
    for e in range(len(r['uncached_train_epoch_s'])):
        tu, tc = r['uncached_train_epoch_s'][e], r['cached_train_epoch_s'][e]
        rows.append([
            e + 1, tu, tc, round(tu / tc, 2), r['uncached_val_epoch_s'][e],
            r['cached_val_epoch_s'][e],
            f'{r["uncached_val_UAR"][e]:.2f} / {r["cached_val_UAR"][e]:.2f}',
            f'{r["uncached_val_WAR"][e]:.2f} / {r["cached_val_WAR"][e]:.2f}'
        ])
    t = AsciiTable(rows, f' {osp.basename(r["cached_config"])} '
                   f'{r["device"]} ')
    out = t.table
    first = ' (epochs 2+, median)' if r['epochs'] > 1 else ''
    out += (f'\ntrain epoch: cached is {r["train_epoch_speedup"]}x faster'
            f'{first}; with validation: {r["epoch_with_val_speedup"]}x'
            f'\nval UAR / WAR difference after the last epoch: '
            f'{r["final_abs_diff_UAR"]} / {r["final_abs_diff_WAR"]} points; '
            f'largest over the epochs: {r["max_abs_diff_UAR"]} / '
            f'{r["max_abs_diff_WAR"]}')
    if r['cache_build_s'] is not None:
        out += f'\ncache build (train + val, once): {r["cache_build_s"]} s'
    return out


def main(argv=None):
    args = parse_args(argv)
    if args.epochs < 1:
        raise SystemExit('--epochs must be >= 1')
    register_all_modules()
    try:
        cfgs = dict(
            uncached=prepare(load_config(args.uncached_config,
                                         args.cfg_options), args, 'uncached'),
            cached=prepare(load_config(args.cached_config, args.cfg_options),
                           args, 'cached'))
        check_twins(cfgs['uncached'], cfgs['cached'])
    except (FileNotFoundError, KeyError, ValueError) as err:
        raise SystemExit(f'benchmark_epochs.py: error: {err.args[0]}')
    cache_s = None
    if args.build_cache:
        cache_s = build_cache(cfgs['cached'])
    try:
        check_cache(cfgs['cached'])
    except (FileNotFoundError, StaleCacheError) as err:
        raise SystemExit(f'benchmark_epochs.py: {err} (or pass '
                         '--build-cache)')
    clocks, loads = {}, {}
    for name in ('uncached', 'cached'):
        loads[name] = [round(x, 2) for x in os.getloadavg()]
        clocks[name] = train(cfgs[name])
    r = summarise(args, clocks, cache_s, loads)
    print(table(r))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(r, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
