"""Timing one train step (split in phases) and one inference step.

The model is an mmengine ``BaseModel`` with UMBEnet's frozen-feature
interface: ``inputs['frozen_features']`` (what ``extract_frozen_features``
returns) makes it skip its frozen towers, exactly as
``CachedFeatureDataset`` + ``CachedFeaturePreprocessor`` feed it.
"""
import contextlib
import copy
import statistics
import time
from typing import Callable, Dict, List, Optional, Sequence

import torch

from .memory import peak_memory, reset_peak_memory


def synchronize() -> None:
    """Wait for the GPU (a no-op on CPU), so that a clock reading after it
    includes the queued work."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def frozen_features(model, batch: dict) -> Dict[str, torch.Tensor]:
    """The frozen towers' features of a batch, as a feature cache holds them.

    Args:
        model (BaseModel): The recognizer (``extract_frozen_features``).
        batch (dict): A collated batch (``inputs``, ``data_samples``); not
            modified.

    Returns:
        dict: ``face``, ``scene`` ``(B, T, Dv)``, ``caption`` ``(B, E)``,
        detached float32.
    """
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(copy.deepcopy(batch), False)
        feats = model.extract_frozen_features(data['inputs'])
    return {k: v.detach().float() for k, v in feats.items()}


def train_step_times(model,
                     optim_wrapper,
                     batch: dict,
                     frozen: Optional[Dict[str, torch.Tensor]] = None,
                     amp: bool = False,
                     stats: Optional[dict] = None) -> Dict[str, float]:
    """One train step, timed per phase.

    Args:
        model (BaseModel): The recognizer.
        optim_wrapper (OptimWrapper): Its optim wrapper.
        batch (dict): A collated batch; the preprocessor may modify it
            (pass a copy to reuse it).
        frozen (dict, optional): :func:`frozen_features` of the batch: the
            step runs from them (the cached step). Defaults to None (the
            towers run).
        amp (bool): Run the forward in ``optim_wrapper.optim_context``
            (an AMP optim wrapper's autocast). Defaults to False.
        stats (dict, optional): Receives ``frozen_params_with_grad``, the
            frozen parameters holding a gradient after the backward
            (0: no backward through the towers). Defaults to None.

    Returns:
        dict: Seconds of ``preprocess``, ``forward`` (with the loss),
        ``backward``, ``optimizer`` (step and zero_grad) and ``total``.
    """
    model.train()
    t0 = time.perf_counter()
    data = model.data_preprocessor(batch, True)
    if frozen is not None:
        data['inputs']['frozen_features'] = frozen
    synchronize()
    t1 = time.perf_counter()
    context = optim_wrapper.optim_context(model) if amp else \
        contextlib.nullcontext()
    with context:
        losses = model(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
    synchronize()
    t2 = time.perf_counter()
    optim_wrapper.backward(loss)
    synchronize()
    t3 = time.perf_counter()
    if stats is not None:
        stats['frozen_params_with_grad'] = sum(
            1 for p in model.parameters()
            if not p.requires_grad and p.grad is not None)
    optim_wrapper.step()
    optim_wrapper.zero_grad()
    synchronize()
    t4 = time.perf_counter()
    return dict(preprocess=t1 - t0, forward=t2 - t1, backward=t3 - t2,
                optimizer=t4 - t3, total=t4 - t0)


def inference_times(model,
                    batch: dict,
                    frozen: Optional[Dict[str, torch.Tensor]] = None
                    ) -> Dict[str, float]:
    """One inference step (preprocess + ``mode='tensor'``, no grad), timed.

    Args:
        model (BaseModel): The recognizer.
        batch (dict): A collated batch (pass a copy to reuse it).
        frozen (dict, optional): :func:`frozen_features` of the batch: the
            towers are skipped. Defaults to None.

    Returns:
        dict: ``total`` seconds.
    """
    model.eval()
    t0 = time.perf_counter()
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        if frozen is not None:
            data['inputs']['frozen_features'] = frozen
        model(**data, mode='tensor')
    synchronize()
    return dict(total=time.perf_counter() - t0)


def paired_median_times(fns: Sequence[Callable[[], Dict[str, float]]],
                        steps: int, warmup: int) -> List[dict]:
    """Run the functions in turn, round after round, and take medians.

    Alternating is fair under a shared, noisy CPU: load from other
    processes hits every function alike.

    Args:
        fns (Sequence[callable]): Each returns a dict of phase seconds.
        steps (int): Timed rounds.
        warmup (int): Untimed rounds first.

    Returns:
        list[dict]: Per function, the median seconds per phase and the peak
        memory of its steps (``memory``, see :func:`peak_memory`).
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    runs = [[] for _ in fns]
    peaks = [{} for _ in fns]
    for _ in range(steps):
        for j, fn in enumerate(fns):
            reset_peak_memory()
            runs[j].append(fn())
            for k, v in peak_memory().items():
                peaks[j][k] = max(peaks[j].get(k, 0), v)
    out = []
    for r, peak in zip(runs, peaks):
        med = {k: statistics.median(x[k] for x in r) for k in r[0]}
        out.append(dict(med, memory=peak))
    return out
