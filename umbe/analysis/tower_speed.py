"""umbe's tower code against the alternatives, timed in one run.

- The image tower: umbe's :class:`CLIPVisionEncoder` (open_clip's tower
  run sequence-first), the same tower batch-first as open_clip builds it,
  with attention through SDPA (``open_clip_batch_first``, what umbe ran
  before) and with ``nn.MultiheadAttention``'s fast path
  (``open_clip_fastpath``, before that), OpenAI's implementation (the
  public code's, package ``clip``, when it is installed) with the same
  weights, and umbe's tower with every Linear packed for oneDNN
  (``umbe_onednn``: what tools/infer.py runs on the CPU,
  :func:`umbe.models.utils.pack_tower`).
- The Dual-Stream head's class texts: the shared prefix
  (:meth:`CLIPTextEncoder.encode_shared_prefix`) against the B×C full
  sequences (:func:`full_class_embeddings`, what umbe ran before) and
  against the text tower batch-first, forward and backward as in a train
  step.
- With ``amp``, what bf16 AMP runs: the towers stored in bf16 under
  autocast (``umbe_bf16``) and, for the image tower, float32 weights under
  autocast (``umbe_autocast``, what AMP did before the towers were stored
  in bf16).

The variants alternate round after round (:func:`paired_median_times`), so
load from other processes hits all alike; each result has the max |Δ| of
the outputs against umbe's. The logic behind
``tools/analysis/tower_speed.py``.
"""
import copy
import time
from contextlib import nullcontext
from typing import Callable, Dict, Optional
from unittest import mock

import torch
import torch.nn as nn
import torch.nn.functional as F

from umbe.models import CLIPVisionEncoder
from umbe.models.utils import (mha_fastpath, onednn_linear_available,
                               pack_tower, set_sequence_first)
from .step_timing import paired_median_times


def openai_vision_tower(encoder: CLIPVisionEncoder) -> Optional[nn.Module]:
    """OpenAI's ``clip.model.VisionTransformer`` holding the encoder's
    weights, or None (package ``clip`` not installed, or a tower OpenAI's
    code cannot express)."""
    try:
        from clip.model import VisionTransformer
    except ImportError:
        return None
    t = encoder.tower
    try:
        model = VisionTransformer(
            input_resolution=encoder.image_size,
            patch_size=t.conv1.kernel_size[0],
            width=t.conv1.out_channels,
            layers=len(t.transformer.resblocks),
            heads=t.transformer.resblocks[0].attn.num_heads,
            output_dim=encoder.embed_dim)
        model.load_state_dict(t.state_dict(), strict=True)
    except (RuntimeError, AttributeError):
        return None
    return model.to(t.conv1.weight.dtype).eval()


def _timed(fn: Callable[[], torch.Tensor], outputs: dict, key: str):
    def run() -> Dict[str, float]:
        start = time.perf_counter()
        cpu = time.process_time()
        outputs[key] = fn()
        return dict(total=time.perf_counter() - start,
                    cpu=time.process_time() - cpu)

    return run


def vision_tower_speed(frames: int = 4,
                       steps: int = 3,
                       warmup: int = 1,
                       model_name: str = 'ViT-L-14-quickgelu',
                       arch_cfg: Optional[dict] = None,
                       seed: int = 0,
                       amp: bool = False) -> dict:
    """Seconds per frame of the image tower's implementations, no grad.

    Args:
        frames (int): Frames per call. Defaults to 4.
        steps (int): Timed rounds (median). Defaults to 3.
        warmup (int): Untimed rounds first. Defaults to 1.
        model_name (str): open_clip model name (random weights).
            Defaults to ``'ViT-L-14-quickgelu'``.
        arch_cfg (dict, optional): A custom open_clip config (tests).
            Defaults to None.
        seed (int): Seed of the weights and frames. Defaults to 0.
        amp (bool): Also the bf16 variants. Defaults to False.

    Returns:
        dict: ``s_per_frame`` and ``cpu_s_per_frame`` (process CPU time,
        all threads) per variant (``umbe``, ``open_clip_batch_first``,
        ``open_clip_fastpath``, ``openai`` and ``umbe_onednn`` when
        available, ``umbe_autocast`` and ``umbe_bf16``
        with ``amp``), ``over_umbe`` (variant time / umbe's: > 1 means
        umbe in float32 is faster) and ``max_abs_diff`` against umbe.
    """
    torch.manual_seed(seed)
    enc = CLIPVisionEncoder(model_name=model_name, arch_cfg=arch_cfg).eval()
    x = torch.randn(frames, 3, enc.image_size, enc.image_size)
    variants = {'umbe': lambda: enc(x)}
    batch_first = copy.deepcopy(enc.tower)
    set_sequence_first(batch_first.transformer, False)

    def sdpa():
        with mha_fastpath(False):
            return batch_first(x)

    def fastpath():
        with mha_fastpath(True):
            return batch_first(x)

    variants['open_clip_batch_first'] = sdpa
    variants['open_clip_fastpath'] = fastpath
    openai = openai_vision_tower(enc)
    if openai is not None:
        variants['openai'] = lambda: openai(x)
    if onednn_linear_available() and x.device.type == 'cpu':
        packed = copy.deepcopy(enc)
        pack_tower(packed.tower)
        variants['umbe_onednn'] = lambda: packed(x)
    if amp:
        device = x.device.type

        def autocast():
            with torch.autocast(device, dtype=torch.bfloat16):
                return enc(x)

        variants['umbe_autocast'] = autocast
        lp = copy.deepcopy(enc)
        lp.set_frozen_dtype('bfloat16')
        variants['umbe_bf16'] = lambda: lp(x)
    outputs = {}
    with torch.no_grad():
        runs = paired_median_times(
            [_timed(fn, outputs, k) for k, fn in variants.items()], steps,
            warmup)
    return _summary(variants, runs, outputs, frames, 'frame')


def full_class_embeddings(head, pool_prompt: Optional[torch.Tensor]
                          ) -> torch.Tensor:
    """The head's class embeddings from the B×C full sequences through
    ``encode_embeddings`` (the reference :meth:`DualStreamHead.
    class_embeddings` equals to rounding)."""
    enc = head.text_encoder
    C = len(head.classes)
    Bq = 1 if pool_prompt is None else pool_prompt.shape[0]
    suffix_ids, eot_index = head.class_tokens()  # (C, S), (C,)
    S = int(eot_index.max()) + 1 - head.prefix_len
    sos = enc.embed_tokens(head.sos_id)  # (1, W)
    W = sos.shape[-1]
    parts = [sos.expand(Bq, C, 1, W)]
    if pool_prompt is not None:
        parts.append(pool_prompt[:, None].expand(Bq, C, -1, W))
    if head.inherent_prompts is not None:
        parts.append(head.inherent_prompts()[None, None].expand(Bq, C, -1, W))
    parts.append(enc.embed_tokens(suffix_ids[:, :S])[None].expand(
        Bq, C, -1, W))
    seqs = torch.cat(parts, dim=2).flatten(0, 1)  # (Bq*C, P + S, W)
    emb = enc.encode_embeddings(seqs, eot_index.repeat(Bq))
    return F.normalize(emb.view(Bq, C, -1), dim=-1)


def class_text_speed(head: nn.Module,
                     batch_size: int = 2,
                     steps: int = 3,
                     warmup: int = 1,
                     seed: int = 0,
                     amp: bool = False) -> dict:
    """Seconds of the head's forward + backward (train mode), shared
    prefix against full class sequences.

    Args:
        head (nn.Module): A :class:`DualStreamHead` (or a subclass).
        batch_size (int): B fused embeddings. Defaults to 2.
        steps (int): Timed rounds (median). Defaults to 3.
        warmup (int): Untimed rounds first. Defaults to 1.
        seed (int): Seed of the fused embeddings. Defaults to 0.
        amp (bool): Also ``umbe_bf16``: the text tower stored in bf16, the
            step under bf16 autocast. Defaults to False.

    Returns:
        dict: As :func:`vision_tower_speed`, per step: variants ``umbe``
        (shared prefix), ``full_sequences`` and ``batch_first`` (the shared
        prefix through the text tower batch-first, as open_clip builds
        it); ``max_abs_diff`` of the logits; ``tokens`` per variant through
        the text tower.
    """
    g = torch.Generator().manual_seed(seed)
    fused = F.normalize(
        torch.randn(batch_size, head.text_encoder.embed_dim, generator=g),
        dim=-1)
    head.train()
    outputs = {}

    def step(full: bool, model=head, bf16: bool = False):
        patch = (mock.patch.object(model, 'class_embeddings',
                                   lambda p: full_class_embeddings(model, p))
                 if full else nullcontext())
        cast = (torch.autocast(fused.device.type, dtype=torch.bfloat16)
                if bf16 else nullcontext())

        def run():
            model.zero_grad(set_to_none=True)
            with patch, cast:
                out = model(fused)
            loss = out['logits'].logsumexp(1).mean()
            loss.backward()
            return out['logits'].detach().float()

        return run

    variants = {'umbe': step(False), 'full_sequences': step(True)}
    bf = copy.deepcopy(head)
    if set_sequence_first(bf.text_encoder.tower.transformer, False):
        variants['batch_first'] = step(False, bf)
    if amp:
        lp = copy.deepcopy(head)
        lp.text_encoder.set_frozen_dtype('bfloat16')
        variants['umbe_bf16'] = step(False, lp, True)
    runs = paired_median_times(
        [_timed(fn, outputs, k) for k, fn in variants.items()], steps, warmup)
    res = _summary(variants, runs, outputs, 1, 'step')
    P = head.prefix_len
    S = int(head.class_tokens()[1].max()) + 1 - P
    C = len(head.classes)
    Bq = batch_size if getattr(head.prompt_pool, 'selects_per_sample',
                               False) else 1
    res['tokens'] = dict(umbe=Bq * (P + C * S),
                         full_sequences=Bq * C * (P + S))
    return res


def _summary(variants, runs, outputs, per: int, unit: str) -> dict:
    ref = outputs['umbe'].float()
    res = {f's_per_{unit}': {}, f'cpu_s_per_{unit}': {}, 'over_umbe': {},
           'max_abs_diff': {}, 'threads': torch.get_num_threads()}
    for name, run in zip(variants, runs):
        res[f's_per_{unit}'][name] = round(run['total'] / per, 4)
        res[f'cpu_s_per_{unit}'][name] = round(run['cpu'] / per, 4)
        res['over_umbe'][name] = round(run['total'] / runs[0]['total'], 3)
        res['max_abs_diff'][name] = float(
            (outputs[name].float() - ref).abs().max())
    return res
