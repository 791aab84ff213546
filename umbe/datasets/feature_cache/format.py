"""Frozen-feature cache: the on-disk format and the manifest.

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
``manifest.json``, whose ``key`` (:mod:`.keys`) says what the cache was
built from.
"""
import json
import os
import os.path as osp
from typing import Optional

import numpy as np

from umbe.atomic_io import atomic_write_json
from umbe.structures import MODALITIES

CACHE_VERSION = 1
MANIFEST = 'manifest.json'
CLIPS = 'clips.json'


class StaleCacheError(RuntimeError):
    """A feature cache built from other weights, sampling or data."""


def rebuild_command(config: Optional[str], split: str) -> str:
    """The command that (re)builds the cache of ``split``."""
    return (f'python tools/cache_features.py {config or "CONFIG"} '
            f'--split {split} --overwrite')


def read_manifest(cache_dir: str) -> Optional[dict]:
    """The manifest of ``cache_dir`` or None when there is none.

    Raises:
        StaleCacheError: If the manifest is truncated or not JSON.
    """
    path = osp.join(cache_dir, MANIFEST)
    if not osp.isfile(path):
        return None
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (ValueError, UnicodeDecodeError) as err:
        raise StaleCacheError(
            f'{path}: not a valid manifest ({err}); the cache is damaged, '
            'rebuild it with tools/cache_features.py CONFIG --overwrite'
        ) from None


def write_manifest(cache_dir: str, manifest: dict) -> None:
    """Write ``manifest.json`` atomically."""
    atomic_write_json(manifest, osp.join(cache_dir, MANIFEST), indent=2)


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
