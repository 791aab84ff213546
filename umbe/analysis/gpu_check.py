"""A short accelerator check of the full model (the logic behind
``tools/analysis/gpu_check.py``, docs/benchmark.md "GPU check").

With random tower weights and synthetic clips of the config's shapes, in
this order (each phase's peak accelerator memory recorded):

1. **agreement**: the logits of a few clips on the CPU in float32 (the
   reference), on the device in float32 (TF32 off) and on the device in
   bf16 (autocast, frozen towers stored in bf16, what ``--amp`` runs),
   checked against tolerances;
2. **inference** clips/s at the inference batch in bf16;
3. the **train step** (bf16 AMP optim wrapper), uncached and cached
   (frozen features given, as a feature cache feeds them), alternating.
"""
import copy
import time
from contextlib import nullcontext
from typing import Callable, Optional

import torch
from mmengine.optim import build_optim_wrapper

from umbe.datasets import pipeline_settings
from umbe.models.utils import FrozenTowerModule
from umbe.registry import MODELS
from .benchmark_configs import set_random_towers, source_dataset_cfg
from .memory import peak_memory, reset_peak_memory
from .step_timing import (frozen_features, paired_median_times, synchronize,
                          train_step_times)
from .synthetic_batch import synthetic_clips

#: |Δ logit| allowed between the device in float32 and the CPU reference
FP32_LOGIT_ATOL = 1e-2
#: |Δ cos| (|Δ logit| over the logit scale) allowed for bf16
BF16_COS_ATOL = 3e-2
#: the issue's goal for inference at batch 32, bf16, one H100-class GPU
GOAL_CLIPS_PER_S = 60.0


def _autocast(device: str, enabled: bool):
    return (torch.autocast(device, dtype=torch.bfloat16)
            if enabled else nullcontext())


def logits_of(model, batch: dict, bf16: bool = False) -> torch.Tensor:
    """``mode='tensor'`` logits of a batch, on CPU, float32.

    Args:
        model (BaseModel): The recognizer (on its device).
        batch (dict): A collated batch (not modified).
        bf16 (bool): Under bf16 autocast. Defaults to False.
    """
    model.eval()
    device = next(model.parameters()).device.type
    with torch.no_grad(), _autocast(device, bf16):
        data = model.data_preprocessor(copy.deepcopy(batch), False)
        return model(**data, mode='tensor').float().cpu()


def to_bf16_towers(model) -> list:
    """Store every frozen tower of ``model`` in bf16, in place; the names
    of the towers changed."""
    done = []
    for name, module in model.named_modules():
        if isinstance(module, FrozenTowerModule):
            module.set_frozen_dtype('bfloat16')
            if module.storage_dtype == torch.bfloat16:
                done.append(name)
    return done


def agreement(ref: torch.Tensor, got: torch.Tensor, scale: float) -> dict:
    """Max |Δ logit|, max |Δ cos| (= |Δ logit| / scale), max |Δ
    probability| and top-1 agreement of two ``(B, C)`` logits."""
    diff = (got - ref).abs().max().item()
    return dict(max_abs_logit=diff, max_abs_cos=diff / scale,
                max_abs_prob=(got.softmax(1) - ref.softmax(1)).abs().max(
                ).item(),
                top1_agree=float((got.argmax(1) == ref.argmax(1)).float(
                ).mean()))


def _logit_scale(model) -> float:
    return float(model.head.scale())


def _infer_clips_per_s(model, batch: dict, steps: int, warmup: int,
                       device: str) -> float:
    times = []
    model.eval()
    for i in range(warmup + steps):
        data_in = copy.deepcopy(batch)
        synchronize()
        start = time.perf_counter()
        with torch.no_grad(), _autocast(device, True):
            data = model.data_preprocessor(data_in, False)
            model(**data, mode='tensor')
        synchronize()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    times.sort()
    return len(batch['data_samples']) / times[len(times) // 2]


def gpu_check(cfg,
              device: Optional[str] = None,
              infer_batch: int = 32,
              train_batch: int = 8,
              compare_clips: int = 2,
              steps: int = 3,
              warmup: int = 1,
              seed: int = 0,
              log: Callable[[str], None] = print) -> dict:
    """Run the check; the keys of the result are in docs/benchmark.md.

    Args:
        cfg (Config): A model config (its train pipeline gives the clip
            shapes); the towers get random weights.
        device (str, optional): ``'cuda'`` or ``'cpu'`` (the test runs it
            on CPU). Defaults to None (CUDA when available).
        infer_batch (int): Clips per inference step. Defaults to 32.
        train_batch (int): Clips per train step. Defaults to 8.
        compare_clips (int): Clips of the agreement check. Defaults to 2.
        steps (int): Timed steps (median). Defaults to 3.
        warmup (int): Untimed steps first. Defaults to 1.
        seed (int): Seed of weights and clips. Defaults to 0.
        log (callable): Receives progress lines. Defaults to print.

    Returns:
        dict: The measurements and ``agreement_ok``.
    """
    start = time.perf_counter()
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    cfg = copy.deepcopy(cfg)
    set_random_towers(cfg)
    settings = pipeline_settings(source_dataset_cfg(cfg)['pipeline'])
    C = len(cfg.model.classes)
    res = dict(device=device, infer_batch=infer_batch,
               train_batch=train_batch, steps=steps, warmup=warmup,
               torch=torch.__version__, threads=torch.get_num_threads())
    if device == 'cuda':
        res['gpu'] = torch.cuda.get_device_name()
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    # 1. agreement: CPU fp32, device fp32, device bf16
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    small = synthetic_clips(settings, compare_clips, C, seed)
    ref = logits_of(model, small)
    scale = _logit_scale(model)
    log(f'CPU float32 reference: {compare_clips} clips')
    model.to(device)
    reset_peak_memory()
    res['agreement_fp32'] = agreement(ref, logits_of(model, small), scale)
    res['bf16_towers'] = to_bf16_towers(model)
    res['agreement_bf16'] = agreement(ref, logits_of(model, small, True),
                                      scale)
    res['peak_memory_agreement'] = peak_memory()
    res['agreement_ok'] = bool(
        res['agreement_fp32']['max_abs_logit'] <= FP32_LOGIT_ATOL
        and res['agreement_bf16']['max_abs_cos'] <= BF16_COS_ATOL)
    res['tolerance'] = dict(fp32_max_abs_logit=FP32_LOGIT_ATOL,
                            bf16_max_abs_cos=BF16_COS_ATOL)
    log(f'agreement fp32 {res["agreement_fp32"]}, bf16 '
        f'{res["agreement_bf16"]}')

    # 2. inference in bf16
    batch = synthetic_clips(settings, infer_batch, C, seed + 1)
    reset_peak_memory()
    res['inference_bf16_clips_per_s'] = round(
        _infer_clips_per_s(model, batch, steps, warmup, device), 3)
    res['peak_memory_inference'] = peak_memory()
    log(f'inference bf16 batch {infer_batch}: '
        f'{res["inference_bf16_clips_per_s"]} clips/s')
    del batch

    # 3. train steps, bf16 AMP, uncached and cached
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    optim_cfg.update(type='AmpOptimWrapper' if device == 'cuda' else
                     'CPUAmpOptimWrapper', dtype='bfloat16')
    optim_cfg.pop('loss_scale', None)
    optim_wrapper = build_optim_wrapper(model, optim_cfg)
    batch = synthetic_clips(settings, train_batch, C, seed + 2)
    feats = frozen_features(model, batch)
    feats = {k: v.to(device) for k, v in feats.items()}
    uncached, cached = paired_median_times([
        lambda: train_step_times(model, optim_wrapper, copy.deepcopy(batch),
                                 amp=True),
        lambda: train_step_times(model, optim_wrapper, copy.deepcopy(batch),
                                 feats, amp=True)
    ], steps, warmup)
    res['peak_memory_train_uncached'] = uncached.pop('memory')
    res['peak_memory_train_cached'] = cached.pop('memory')
    res['train_uncached_s'] = round(uncached['total'], 4)
    res['train_cached_s'] = round(cached['total'], 4)
    res['train_uncached_clips_per_s'] = round(train_batch / uncached['total'],
                                              3)
    res['train_cached_clips_per_s'] = round(train_batch / cached['total'], 3)
    log(f'train step bf16 batch {train_batch}: uncached '
        f'{res["train_uncached_s"]} s, cached {res["train_cached_s"]} s')
    res['total_s'] = round(time.perf_counter() - start, 1)
    return res


def gpu_check_report(res: dict) -> str:
    """The result of :func:`gpu_check` as lines to print."""
    mem = {k[len('peak_memory_'):]: v.get('cuda_max_allocated_gib',
                                          v.get('cpu_rss_gib'))
           for k, v in res.items() if k.startswith('peak_memory_')}
    unit = 'GPU max allocated' if res['device'] == 'cuda' else 'CPU peak RSS'
    lines = [
        f'device {res["device"]} {res.get("gpu", "")}, torch '
        f'{res["torch"]}, {res["total_s"]} s in all',
        f'inference bf16, batch {res["infer_batch"]}: '
        f'{res["inference_bf16_clips_per_s"]} clips/s (goal on one '
        f'H100-class GPU: >= {GOAL_CLIPS_PER_S:g})',
        f'train step bf16 AMP, batch {res["train_batch"]}: uncached '
        f'{res["train_uncached_s"]} s ({res["train_uncached_clips_per_s"]} '
        f'clips/s), cached {res["train_cached_s"]} s '
        f'({res["train_cached_clips_per_s"]} clips/s)',
        f'peak memory ({unit}, GiB): ' +
        ', '.join(f'{k} {v}' for k, v in mem.items()),
    ]
    for key in ('agreement_fp32', 'agreement_bf16'):
        a = res[key]
        lines.append(
            f'{key[len("agreement_"):]} vs CPU fp32: max|d logit| '
            f'{a["max_abs_logit"]:.2e}, max|d cos| {a["max_abs_cos"]:.2e}, '
            f'max|d prob| {a["max_abs_prob"]:.2e}, top-1 agree '
            f'{a["top1_agree"]:.2f}')
    tol = res['tolerance']
    lines.append(
        f'agreement {"OK" if res["agreement_ok"] else "FAILED"} (fp32 '
        f'max|d logit| <= {tol["fp32_max_abs_logit"]}, bf16 max|d cos| <= '
        f'{tol["bf16_max_abs_cos"]})')
    return '\n'.join(lines)
