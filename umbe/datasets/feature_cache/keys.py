"""Frozen-feature cache keys: what a cache was built from, as hashes.

The manifest's ``key`` hashes four components: the frozen towers' weights
(the modules the model names in ``frozen_towers()``), the data preprocessor
(mean/std), the sampling pipeline (with the presence-only transforms
removed, they run at load time) and the annotation file. A cache whose key
differs from the one a run computes is refused (:class:`StaleCacheError`),
never used silently.
"""
import copy
import hashlib
import json
import os.path as osp
from typing import Dict

import torch
import torch.nn as nn

from .format import CACHE_VERSION, StaleCacheError

#: pipeline transforms that only edit ``present``: not cached, they run on
#: the cached samples (CachedFeatureDataset's ``pipeline``).
PRESENCE_TRANSFORMS = ('ModalityDropout', 'UnimodalSample')
#: keys of ``source_components`` the dataset can check without the model
SOURCE_COMPONENTS = ('pipeline', 'annotations')


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
    """The towers ``extract_frozen_features`` runs (the model says)."""
    return model.frozen_towers()


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
