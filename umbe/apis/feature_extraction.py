"""Embeddings for research: what the model computes per clip, as arrays.

Behind ``tools/extract_features.py``. Every clip of a dataset split (in the
annotation order) or every video (whole, or in sliding windows through
:func:`.video_inference.infer_video`) gives one row of each per-clip array
below; :func:`save_features` writes them to one ``.npz`` (numpy alone reads
it, ``np.load(path)``, no pickle). N clips, D the fused width, M =
``len(MODALITIES)``, k the prompts selected, C classes, E the class
embedding width (= D), Dv the image tower's width, Ec the caption tower's.

Per-clip arrays (N rows): ``clip_ids`` str, ``labels`` int64 (-1 when
unknown), ``fused`` (N, D), ``tokens`` (N, M, D) (``MODALITIES`` order,
before the fusion), ``present`` (N, M) bool, ``prompt_ids`` (N, k) int64
(k = 0 without a pool), ``logits`` (N, C), ``class_index`` (N,) into
``class_embeddings`` (U, C, E) (one L2-normalised set per distinct prompt
selection), ``input_face`` / ``input_scene`` (N, Dv) (frame means over the
real frames), ``input_caption`` (N, Ec); scalars ``logit_scale``,
``source`` (``split:test`` or ``videos``), ``config``, ``checkpoint``;
names ``classes`` (C,), ``modalities`` (M,); for videos ``video``,
``start``, ``end`` (N,). The table with every shape: docs/research_tools.md.

:func:`reproduce_logits` recomputes ``logits`` from ``fused``,
``class_embeddings``, ``class_index`` and ``logit_scale`` with numpy; with
the model, ``model.head(fused)`` selects the same prompts (eval selection
depends on the fused embedding alone) and ``model.fusion(tokens,
present)`` gives ``fused`` back.
"""
import contextlib
import copy
from typing import Callable, Dict, Iterator, List, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from torch.utils.data import DataLoader

from umbe.atomic_io import atomic_write
from umbe.models.prompts import usage_entropy
from umbe.registry import DATASETS
from umbe.structures import MODALITIES, expand_modalities, presence_matrix
from .predict import selects_per_batch
from .video_inference import infer_video

SPLITS = ('train', 'val', 'test')

#: per-clip arrays, in the order they are stacked
CLIP_KEYS = ('fused', 'tokens', 'present', 'prompt_ids', 'logits',
             'input_face', 'input_scene', 'input_caption')


def _masked_frame_mean(frames: torch.Tensor,
                       mask: torch.Tensor) -> torch.Tensor:
    """Mean over the real frames: ``(B, T, Dv)``, ``(B, T)`` -> ``(B, Dv)``.
    """
    weights = mask.to(frames.dtype).unsqueeze(-1)  # (B, T, 1)
    return (frames * weights).sum(1) / weights.sum(1).clamp(min=1)


def batch_features(feats: Dict[str, torch.Tensor], inputs: dict,
                   out: Dict[str, torch.Tensor]) -> Dict[str, np.ndarray]:
    """The per-clip arrays of one batch.

    Args:
        feats (dict): The frozen features (``face``, ``scene``
            ``(B, T, Dv)``, ``caption`` ``(B, Ec)``).
        inputs (dict): The preprocessor's inputs (``frame_mask``,
            ``present``).
        out (dict): ``forward_features``' outputs (``fused``, ``tokens``,
            ``logits``, ``class_embeddings`` ``(Bq, C, E)``, optional
            ``prompt_ids`` ``(Bq, k)``).

    Returns:
        dict[str, ndarray]: :data:`CLIP_KEYS` with B rows, and
        ``class_embeddings`` ``(B, C, E)`` (each clip's set).
    """
    missing = [k for k in ('fused', 'tokens', 'logits', 'class_embeddings')
               if k not in out]
    if missing:
        raise ValueError(
            f'the model\'s forward_features gives no {missing}; feature '
            'extraction needs a UMBEnet-style recognizer (UMBEnet, '
            'ZeroShotCLIP)')
    B = out['logits'].shape[0]
    mask = inputs['frame_mask']  # (B, T)

    def rows(t: torch.Tensor) -> torch.Tensor:  # (Bq, ...) -> (B, ...)
        return t.expand(B, *t.shape[1:]) if t.shape[0] == 1 else t

    ids = out.get('prompt_ids')
    ids = (torch.zeros(B, 0, dtype=torch.long)
           if ids is None else rows(ids))  # (B, k)
    arrays = dict(
        fused=out['fused'],
        tokens=out['tokens'],
        present=presence_matrix(inputs['present']),
        prompt_ids=ids,
        logits=out['logits'],
        input_face=_masked_frame_mean(feats['face'], mask),
        input_scene=_masked_frame_mean(feats['scene'], mask),
        input_caption=feats['caption'],
        class_embeddings=rows(out['class_embeddings']))
    result = {}
    for key, value in arrays.items():
        value = value.detach().cpu()
        result[key] = value.numpy() if value.dtype in (
            torch.bool, torch.long) else value.float().numpy()
    return result


def forward_batch(model: torch.nn.Module,
                  inputs: dict) -> Dict[str, np.ndarray]:
    """Run one preprocessed batch and return :func:`batch_features`.

    A batch from a feature cache (``inputs['frozen_features']``) skips the
    towers, as the model's own forward does.
    """
    feats = inputs.get('frozen_features')
    if feats is None:
        feats = model.extract_frozen_features(inputs)
    return batch_features(feats, inputs, model.forward_features(
        feats, inputs))


@contextlib.contextmanager
def recording_features(model: torch.nn.Module) -> Iterator[List[dict]]:
    """Record :func:`batch_features` of every ``forward_features`` call.

    Used to take the features of the clips the inference API predicts
    (:func:`infer_video` keeps only the probabilities): inside the block
    the model's ``forward_features`` is wrapped on the instance; the list
    yielded receives one dict per call, in call order.

    Args:
        model (nn.Module): A UMBEnet-style recognizer.

    Yields:
        list[dict]: The recorded batches.
    """
    records = []
    original = model.forward_features

    def forward_features(feats, inputs):
        out = original(feats, inputs)
        records.append(batch_features(feats, inputs, out))
        return out

    model.forward_features = forward_features
    try:
        yield records
    finally:
        del model.forward_features  # the class's method again


class FeatureTable:
    """Collects per-clip rows; class-embedding sets are kept once per
    distinct prompt selection."""

    def __init__(self) -> None:
        self.parts = {key: [] for key in CLIP_KEYS}
        self.class_sets, self.class_index = [], []
        self._set_of = {}
        self.clip_ids, self.labels = [], []
        self.extra = {}

    def add(self, batch: Dict[str, np.ndarray], clip_ids: Sequence[str],
            labels: Sequence[int], **extra: Sequence) -> None:
        """Add a batch of :func:`batch_features` and its clips' ids,
        labels and any extra per-clip columns."""
        if len(clip_ids) != batch['logits'].shape[0]:
            raise ValueError(f'{len(clip_ids)} clip ids for '
                             f'{batch["logits"].shape[0]} rows')
        for key in CLIP_KEYS:
            self.parts[key].append(batch[key])
        for ids, emb in zip(batch['prompt_ids'], batch['class_embeddings']):
            key = tuple(int(i) for i in ids)
            if key not in self._set_of:
                self._set_of[key] = len(self.class_sets)
                self.class_sets.append(emb)
            self.class_index.append(self._set_of[key])
        self.clip_ids += [str(c) for c in clip_ids]
        self.labels += [int(v) for v in labels]
        for key, values in extra.items():
            self.extra.setdefault(key, []).extend(values)

    def __len__(self) -> int:
        return len(self.clip_ids)

    def arrays(self, classes: Sequence[str], logit_scale: float,
               **meta: str) -> Dict[str, np.ndarray]:
        """Everything :func:`save_features` writes (see the module doc)."""
        if not self.clip_ids:
            raise ValueError('no clip was extracted')
        out = {key: np.concatenate(parts) for key, parts in
               self.parts.items()}
        out.update(
            clip_ids=np.array(self.clip_ids, dtype=str),
            labels=np.array(self.labels, dtype=np.int64),
            class_embeddings=np.stack(self.class_sets).astype(np.float32),
            class_index=np.array(self.class_index, dtype=np.int64),
            logit_scale=np.array(logit_scale, dtype=np.float32),
            classes=np.array(list(classes), dtype=str),
            modalities=np.array(MODALITIES, dtype=str))
        for key, values in self.extra.items():
            out[key] = np.array(values)
        for key, value in meta.items():
            out[key] = np.array(str(value))
        return out


def _logit_scale(model: torch.nn.Module) -> float:
    return float(model.head.scale())


def split_dataset_cfg(cfg: Config, split: str) -> dict:
    """The dataset config of a split, read with the test pipeline.

    Args:
        cfg (Config): The model's config.
        split (str): ``'train'``, ``'val'`` or ``'test'``.

    Returns:
        dict: ``{split}_dataloader.dataset`` with ``test_mode=True`` and,
        when it is the test dataset's type, the test pipeline (no training
        augmentation).
    """
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    loader = cfg.get(f'{split}_dataloader')
    if not loader or not loader.get('dataset'):
        raise ValueError(f'the config has no {split}_dataloader.dataset')
    dataset = copy.deepcopy(loader['dataset'])
    test = cfg.get('test_dataloader', {}).get('dataset', {})
    if test.get('type') == dataset.get('type') and test.get('pipeline'):
        dataset['pipeline'] = copy.deepcopy(test['pipeline'])
    dataset['test_mode'] = True
    return dataset


@torch.no_grad()
def extract_split_features(model: torch.nn.Module,
                           split: str,
                           batch_size: int = 8,
                           num_workers: int = 0,
                           progress: Optional[Callable[[int, int],
                                                       None]] = None,
                           **meta: str) -> Dict[str, np.ndarray]:
    """Features of every clip of a dataset split, in the annotation order.

    Args:
        model (nn.Module): From :func:`init_recognizer` (``model.cfg``
            set); its data preprocessor's ``keep_modalities`` applies.
        split (str): ``'train'``, ``'val'`` or ``'test'`` (read with the test
            pipeline, see :func:`split_dataset_cfg`).
        batch_size (int): Clips per forward pass (1 when the prompt pool
            selects once per batch). Defaults to 8.
        num_workers (int): Dataloader workers. Defaults to 0.
        progress (Callable, optional): ``progress(done, total)`` after each
            batch.
        **meta (str): Extra scalar strings to store (``config``,
            ``checkpoint``).

    Returns:
        dict[str, ndarray]: The arrays of the module doc.
    """
    dataset = DATASETS.build(split_dataset_cfg(model.cfg, split))
    if selects_per_batch(model):
        batch_size = 1  # one query per batch: keep each clip on its own
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False,
                        num_workers=num_workers, collate_fn=pseudo_collate)
    table = FeatureTable()
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        samples = data['data_samples']
        table.add(forward_batch(model, data['inputs']),
                  [s.metainfo.get('clip_id', '') for s in samples],
                  [int(s.gt_label.view(-1)[0]) if 'gt_label' in s else -1
                   for s in samples])
        if progress is not None:
            progress(len(table), len(dataset))
    return table.arrays(model.classes, _logit_scale(model),
                        source=f'split:{split}', **meta)


def _window_id(video: str, row: dict, whole: bool) -> str:
    return video if whole else (f'{video}@{row["start"]:.2f}-'
                                f'{row["end"]:.2f}s')


@torch.no_grad()
def extract_video_features(model: torch.nn.Module,
                           videos: Sequence[str],
                           window: Optional[float] = None,
                           stride: Optional[float] = None,
                           on_error: Optional[Callable[[str, Exception],
                                                       None]] = None,
                           **video_kwargs) -> Dict[str, np.ndarray]:
    """Features of videos, as :func:`infer_video` reads them.

    Each video is one clip (``window=None``) or one clip per sliding
    window; windows it skips (no face, with ``no_face='skip'``) give no
    row. Labels are -1.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        videos (Sequence[str]): Video files.
        window (float, optional): Window seconds; None: the whole video.
            Defaults to None.
        stride (float, optional): Seconds between windows. Defaults to
            half the window.
        on_error (Callable, optional): ``on_error(video, exception)`` for a
            video that fails; None raises. Defaults to None.
        **video_kwargs: More :func:`infer_video` options (``caption``,
            ``modalities``, ``no_face``, ``margin``, ``det_fps``,
            ``detector``, ``batch_size``) and scalar strings to store
            (``config``, ``checkpoint``).

    Returns:
        dict[str, ndarray]: The arrays of the module doc, with ``video``,
        ``start``, ``end``.
    """
    meta = {k: video_kwargs.pop(k) for k in ('config', 'checkpoint')
            if k in video_kwargs}
    table = FeatureTable()
    for video in videos:
        try:
            with recording_features(model) as records:
                result = infer_video(model, video, window=window,
                                     stride=stride, **video_kwargs)
        except Exception as err:  # noqa: B902  (reported, or raised)
            if on_error is None:
                raise
            on_error(video, err)
            continue
        scored = [r for r in result['windows'] if r.get('scores')]
        if not records:
            continue
        batch = {key: np.concatenate([r[key] for r in records])
                 for key in records[0]}
        if batch['logits'].shape[0] != len(scored):
            raise RuntimeError(
                f'{video}: {batch["logits"].shape[0]} clips recorded for '
                f'{len(scored)} scored windows')
        table.add(batch, [_window_id(video, r, window is None)
                          for r in scored], [-1] * len(scored),
                  video=[video] * len(scored),
                  start=[float(r['start']) for r in scored],
                  end=[float(r['end']) for r in scored])
    if not len(table):
        raise ValueError(
            f'no clip scored in {len(videos)} video(s): no face was found '
            'where one was needed (no_face=\'scene\' / --no-face scene '
            'scores such clips from the scene and the sound)')
    return table.arrays(model.classes, _logit_scale(model),
                        source='videos', **meta)


def keep_modalities_cfg(cfg: Config,
                        modalities: Optional[Sequence[str]]) -> Config:
    """``cfg`` whose data preprocessor keeps only ``modalities`` (None: as
    it is); the others are marked absent, as ``tools/test.py
    --modalities`` does."""
    if modalities is not None:
        cfg.model.data_preprocessor['keep_modalities'] = tuple(
            expand_modalities(modalities, '--modalities'))
    return cfg


def save_features(path: str, arrays: Dict[str, np.ndarray]) -> None:
    """Write the arrays to a ``.npz`` file (compressed, atomically)."""
    if not path.endswith('.npz'):
        raise ValueError(f'{path}: use a .npz file name')
    with atomic_write(path, 'wb') as f:
        np.savez_compressed(f, **arrays)


def load_features(path: str) -> Dict[str, np.ndarray]:
    """Read a file of :func:`save_features` (no pickle)."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def reproduce_logits(arrays: Dict[str, np.ndarray]) -> np.ndarray:
    """The logits from the stored embeddings, with numpy only.

    ``logit_scale * cos(fused, class_embeddings[class_index])``.

    Args:
        arrays (dict): From :func:`load_features`.

    Returns:
        ndarray: ``(N, C)`` float32.
    """
    fused = arrays['fused'].astype(np.float64)
    fused /= np.linalg.norm(fused, axis=-1, keepdims=True).clip(1e-12)
    classes = arrays['class_embeddings'][arrays['class_index']]  # (N, C, E)
    logits = np.einsum('ne,nce->nc', fused, classes.astype(np.float64))
    return (float(arrays['logit_scale']) * logits).astype(np.float32)


def prompt_usage_entropy(arrays: Dict[str, np.ndarray],
                         pool_size: Optional[int] = None) -> float:
    """Entropy (bits) of the prompts the extracted clips selected.

    Args:
        arrays (dict): From :func:`load_features`.
        pool_size (int, optional): P; None: the largest id + 1.

    Returns:
        float: :func:`umbe.models.prompts.usage_entropy` of the counts of
        ``prompt_ids``; NaN without a prompt pool.
    """
    ids = arrays['prompt_ids'].reshape(-1)
    if not ids.size:
        return float('nan')
    counts = np.bincount(ids, minlength=pool_size or int(ids.max()) + 1)
    return float(usage_entropy(counts))
