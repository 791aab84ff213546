"""Where the time goes: loader, train step (uncached / cached), inference.

Medians over ``--steps`` steps after ``--warmup`` warm-up steps, in one run:
data-loader clips/s, train step s/step with and without the frozen-feature
cache (preprocess / forward / backward / optimizer split), inference
clips/s, peak memory (CPU RSS, CUDA max allocated), parameters (trainable /
frozen) and GFLOPs per clip (frozen towers and trainable part, counted with
``torch.utils.flop_counter``). Keys of the JSON: docs/benchmark.md.

    python tools/analysis/benchmark.py configs/umbenet/umbenet_demo.py \
        --batch-size 8 --steps 5 --json bench.json
    python tools/analysis/benchmark.py configs/umbenet/umbenet_dfew.py \
        --pretrained none --batch-size 1 --steps 2

The cached step feeds the model exactly what ``CachedFeatureDataset`` +
``CachedFeaturePreprocessor`` give it (``inputs['frozen_features']``,
computed once here), so it needs no cache on disk; ``--cached`` also times
the loader of the config's cached train dataset (a cached config whose
cache is built). Without the dataset on disk (``umbenet_dfew.py`` here) the
batches are synthetic (random pixels, the pipeline's shapes) and the
loader is not timed.
"""
import argparse
import copy
import json
import os.path as osp
import statistics
import sys
import time

import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner, set_random_seed
from terminaltables import AsciiTable
from torch.utils.flop_counter import FlopCounterMode

import umbe  # noqa: F401  (before mmaction.models)
from umbe.registry import DATASETS, MODELS
from umbe.structures import MODALITIES
from umbe.utils import register_all_modules

#: workers of the video loader timed for a cached config
VIDEO_WORKERS = 2
TOWER_KEYS = (('vision_encoder', ), ('caption_encoder', 'text_encoder'),
              ('head', 'text_encoder'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3,
                        help='timed steps per measurement (median)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--pretrained', choices=['none', 'config'],
                        default='config',
                        help='none: random tower weights (no files needed)')
    parser.add_argument('--cached', action='store_true',
                        help='also time the cached train dataset loader')
    parser.add_argument('--amp', action='store_true',
                        help='autocast (bf16 on CPU) in the train steps')
    parser.add_argument('--num-workers', type=int, default=None,
                        help='loader workers (default: the config\'s)')
    parser.add_argument('--json', default=None, help='write the numbers')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


# ------------------------------------------------------------ measurements
def peak_rss_gib() -> float:
    """Peak resident set size of this process (VmHWM), GiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 2**20
    return float('nan')


def reset_peak_rss() -> None:
    """Reset VmHWM to the current RSS (Linux clear_refs 5)."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def peak_memory() -> dict:
    out = dict(cpu_rss_gib=round(peak_rss_gib(), 3))
    if torch.cuda.is_available():
        out['cuda_max_allocated_gib'] = round(
            torch.cuda.max_memory_allocated() / 2**30, 3)
    return out


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def paired_median_times(fns, steps, warmup) -> list:
    """Run the functions in turn (fair under a shared, noisy CPU).

    Args:
        fns (list[callable]): Each returns a dict of phase seconds.
        steps (int): Timed rounds.
        warmup (int): Untimed rounds first.

    Returns:
        list[dict]: Per function, the median per phase and the peak memory
        of its steps (``memory``).
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    runs = [[] for _ in fns]
    peaks = [{} for _ in fns]
    for _ in range(steps):
        for j, fn in enumerate(fns):
            reset_peak_rss()
            runs[j].append(fn())
            for k, v in peak_memory().items():
                peaks[j][k] = max(peaks[j].get(k, 0), v)
    out = []
    for r, peak in zip(runs, peaks):
        med = {k: statistics.median(x[k] for x in r) for k in r[0]}
        out.append(dict(med, memory=peak))
    return out


# ------------------------------------------------------------ data
def source_dataset_cfg(cfg, split='train'):
    ds = cfg[f'{split}_dataloader']['dataset']
    return ds.get('source', ds) if ds.get(
        'type') == 'CachedFeatureDataset' else ds


def try_build_dataset(ds_cfg):
    try:
        return DATASETS.build(copy.deepcopy(ds_cfg))
    except (FileNotFoundError, OSError) as err:
        print(f'dataset not available ({err}); synthetic batches, the '
              'loader is not timed')
        return None


def synthetic_batch(ds_cfg, batch_size, num_classes):
    """Packed samples with the pipeline's shapes (random pixels)."""
    pipe = {t['type']: t for t in ds_cfg['pipeline']}
    frames = pipe['LoadFaceSceneFrames']
    T = frames.get('clip_len', 16)
    audio = pipe['LoadAudio']
    S = int(audio.get('sample_rate', 22050) * audio.get('duration', 5.0))
    Lc = pipe.get('TokenizeCaption', {}).get('context_length', 77)
    g = torch.Generator().manual_seed(0)
    samples = []
    for b in range(batch_size):
        inputs = {
            m: torch.randint(0, 256, (T, 3, size, size), generator=g,
                             dtype=torch.uint8)
            for m, size in (('face', frames.get('face_size', 224)),
                            ('scene', frames.get('scene_size', 224)))
        }
        inputs['audio'] = torch.randn(S, generator=g) * 0.1
        caption = torch.zeros(Lc, dtype=torch.long)
        caption[:12] = torch.randint(1, 49000, (12, ), generator=g)
        caption[0], caption[12] = 49406, 49407  # SOT ... EOT
        inputs['caption'] = caption
        sample = ActionDataSample().set_gt_label(b % num_classes)
        sample.frame_mask = torch.ones(T, dtype=torch.bool)
        sample.present = {m: True for m in MODALITIES}
        samples.append(dict(inputs=inputs, data_samples=sample))
    return pseudo_collate(samples)


def loader_clips_per_s(dl_cfg, dataset, batch_size, num_workers, steps):
    """Throughput of a dataloader: clips over wall time.

    The first batch (worker start-up) is not timed; then ``max(steps, 16)``
    batches (at most one epoch), so the few batches the workers prefetch
    while the first one is awaited weigh little.

    Returns:
        float: clips/s.
    """
    dl_cfg = copy.deepcopy(dl_cfg)
    dl_cfg.update(batch_size=batch_size, dataset=dataset)
    if num_workers is not None:
        dl_cfg['num_workers'] = num_workers
    if not dl_cfg.get('num_workers'):
        dl_cfg['persistent_workers'] = False
    loader = Runner.build_dataloader(dl_cfg, seed=0)
    it = iter(loader)
    next(it)
    clips, start = 0, time.perf_counter()
    for _ in range(min(max(steps, 16), len(loader) - 1)):
        clips += len(next(it)['data_samples'])
    return clips / (time.perf_counter() - start)


# ------------------------------------------------------------ model
def set_random_towers(cfg):
    for path in TOWER_KEYS:
        node = cfg.model
        for key in path:
            node = node[key]
        node['pretrained'] = None


def count_params(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters()
                 if not p.requires_grad)
    return trainable, frozen


def gflops_per_clip(model, batch1) -> dict:
    """GFLOPs (2 per multiply-add) of one clip: frozen part, trainable part.
    """
    model.eval()
    data = model.data_preprocessor(copy.deepcopy(batch1), False)
    with torch.no_grad():
        with FlopCounterMode(display=False) as frozen:
            feats = model.extract_frozen_features(data['inputs'])
        with FlopCounterMode(display=False) as trainable:
            model.forward_features(feats, data['inputs'])
    return dict(frozen=frozen.get_total_flops() / 1e9,
                trainable=trainable.get_total_flops() / 1e9)


def train_step_times(model, optim_wrapper, batch, frozen=None, amp=False):
    """One train step split in phases; ``frozen`` switches to the cache."""
    model.train()
    t0 = time.perf_counter()
    data = model.data_preprocessor(batch, True)
    if frozen is not None:
        data['inputs']['frozen_features'] = frozen
    sync()
    t1 = time.perf_counter()
    with optim_wrapper.optim_context(model) if amp else _null():
        losses = model(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
    sync()
    t2 = time.perf_counter()
    optim_wrapper.backward(loss)
    sync()
    t3 = time.perf_counter()
    _frozen_grads[0] = sum(1 for p in model.parameters()
                           if not p.requires_grad and p.grad is not None)
    optim_wrapper.step()
    optim_wrapper.zero_grad()
    sync()
    t4 = time.perf_counter()
    return dict(preprocess=t1 - t0, forward=t2 - t1, backward=t3 - t2,
                optimizer=t4 - t3, total=t4 - t0)


#: frozen parameters that got a gradient in the last step (expected: 0)
_frozen_grads = [0]


class _null:

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def inference_times(model, batch, frozen=None):
    model.eval()
    t0 = time.perf_counter()
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        if frozen is not None:
            data['inputs']['frozen_features'] = frozen
        model(**data, mode='tensor')
    sync()
    return dict(total=time.perf_counter() - t0)



# ------------------------------------------------------------ main
def run(args):
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.pretrained == 'none':
        set_random_towers(cfg)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    B = args.batch_size
    results = dict(config=args.config, device=device, batch_size=B,
                   steps=args.steps, warmup=args.warmup,
                   torch_threads=torch.get_num_threads(), amp=args.amp)

    # data: the uncached pipeline, the way the uncached config loads it
    src_cfg = source_dataset_cfg(cfg)
    dataset = try_build_dataset(src_cfg)
    dl_cfg = cfg.train_dataloader
    if dataset is not None:
        # a cached config's own loader reads the cache; its video source
        # is timed with --num-workers, by default VIDEO_WORKERS
        workers = args.num_workers
        if workers is None:
            workers = (VIDEO_WORKERS if dl_cfg.dataset.get('type') ==
                       'CachedFeatureDataset' else dl_cfg.get(
                           'num_workers', 0))
        video_dl = dict(dl_cfg, persistent_workers=bool(workers))
        rate = loader_clips_per_s(video_dl, dataset, B, workers, args.steps)
        results['loader_clips_per_s'] = round(rate, 3)
        results['loader_workers'] = workers
        batch = pseudo_collate([dataset[i % len(dataset)] for i in range(B)])
    else:
        results['loader_clips_per_s'] = None
        classes = cfg.model.get('classes') or ('c', ) * 7
        batch = synthetic_batch(src_cfg, B, len(classes))
    if args.cached:
        cached_ds = try_build_dataset(cfg.train_dataloader.dataset) if (
            cfg.train_dataloader.dataset.get('type') ==
            'CachedFeatureDataset') else None
        if cached_ds is None:
            raise SystemExit('--cached needs a cached config whose train '
                             'cache is built (tools/cache_features.py)')
        rate = loader_clips_per_s(dl_cfg, cached_ds, B, args.num_workers,
                                  args.steps)
        results['cached_loader_clips_per_s'] = round(rate, 3)

    # model
    seed = cfg.get('randomness', {}).get('seed', 0)
    set_random_seed(seed or 0)
    reset_peak_rss()
    model = MODELS.build(cfg.model).to(device)
    trainable, frozen_n = count_params(model)
    results['params_trainable_m'] = round(trainable / 1e6, 3)
    results['params_frozen_m'] = round(frozen_n / 1e6, 3)
    one = pseudo_collate([
        dict(inputs={k: v[0]
                     for k, v in batch['inputs'].items()},
             data_samples=batch['data_samples'][0])
    ])
    flops = gflops_per_clip(model, one)
    results['gflops_per_clip_frozen'] = round(flops['frozen'], 3)
    results['gflops_per_clip_trainable'] = round(flops['trainable'], 3)
    results['gflops_per_clip'] = round(flops['frozen'] + flops['trainable'],
                                       3)
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if args.amp:
        optim_cfg['type'] = ('AmpOptimWrapper' if device == 'cuda' else
                             'CPUAmpOptimWrapper')
        optim_cfg['dtype'] = 'bfloat16'
    optim_wrapper = build_optim_wrapper(model, optim_cfg)

    # frozen features once, as the cache would hold them
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(copy.deepcopy(batch), False)
        feats = model.extract_frozen_features(data['inputs'])
    feats = {k: v.detach().float() for k, v in feats.items()}

    uncached, cached = paired_median_times([
        lambda: train_step_times(model, optim_wrapper, batch, amp=args.amp),
        lambda: train_step_times(model, optim_wrapper, batch, feats, args.
                                 amp)
    ], args.steps, args.warmup)
    results['frozen_params_with_grad'] = _frozen_grads[0]
    results['peak_memory_train_uncached'] = uncached.pop('memory')
    results['peak_memory_train_cached'] = cached.pop('memory')
    for name, times in (('uncached', uncached), ('cached', cached)):
        for phase, value in times.items():
            results[f'train_{name}_{phase}_s'] = round(value, 4)
    results['train_speedup_cached'] = round(
        uncached['total'] / cached['total'], 2)

    inf, inf_c = paired_median_times([
        lambda: inference_times(model, batch),
        lambda: inference_times(model, batch, feats)
    ], args.steps, args.warmup)
    results['peak_memory_inference'] = inf.pop('memory')
    inf_c.pop('memory')
    results['inference_clips_per_s'] = round(B / inf['total'], 3)
    results['inference_cached_clips_per_s'] = round(B / inf_c['total'], 3)
    # how much faster each loader delivers clips than its step consumes them
    if results.get('loader_clips_per_s'):
        results['loader_over_uncached_step'] = round(
            results['loader_clips_per_s'] * uncached['total'] / B, 2)
        results['loader_over_cached_step'] = round(
            results['loader_clips_per_s'] * cached['total'] / B, 2)
    if results.get('cached_loader_clips_per_s'):
        results['cached_loader_over_cached_step'] = round(
            results['cached_loader_clips_per_s'] * cached['total'] / B, 2)
    return results


def table(results) -> str:
    r = results
    rows = [['measure', 'uncached', 'cached']]
    rows.append(['loader clips/s', r.get('loader_clips_per_s'),
                 r.get('cached_loader_clips_per_s', '-')])
    for phase in ('preprocess', 'forward', 'backward', 'optimizer', 'total'):
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


def main(argv=None):
    args = parse_args(argv)
    results = run(args)
    print(table(results))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
