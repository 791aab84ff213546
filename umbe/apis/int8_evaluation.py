"""int8 frozen towers against fp32: agreement on records and speed per
clip (behind ``tools/analysis/inference_int8.py``, whose description says
what is run; the tool adds the synthetic clips and the public code)."""
import copy
import statistics
import time

import numpy as np
import torch
from mmengine.config import Config

from .inference import init_recognizer
from .inference_timing import without_pretrained
from .pipeline import build_inference_pipeline, inference_settings
from .predict import predict_records
from .tower_optimization import pack_towers, quantize_towers
from umbe.registry import DATASETS


def build(config: str, checkpoint):
    cfg = Config.fromfile(config)
    if checkpoint is None:
        cfg = without_pretrained(cfg)
    return init_recognizer(cfg, checkpoint, 'cpu')


# ------------------------------------------------------------ agreement
def split_records(cfg: Config, split: str, data_root=None) -> list:
    """The records of a dataset split, as the dataset hands them to its
    pipeline (paths joined)."""
    loader = cfg.get(f'{split}_dataloader')
    if loader is None:
        raise ValueError(f'the config has no {split}_dataloader')
    dataset_cfg = copy.deepcopy(loader['dataset'])
    dataset_cfg['pipeline'] = []
    if data_root:
        dataset_cfg['data_root'] = data_root
    dataset = DATASETS.build(dataset_cfg)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def agreement(model, records: list) -> dict:
    """fp32 vs int8 predictions of the same records."""
    pipeline = build_inference_pipeline(model.cfg)
    t0 = time.perf_counter()
    fp32 = predict_records(model, records, pipeline, batch_size=2)
    t1 = time.perf_counter()
    quantized = copy.deepcopy(model)
    quantize_towers(quantized)  # in place
    q = predict_records(quantized, records, pipeline, batch_size=2)
    t2 = time.perf_counter()
    p = np.stack([r['probs'] for r in fp32])  # (N, C)
    pq = np.stack([r['probs'] for r in q])
    flipped = p.argmax(1) != pq.argmax(1)
    top2 = np.sort(p, axis=1)[:, -2:]  # (N, 2): fp32's runner-up, top
    return dict(
        clips=len(records),
        top1_agreement=float(1 - flipped.mean()),
        # fp32's lead of its top class over the runner-up where int8 picks
        # another class: a flip inside max_abs_diff is a near tie
        flipped_fp32_margins=[
            round(float(m), 4) for m in (top2[:, 1] - top2[:, 0])[flipped]
        ],
        max_abs_diff=float(np.abs(p - pq).max()),
        mean_abs_diff=float(np.abs(p - pq).mean()),
        fp32_seconds=round(t1 - t0, 2),
        int8_seconds=round(t2 - t1, 2))


# ------------------------------------------------------------ speed
def umbe_batch(model, batch: int, seed: int = 0) -> dict:
    """Preprocessed inputs of ``batch`` clips of the config's shape."""
    s = inference_settings(model.cfg)
    g = torch.Generator().manual_seed(seed)
    T = s.clip_len
    return dict(
        face=torch.randn(batch, T, 3, s.face_size, s.face_size, generator=g),
        scene=torch.randn(
            batch, T, 3, s.scene_size, s.scene_size, generator=g),
        audio=torch.randn(batch, s.audio_samples, generator=g) * 0.1,
        caption=torch.randint(1, 4000, (batch, s.caption_length),
                              generator=g).index_fill_(1, torch.tensor([20]),
                                                       49407),
        frame_mask=torch.ones(batch, T, dtype=torch.bool),
        present={
            m: torch.ones(batch, dtype=torch.bool)
            for m in ('face', 'scene', 'audio', 'caption')
        })


def speed(config: str,
          checkpoint=None,
          batch: int = 2,
          reps: int = 2,
          extra_runs=None) -> dict:
    """Inference seconds per clip of umbe fp32 (PyTorch's default
    kernels, and oneDNN-packed: tools/infer.py's CPU default), umbe int8
    and the ``extra_runs`` (``{name: fn}``, each running ``batch`` clips;
    the tool adds the public code's ``'public code'``), ``reps`` rounds
    alternating after a warm-up each; medians, and ratios to the public
    code."""
    torch.manual_seed(0)
    model = build(config, checkpoint)
    packed, q = copy.deepcopy(model), copy.deepcopy(model)
    pack_towers(packed)  # in place
    quantize_towers(q)
    inputs = umbe_batch(model, batch)
    runs = {
        'umbe fp32': lambda: model(inputs, mode='tensor'),
        'umbe fp32 oneDNN': lambda: packed(inputs, mode='tensor'),
        'umbe int8': lambda: q(inputs, mode='tensor')
    }
    runs.update(extra_runs or {})
    times = {name: [] for name in runs}
    with torch.no_grad():
        for name, fn in runs.items():  # warm-up
            fn()
        for rep in range(reps):
            for name, fn in runs.items():
                t0 = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - t0) / batch)
                with open('/proc/loadavg') as f:
                    load = f.read().split()[0]
                print(
                    f'{time.strftime("%H:%M:%S")} rep {rep} {name}: '
                    f'{times[name][-1]:.2f} s/clip (load {load})',
                    flush=True)
    out = dict(
        batch=batch,
        reps=reps,
        threads=torch.get_num_threads(),
        per_clip_s={
            k: round(statistics.median(v), 3)
            for k, v in times.items()
        },
        raw={
            k: [round(x, 3) for x in v]
            for k, v in times.items()
        })
    med = out['per_clip_s']
    out['int8_speedup_over_fp32'] = round(med['umbe fp32'] / med['umbe int8'],
                                          3)
    if 'public code' in med:
        out['public_over_umbe_int8'] = round(
            med['public code'] / med['umbe int8'], 3)
        out['public_over_umbe_fp32'] = round(
            med['public code'] / med['umbe fp32'], 3)
        out['public_over_umbe_fp32_onednn'] = round(
            med['public code'] / med['umbe fp32 oneDNN'], 3)
    return out
