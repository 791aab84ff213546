"""Frozen-feature cache: on-disk format, keys (hashes) and the manifest.

A cache directory holds, for N clips and K views per clip, memory-mapped
``.npy`` arrays (``np.lib.format.open_memmap``):

==============  =========================  ==================================
file            dtype / shape              meaning
==============  =========================  ==================================
face.npy        float32 (N, K, T, Dv)      frozen image-tower face features
scene.npy       float32 (N, K, T, Dv)      frozen image-tower scene features
caption.npy     float32 (N, K, E)          frozen caption text embedding
audio.npy       float32 (N, K, S)          raw waveform (the audio CNN trains)
frame_mask.npy  bool (N, K, T)             True for real frames
present.npy     bool (N, K, M)             loader presence, ``MODALITIES``
label.npy       int64 (N,)                 label
done.npy        bool (N, K)                written views (resume)
==============  =========================  ==================================

plus ``clips.json`` (``filename``/``clip_id``/``label`` per clip) and
``manifest.json``. The manifest's ``key`` hashes four components: the frozen
towers' weights, the data preprocessor (mean/std), the sampling pipeline
(with the presence-only transforms removed, they run at load time) and the
annotation file. A cache whose key differs from the one a run computes is
refused (:class:`StaleCacheError`), never used silently.
"""
import copy
import hashlib
import json
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn as nn

from umbe.structures import MODALITIES

CACHE_VERSION = 1
MANIFEST = 'manifest.json'
CLIPS = 'clips.json'
#: pipeline transforms that only edit ``present``: not cached, they run on
#: the cached samples (CachedFeatureDataset's ``pipeline``).
PRESENCE_TRANSFORMS = ('ModalityDropout', 'UnimodalSample')
#: keys of ``source_components`` the dataset can check without the model
SOURCE_COMPONENTS = ('pipeline', 'annotations')


class StaleCacheError(RuntimeError):
    """A feature cache built from other weights, sampling or data."""


def rebuild_command(config: Optional[str], split: str) -> str:
    """The command that (re)builds the cache of ``split``."""
    return (f'python tools/cache_features.py {config or "CONFIG"} '
            f'--split {split} --overwrite')


def _sha1_json(obj) -> str:
    text = json.dumps(obj, sort_keys=True, default=repr)
    return hashlib.sha1(text.encode()).hexdigest()


def file_sha1(path: str) -> str:
    """sha1 of a file's bytes."""
    digest = hashlib.sha1()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def weights_sha1(modules: Dict[str, nn.Module]) -> str:
    """sha1 of the parameters and buffers of ``modules`` (name order)."""
    digest = hashlib.sha1()
    for prefix in sorted(modules):
        state = modules[prefix].state_dict()
        for name in sorted(state):
            t = state[name].detach().cpu().contiguous()
            digest.update(f'{prefix}.{name}{tuple(t.shape)}{t.dtype}'.encode())
            digest.update(t.view(torch.uint8).numpy().tobytes() if t.numel()
                          else b'')
    return digest.hexdigest()


def cacheable_pipeline(pipeline) -> list:
    """The pipeline without the presence-only transforms (a deep copy)."""
    return [
        copy.deepcopy(t) for t in pipeline
        if not (isinstance(t, dict) and t.get('type') in PRESENCE_TRANSFORMS)
    ]


def presence_pipeline(pipeline) -> list:
    """Only the presence-only transforms of ``pipeline`` (a deep copy)."""
    return [
        copy.deepcopy(t) for t in pipeline
        if isinstance(t, dict) and t.get('type') in PRESENCE_TRANSFORMS
    ]


def source_components(source: dict) -> Dict[str, str]:
    """Key components of a source dataset config (no model needed).

    Args:
        source (dict): The uncached dataset config (``ann_file``,
            ``data_root``, ``pipeline``).

    Returns:
        dict: ``pipeline`` (hash of the cacheable pipeline config) and
        ``annotations`` (hash of the annotation file).
    """
    ann_file = osp.join(source.get('data_root', ''), source['ann_file'])
    return dict(
        pipeline=_sha1_json(cacheable_pipeline(source['pipeline'])),
        annotations=file_sha1(ann_file) if osp.isfile(ann_file) else
        'missing:' + ann_file)


def frozen_modules(model: nn.Module) -> Dict[str, nn.Module]:
    """The towers ``UMBEnet.extract_frozen_features`` runs."""
    return dict(vision_encoder=model.vision_encoder,
                caption_text_encoder=model.caption_encoder.text_encoder)


def check_frozen(model: nn.Module) -> None:
    """Refuse to cache towers that train (their features would go stale)."""
    trainable = [
        name for name, m in frozen_modules(model).items()
        if any(p.requires_grad for p in m.parameters())
    ]
    if trainable:
        raise ValueError(
            f'the towers {trainable} are trainable (frozen=False): their '
            'features change every step and cannot be cached; set '
            'frozen=True in the model config (see '
            'configs/umbenet/umbenet_demo_cached.py)')


def model_components(model: nn.Module) -> Dict[str, str]:
    """Key components of the model: frozen towers' weights, preprocessor."""
    pre = model.data_preprocessor
    prep = {
        k: [round(float(v), 6) for v in getattr(pre, k).flatten()]
        for k in ('mean', 'std') if hasattr(pre, k)
    }
    return dict(towers=weights_sha1(frozen_modules(model)),
                preprocessor=_sha1_json(prep))


def make_key(components: Dict[str, str]) -> str:
    """The cache key: a hash of all components."""
    return _sha1_json(dict(components, version=CACHE_VERSION))


def read_manifest(cache_dir: str) -> Optional[dict]:
    """The manifest of ``cache_dir`` or None when there is none."""
    path = osp.join(cache_dir, MANIFEST)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def check_components(manifest: dict, components: Dict[str, str],
                     cache_dir: str, command: str) -> None:
    """Raise :class:`StaleCacheError` when a component differs.

    Args:
        manifest (dict): The cache's manifest.
        components (dict): The components computed now (all or some).
        cache_dir (str): For the message.
        command (str): The rebuild command, for the message.
    """
    if manifest.get('version') != CACHE_VERSION:
        raise StaleCacheError(
            f'feature cache {cache_dir} has format version '
            f'{manifest.get("version")}, this code reads {CACHE_VERSION}; '
            f'rebuild it: {command}')
    stored = manifest.get('components', {})
    what = dict(towers='the frozen towers\' weights',
                preprocessor='the data preprocessor (mean/std)',
                pipeline='the pipeline / frame sampling',
                annotations='the annotation file')
    differ = [k for k, v in components.items() if stored.get(k) != v]
    if differ:
        names = ', '.join(what.get(k, k) for k in differ)
        raise StaleCacheError(
            f'feature cache {cache_dir} is stale: it was built with other '
            f'{names} than this run uses; it is not used. Rebuild it: '
            f'{command}')


class FeatureCacheArrays:
    """The memory-mapped arrays of one cache directory.

    Args:
        cache_dir (str): The directory.
        mode (str): ``'r'`` (read), ``'r+'`` (resume) or ``'w+'`` (create;
            needs ``shapes``).
        shapes (dict, optional): For ``'w+'``: ``num_clips``, ``num_views``,
            ``clip_len``, ``vision_dim``, ``caption_dim``,
            ``audio_samples``. Defaults to None.
    """

    NAMES = ('face', 'scene', 'caption', 'audio', 'frame_mask', 'present',
             'label', 'done')

    def __init__(self, cache_dir: str, mode: str = 'r',
                 shapes: Optional[dict] = None) -> None:
        self.cache_dir = cache_dir
        if mode == 'w+':
            os.makedirs(cache_dir, exist_ok=True)
            n, k, t = (shapes['num_clips'], shapes['num_views'],
                       shapes['clip_len'])
            specs = dict(
                face=((n, k, t, shapes['vision_dim']), np.float32),
                scene=((n, k, t, shapes['vision_dim']), np.float32),
                caption=((n, k, shapes['caption_dim']), np.float32),
                audio=((n, k, shapes['audio_samples']), np.float32),
                frame_mask=((n, k, t), np.bool_),
                present=((n, k, len(MODALITIES)), np.bool_),
                label=((n, ), np.int64),
                done=((n, k), np.bool_))
            for name, (shape, dtype) in specs.items():
                setattr(
                    self, name,
                    np.lib.format.open_memmap(
                        self.path(name), mode='w+', dtype=dtype,
                        shape=shape))
            self.done[:] = False
            self.flush()
        else:
            for name in self.NAMES:
                path = self.path(name)
                if not osp.isfile(path):
                    raise StaleCacheError(
                        f'feature cache {cache_dir} lacks {name}.npy; it is '
                        'incomplete or damaged, rebuild it with '
                        'tools/cache_features.py --overwrite')
                setattr(self, name,
                        np.lib.format.open_memmap(path, mode=mode))

    def path(self, name: str) -> str:
        """Path of the array ``name``."""
        return osp.join(self.cache_dir, f'{name}.npy')

    @property
    def num_clips(self) -> int:
        """N."""
        return self.done.shape[0]

    @property
    def num_views(self) -> int:
        """K."""
        return self.done.shape[1]

    def flush(self) -> None:
        """Write the pages to disk; ``done`` last."""
        for name in self.NAMES:
            getattr(self, name).flush()


def check_model(model: nn.Module, dataset) -> None:
    """Refuse a cache built with other towers or another preprocessor.

    For a hook's ``before_train`` / ``before_val`` / ``before_test`` (the
    dataset alone does not see the model).

    Args:
        model (nn.Module): The (unwrapped) UMBEnet.
        dataset: A dataset; anything but a ``CachedFeatureDataset`` (with a
            ``manifest``) is ignored.
    """
    manifest = getattr(dataset, 'manifest', None)
    if manifest is None:
        return
    check_components(manifest, model_components(model), dataset.cache_dir,
                     dataset.command)
