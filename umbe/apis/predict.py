"""Batched prediction of pipeline records (the layer under every API)."""
import time
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmcv.transforms import Compose
from mmengine.dataset import pseudo_collate

from umbe.models.prompts import PromptPool
from umbe.structures import MODALITIES, expand_modalities
from .frame_embeddings import FrozenFeatureEncoder, clip_keys
from .pipeline import build_inference_pipeline


def selects_per_batch(model: torch.nn.Module) -> bool:
    """Whether the model's prompt pool selects one prompt per batch.

    Such a pool (``selects_per_sample`` False) makes a clip's scores depend
    on its batch mates, so inference then predicts one clip per batch.

    Args:
        model (nn.Module): The recognizer.

    Returns:
        bool: True if a :class:`PromptPool` of the model is shared by a
        batch.
    """
    return any(
        isinstance(module, PromptPool) and not module.selects_per_sample
        for module in model.modules())


def _pack(records: Sequence[dict], pipeline: Compose,
          keep: Optional[Tuple[str, ...]]) -> List[dict]:
    """Run the pipeline on each record; modalities not kept are absent."""
    packed = []
    for record in records:
        sample = pipeline(dict(record))
        if keep is not None:
            sample['data_samples'].present = {
                m: bool(p and m in keep)
                for m, p in sample['data_samples'].present.items()
            }
        packed.append(sample)
    return packed


def _batch_keys(records: Sequence[dict], clip_len: int) -> dict:
    """The frame keys of packed records (see :func:`clip_keys`)."""
    return dict(
        face=[
            clip_keys(r.get('frame_dir'), 'face', clip_len) for r in records
        ],
        scene=[
            clip_keys(r.get('scene_dir'), 'scene', clip_len) for r in records
        ])


def _forward(
    model: torch.nn.Module,
    packed: List[dict],
    records: Sequence[dict] = (),
    encoder: Optional[FrozenFeatureEncoder] = None
) -> Tuple[torch.Tensor, dict, dict]:
    """Preprocess and forward a batch.

    With an ``encoder`` the frozen features come from it (frames already
    encoded are reused, keyed by the ``records``' frame sequences after
    the pipeline read them); otherwise from the model's
    ``extract_frozen_features``.

    Returns:
        tuple: ``probs`` (B, C) softmax of the logits; the model's outputs
        (``fused`` (B, D), ``prompt_ids`` (B or 1, k) for UMBEnet, empty for
        another recognizer); ``present`` ``{modality: bool (B,)}``.
    """
    data = model.data_preprocessor(pseudo_collate(packed), False)
    inputs = data['inputs']
    if hasattr(model, 'forward_features'):
        if encoder is not None:
            keys = _batch_keys(records, inputs['face'].shape[1])
            feats = encoder.features(inputs, keys)
        else:
            feats = model.extract_frozen_features(inputs)
        out = model.forward_features(feats, inputs)
        probs = out['logits'].softmax(dim=1)  # (B, C)
    else:  # another recognizer: its own predict mode
        out = {}
        samples = model(inputs, data['data_samples'], mode='predict')
        probs = torch.stack([s.pred_score for s in samples])  # (B, C)
    return probs, out, inputs['present']


def _clip_result(i: int, probs: torch.Tensor, out: dict, present: dict,
                 classes: List[str], return_features: bool) -> dict:
    """The result of clip ``i`` of a batch (see :func:`predict_records`)."""
    p = probs[i].float().cpu().numpy()  # (C,)
    res = dict(
        scores={
            c: float(v)
            for c, v in zip(classes, p)
        },
        probs=p,
        pred_label=int(p.argmax()),
        pred_class=classes[int(p.argmax())],
        modalities=[m for m in MODALITIES if bool(present[m][i])])
    if return_features:
        if 'fused' in out:
            res['fused'] = out['fused'][i].float().cpu().numpy()  # (D,)
        if 'prompt_ids' in out:
            ids = out['prompt_ids']  # (B, k), or (1, k) shared by the batch
            res['prompt_ids'] = ids[min(i, ids.shape[0] - 1)].cpu().tolist()
    return res


@torch.no_grad()
def predict_records(
        model: torch.nn.Module,
        records: Sequence[dict],
        pipeline: Optional[Compose] = None,
        modalities: Optional[Sequence[str]] = None,
        batch_size: int = 8,
        return_features: bool = False,
        timings: Optional[Dict[str, float]] = None,
        encoder: Optional[FrozenFeatureEncoder] = None) -> List[dict]:
    """Predict clips given as pipeline records.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        records (Sequence[dict]): Dataset-style records (paths or
            in-memory sources, see :func:`make_record`).
        pipeline (Compose, optional): Defaults to
            :func:`build_inference_pipeline` of ``model.cfg``.
        modalities (Sequence[str], optional): Modalities to use; the others
            are marked absent. None uses every one the clip has.
            Defaults to None.
        batch_size (int): Clips per forward pass (1 when the prompt pool
            selects per batch, see :func:`selects_per_batch`).
            Defaults to 8.
        return_features (bool): Add ``fused`` and ``prompt_ids``.
            Defaults to False.
        timings (dict, optional): ``pipeline`` and ``model`` seconds are
            added to it.
        encoder (FrozenFeatureEncoder, optional): Runs the frozen towers,
            reusing the embeddings of frames it has seen (records made by
            :mod:`.window_records` carry the keys). None: the model's
            ``extract_frozen_features``. Defaults to None.

    Returns:
        list[dict]: Per record ``scores`` ``{class: prob}``, ``probs``
        (C,) array, ``pred_label``, ``pred_class``, ``modalities`` (used),
        and with ``return_features`` ``fused`` (D,) and ``prompt_ids``
        (k,).
    """
    pipeline = pipeline or build_inference_pipeline(model.cfg)
    keep = None if modalities is None else expand_modalities(modalities)
    classes = list(model.classes)
    if selects_per_batch(model):
        batch_size = 1  # one query per batch: keep each clip on its own
    timings = timings if timings is not None else {}
    results = []
    for start in range(0, len(records), batch_size):
        t0 = time.perf_counter()
        packed = _pack(records[start:start + batch_size], pipeline, keep)
        t1 = time.perf_counter()
        probs, out, present = _forward(model, packed,
                                       records[start:start + batch_size],
                                       encoder)
        results += [
            _clip_result(i, probs, out, present, classes, return_features)
            for i in range(probs.shape[0])
        ]
        t2 = time.perf_counter()
        timings['pipeline'] = timings.get('pipeline', 0.) + t1 - t0
        timings['model'] = timings.get('model', 0.) + t2 - t1
    return results
