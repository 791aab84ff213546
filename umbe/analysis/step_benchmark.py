"""Where the time of a train step goes: loader, train step uncached and
cached, inference, memory, parameters and FLOPs (docs/benchmark.md).

The logic behind ``tools/analysis/benchmark.py``: :func:`benchmark_steps`
measures, :func:`step_benchmark_table` prints.
"""
import copy
import os.path as osp
from typing import Optional

import torch
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from terminaltables import AsciiTable

from umbe.registry import DATASETS, MODELS
from umbe.utils.config_utils import enable_amp, seed_like_runner
from .benchmark_configs import CACHED_DATASET, source_dataset_cfg
from .complexity import count_parameters, flops_per_clip
from .loader_timing import loader_clips_per_s
from .memory import reset_peak_memory
from .step_timing import (frozen_features, inference_times,
                          paired_median_times, train_step_times)
from .synthetic_batch import first_clip, synthetic_batch

#: workers of the video loader timed for a cached config
VIDEO_WORKERS = 2
PHASES = ('preprocess', 'forward', 'backward', 'optimizer', 'total')


def try_build_dataset(ds_cfg: dict, log=print):
    """The dataset, or None (with a message) where its files are missing."""
    try:
        return DATASETS.build(copy.deepcopy(ds_cfg))
    except (FileNotFoundError, OSError) as err:
        log(f'dataset not available ({err}); synthetic batches, the '
            'loader is not timed')
        return None


def benchmark_steps(cfg,
                    config: str = 'config',
                    batch_size: int = 2,
                    steps: int = 3,
                    warmup: int = 1,
                    cached: bool = False,
                    amp: bool = False,
                    num_workers: Optional[int] = None,
                    log=print) -> dict:
    """Measure one config; the keys of the result are in docs/benchmark.md.

    The train data is the config's uncached source dataset when its files
    exist, else a synthetic batch with its pipeline's shapes (the loader is
    then not timed). The cached step gets the frozen features computed once
    here, so no cache on disk is needed; ``cached`` also times the loader of
    a cached config's train dataset (its cache must be built).

    Args:
        cfg (Config): The config, ``--cfg-options`` merged.
        config (str): Its name, for the results. Defaults to 'config'.
        batch_size (int): Clips per step. Defaults to 2.
        steps (int): Timed steps per measurement (median). Defaults to 3.
        warmup (int): Untimed steps first. Defaults to 1.
        cached (bool): Also time the cached train loader. Defaults to False.
        amp (bool): The train steps with what ``tools/train.py --amp``
            sets (:func:`umbe.utils.config_utils.enable_amp`: bf16 autocast
            and bf16 frozen towers where the device computes bf16
            natively, else float32 with a message). Defaults to False.
        num_workers (int, optional): Loader workers. Defaults to None (the
            config's, or ``VIDEO_WORKERS`` for a cached config's video
            source).
        log (callable): Receives messages. Defaults to print.

    Returns:
        dict: The measurements.

    Raises:
        ValueError: ``cached`` without a built cache of a cached config.
    """
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    B = batch_size
    if amp:
        cfg = copy.deepcopy(cfg)
        enable_amp(cfg, warn=log)
        amp = 'Amp' in cfg.optim_wrapper.get('type', '')
    results = dict(config=config, device=device, batch_size=B, steps=steps,
                   warmup=warmup, torch_threads=torch.get_num_threads(),
                   amp=amp)

    # data: the uncached pipeline, the way the uncached config loads it
    src_cfg = source_dataset_cfg(cfg)
    dataset = try_build_dataset(src_cfg, log)
    dl_cfg = cfg.train_dataloader
    is_cached = dl_cfg.dataset.get('type') == CACHED_DATASET
    if dataset is not None:
        # a cached config's own loader reads the cache; its video source
        # is timed with num_workers, by default VIDEO_WORKERS
        workers = num_workers
        if workers is None:
            workers = VIDEO_WORKERS if is_cached else dl_cfg.get(
                'num_workers', 0)
        video_dl = dict(dl_cfg, persistent_workers=bool(workers))
        rate = loader_clips_per_s(video_dl, dataset, B, workers, steps)
        results['loader_clips_per_s'] = round(rate, 3)
        results['loader_workers'] = workers
        batch = pseudo_collate([dataset[i % len(dataset)] for i in range(B)])
    else:
        results['loader_clips_per_s'] = None
        classes = cfg.model.get('classes') or ('c', ) * 7
        batch = synthetic_batch(src_cfg, B, len(classes))
    if cached:
        cached_ds = try_build_dataset(dl_cfg.dataset, log) if is_cached \
            else None
        if cached_ds is None:
            raise ValueError('--cached needs a cached config whose train '
                             'cache is built (tools/cache_features.py)')
        rate = loader_clips_per_s(dl_cfg, cached_ds, B, num_workers, steps)
        results['cached_loader_clips_per_s'] = round(rate, 3)

    # model
    seed_like_runner(cfg)
    reset_peak_memory()
    model = MODELS.build(cfg.model).to(device)
    params = count_parameters(model)
    results['params_trainable_m'] = round(params.trainable / 1e6, 3)
    results['params_frozen_m'] = round(params.frozen / 1e6, 3)
    flops = flops_per_clip(model, first_clip(batch))
    for part in ('frozen', 'trainable'):
        results[f'gflops_per_clip_{part}'] = round(flops[part] / 1e9, 3)
    results['gflops_per_clip'] = round(
        (flops['frozen'] + flops['trainable']) / 1e9, 3)
    optim_wrapper = build_optim_wrapper(model,
                                        copy.deepcopy(cfg.optim_wrapper))

    # frozen features once, as the cache would hold them
    feats = frozen_features(model, batch)
    stats = {}
    uncached, with_cache = paired_median_times([
        lambda: train_step_times(model, optim_wrapper, batch, amp=amp,
                                 stats=stats),
        lambda: train_step_times(model, optim_wrapper, batch, feats, amp)
    ], steps, warmup)
    results['frozen_params_with_grad'] = stats.get(
        'frozen_params_with_grad', 0)
    results['peak_memory_train_uncached'] = uncached.pop('memory')
    results['peak_memory_train_cached'] = with_cache.pop('memory')
    for name, times in (('uncached', uncached), ('cached', with_cache)):
        for phase, value in times.items():
            results[f'train_{name}_{phase}_s'] = round(value, 4)
    results['train_speedup_cached'] = round(
        uncached['total'] / with_cache['total'], 2)

    inf, inf_c = paired_median_times([
        lambda: inference_times(model, batch),
        lambda: inference_times(model, batch, feats)
    ], steps, warmup)
    results['peak_memory_inference'] = inf.pop('memory')
    inf_c.pop('memory')
    results['inference_clips_per_s'] = round(B / inf['total'], 3)
    results['inference_cached_clips_per_s'] = round(B / inf_c['total'], 3)
    # how much faster each loader delivers clips than its step consumes them
    if results.get('loader_clips_per_s'):
        results['loader_over_uncached_step'] = round(
            results['loader_clips_per_s'] * uncached['total'] / B, 2)
        results['loader_over_cached_step'] = round(
            results['loader_clips_per_s'] * with_cache['total'] / B, 2)
    if results.get('cached_loader_clips_per_s'):
        results['cached_loader_over_cached_step'] = round(
            results['cached_loader_clips_per_s'] * with_cache['total'] / B,
            2)
    return results


def step_benchmark_table(results: dict) -> str:
    """The results of :func:`benchmark_steps` as a terminaltables table and
    the ratios below it."""
    r = results
    rows = [['measure', 'uncached', 'cached']]
    rows.append(['loader clips/s', r.get('loader_clips_per_s'),
                 r.get('cached_loader_clips_per_s', '-')])
    for phase in PHASES:
        rows.append([f'train {phase} s/step', r[f'train_uncached_{phase}_s'],
                     r[f'train_cached_{phase}_s']])
    rows.append(['inference clips/s', r['inference_clips_per_s'],
                 r['inference_cached_clips_per_s']])
    for key, label in (('cpu_rss_gib', 'peak CPU RSS GiB (train)'),
                       ('cuda_max_allocated_gib', 'CUDA max alloc GiB')):
        if key in r['peak_memory_train_uncached']:
            rows.append([label, r['peak_memory_train_uncached'][key],
                         r['peak_memory_train_cached'][key]])
    rows.append(['params M (trainable / frozen)',
                 r['params_trainable_m'], r['params_frozen_m']])
    rows.append(['GFLOPs/clip (frozen / trainable)',
                 r['gflops_per_clip_frozen'], r['gflops_per_clip_trainable']])
    title = (f' {osp.basename(r["config"])} {r["device"]} batch '
             f'{r["batch_size"]}, median of {r["steps"]} ')
    out = AsciiTable(rows, title).table
    out += (f'\ncached/uncached train step time: '
            f'{1 / r["train_speedup_cached"]:.3f} '
            f'(cached is {r["train_speedup_cached"]}x faster)')
    if 'loader_over_cached_step' in r:
        out += (f'\nvideo loader clips/s over the uncached / cached step\'s '
                f'clips/s: {r["loader_over_uncached_step"]} / '
                f'{r["loader_over_cached_step"]}')
    if 'cached_loader_over_cached_step' in r:
        out += (f'\ncached loader clips/s over the cached step\'s clips/s: '
                f'{r["cached_loader_over_cached_step"]}')
    return out
