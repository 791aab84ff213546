"""Whole epochs with and without the frozen-feature cache, through the
Runner (docs/benchmark.md): the logic behind
``tools/analysis/benchmark_epochs.py``.

An uncached config and its cached twin (the same model, read from the
cache) train for the same epochs with the same seed, one after the other in
one process; :class:`~umbe.engine.hooks.EpochTimerHook` times each train
epoch and validation and records the validation metrics.
"""
import copy
import os
import os.path as osp
import statistics
import time
from typing import Dict, List, NamedTuple, Optional

import torch
from mmengine.runner import Runner
from terminaltables import AsciiTable

from umbe.datasets.feature_cache import cache_split, split_target
from umbe.engine.hooks import EpochTimerHook
from umbe.registry import DATASETS, MODELS
from umbe.utils import setup_cpu_threads
from umbe.utils.config_utils import seed_like_runner
from .benchmark_configs import CACHED_DATASET

SPLITS = ('train', 'val', 'test')
#: the two runs, in the order they train
RUNS = ('uncached', 'cached')


class EpochRun(NamedTuple):
    """One timed ``runner.train()``.

    Attributes:
        timer (EpochTimerHook): Seconds per epoch and val metrics.
        total_s (float): Wall time of ``runner.train()``.
        threads (int): torch threads of the main process.
        load_average (list[float]): ``os.getloadavg()`` at its start.
    """
    timer: EpochTimerHook
    total_s: float
    threads: int
    load_average: List[float]


def dataset_cfgs(cfg) -> List[dict]:
    """The dataset config of every dataloader the config has."""
    return [cfg[f'{s}_dataloader']['dataset'] for s in SPLITS
            if cfg.get(f'{s}_dataloader')]


def prepare_run(cfg,
                name: str,
                work_dir: str,
                epochs: int,
                data_root: Optional[str] = None,
                cache_root: Optional[str] = None):
    """Point a config at one run, in place: epochs (validating each),
    ``WORK_DIR/<name>``, and optionally other data and cache folders.

    Args:
        cfg (Config): The config.
        name (str): The run's name (``'uncached'`` or ``'cached'``).
        work_dir (str): The benchmark's work dir.
        epochs (int): Epochs to train.
        data_root (str, optional): ``data_root`` of every (source)
            dataset. Defaults to None (the config's).
        cache_root (str, optional): ``cache_dir`` of the cached datasets
            becomes ``CACHE_ROOT/<split>``. Defaults to None.

    Returns:
        Config: ``cfg``.
    """
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = 1
    cfg.work_dir = osp.join(work_dir, name)
    cfg.experiment_name = name  # the Runner appends a timestamp
    for split in SPLITS:
        if not cfg.get(f'{split}_dataloader'):
            continue
        ds = cfg[f'{split}_dataloader']['dataset']
        source = ds['source'] if ds.get('type') == CACHED_DATASET else ds
        if data_root:
            source['data_root'] = data_root
        if ds.get('type') == CACHED_DATASET and cache_root:
            ds['cache_dir'] = osp.join(cache_root, split)
    return cfg


def check_twins(uncached, cached) -> None:
    """Refuse two configs whose models differ beyond the preprocessor.

    Raises:
        ValueError: The first config reads a cache, the second does not, or
            the models differ (naming the differing ``model.*`` keys).
    """
    if any(ds.get('type') == CACHED_DATASET for ds in dataset_cfgs(uncached)):
        raise ValueError('the first config reads a cache; give the uncached '
                         'config first, its cached twin second')
    if not any(ds.get('type') == CACHED_DATASET
               for ds in dataset_cfgs(cached)):
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


def build_cache(cfg, log=print) -> float:
    """Cache the train and val splits of a cached config (rebuilt).

    The towers are random with the config's seed, as the Runner builds them.

    Returns:
        float: Seconds.
    """
    seed = seed_like_runner(cfg)  # the same random towers as the Runner
    model = MODELS.build(cfg.model).eval()
    if torch.cuda.is_available():
        model = model.cuda()
    start = time.perf_counter()
    for split in ('train', 'val'):
        source, cache_dir, views = split_target(cfg, split)
        cache_split(model, source, cache_dir, views or 1, overwrite=True,
                    seed=seed, log=log)
    return time.perf_counter() - start


def check_cache(cfg) -> None:
    """Build the cached train and val datasets: a missing, unfinished or
    stale cache raises here (``FileNotFoundError``, ``StaleCacheError``),
    before any training."""
    for split in ('train', 'val'):
        ds = cfg[f'{split}_dataloader']['dataset']
        if ds.get('type') == CACHED_DATASET:
            DATASETS.build(copy.deepcopy(ds))


def time_training(cfg) -> EpochRun:
    """Train ``cfg`` with an :class:`EpochTimerHook`."""
    load = [round(x, 2) for x in os.getloadavg()]
    setup_cpu_threads(cfg)
    timer = EpochTimerHook()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(timer, priority=timer.priority)
    start = time.perf_counter()
    runner.train()
    return EpochRun(timer, time.perf_counter() - start,
                    torch.get_num_threads(), load)


def summarize_epochs(runs: Dict[str, EpochRun],
                     uncached_config: str,
                     cached_config: str,
                     epochs: int,
                     cache_build_s: Optional[float] = None) -> dict:
    """The numbers of the two runs (keys in docs/benchmark.md).

    Ratios are medians over epochs 2 and later (the first pays for worker
    start-up and first-call warm-up), over all epochs when there is one.

    Args:
        runs (dict): ``'uncached'`` and ``'cached'`` -> EpochRun.
        uncached_config (str): Name of the uncached config.
        cached_config (str): Name of the cached config.
        epochs (int): Epochs per run.
        cache_build_s (float, optional): Seconds of the cache build.
            Defaults to None (not built here).

    Returns:
        dict: The summary.
    """
    r = dict(uncached_config=uncached_config, cached_config=cached_config,
             epochs=epochs,
             device='cuda' if torch.cuda.is_available() else 'cpu',
             cache_build_s=None if cache_build_s is None else round(
                 cache_build_s, 2),
             load_average={name: run.load_average
                           for name, run in runs.items()})
    for name, run in runs.items():
        r[f'{name}_train_epoch_s'] = [round(t, 3) for t in run.timer.train_s]
        r[f'{name}_val_epoch_s'] = [round(t, 3) for t in run.timer.val_s]
        r[f'{name}_total_s'] = round(run.total_s, 2)
        r[f'{name}_torch_threads'] = run.threads
        for key in ('UAR', 'WAR'):
            r[f'{name}_val_{key}'] = [round(m.get(key, float('nan')), 4)
                                      for m in run.timer.metrics]
    unc, cac = runs['uncached'].timer, runs['cached'].timer
    later = slice(1, None) if epochs > 1 else slice(None)
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


def epoch_benchmark_table(r: dict) -> str:
    """A :func:`summarize_epochs` summary as a table per epoch and the
    ratios and differences below it."""
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
