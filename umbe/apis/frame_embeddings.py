"""Frozen-tower features of clips, each frame encoded once.

Overlapping windows share frames (:func:`.windows.clip_frames` samples every
window of a video from one time grid). The image tower's embedding of a
frame depends on the frame only, never on the window that asks for it, so it
is computed once and kept in a bounded cache, keyed by what the frame shows:

- a scene frame: ``('scene', frame)``. The pipeline resizes and centre-crops
  a full frame the same way in every window.
- a face crop: ``('face', frame, box, margin)``. The crop of a frame depends
  on the face box. That is the track's box at the frame (interpolated
  between detections, the same for every window), except at frames where a
  window holds its nearest detected box; the box is part of the key, so
  equal keys always mean equal crops.
- padding and absent frames: ``('blank', kind)`` (the zeros the pipeline
  pads with).
- a caption: ``('caption', token ids)``.

A frame without a key (in-memory frames a user passes) is encoded every
time.

Exactness: a matrix kernel's rounding depends on the batch size (its
blocking does), so a frame encoded with 7 others would differ in the last
bits from the same frame encoded with 15. The encoder therefore always runs
the image tower on ``chunk_size`` frames, a partial chunk padded with zeros:
a frame's embedding is then a function of the frame alone, and predictions
with the cache are equal to those without it bit for bit
(``tests/apis/test_frame_embeddings.py``). Against the model's own
``extract_frozen_features`` (all 2 x B x T frames of a batch in one call) they
differ by that rounding, as two batch sizes do. The chunk also bounds the
tower's activation memory.
"""
import warnings
from collections import OrderedDict
from typing import Callable, Dict, Hashable, List, Optional, Sequence

import torch

#: transforms of an inference pipeline that give a frame the same pixels
#: in every window (frames are reused only through such a pipeline)
FRAME_PURE_TRANSFORMS = ('InMemoryFaceSceneFrames', 'InMemoryAudio',
                         'TokenizeCaption', 'PackMultimodalInputs')


def scene_key(frame: int) -> tuple:
    """The key of the full frame ``frame`` as the scene."""
    return ('scene', int(frame))


def face_key(frame: int, box: Sequence[float], margin: float) -> tuple:
    """The key of the face crop of ``frame`` around ``box``."""
    return ('face', int(frame), tuple(float(v) for v in box), float(margin))


def blank_key(kind: str) -> tuple:
    """The key of a padding (or absent) frame of ``kind``."""
    return ('blank', kind)


class EmbeddingCache:
    """A bounded map from keys to embeddings; the least recently used go.

    Args:
        max_entries (int): Embeddings kept (0: none). Defaults to 4096.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        if max_entries < 0:
            raise ValueError(f'max_entries must be >= 0, got {max_entries}')
        self.max_entries = max_entries
        self._items: 'OrderedDict[Hashable, torch.Tensor]' = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def get(self, key: Hashable) -> Optional[torch.Tensor]:
        """The embedding of ``key`` (None if absent), now most recent."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: torch.Tensor) -> None:
        """Keep ``value`` for ``key``, dropping the oldest over the bound."""
        if self.max_entries == 0:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        self._items.clear()


def pipeline_reuses_frames(pipeline) -> bool:
    """Whether a frame gets the same pixels in every window of a pipeline.

    True when every transform is one of ``FRAME_PURE_TRANSFORMS`` (the
    in-memory loaders, tokenising, packing). A test pipeline with other
    steps (a random crop, say) could change a frame from window to window,
    so its frames are encoded every time.

    Args:
        pipeline (Compose): From :func:`.pipeline.build_inference_pipeline`.

    Returns:
        bool: Whether frame embeddings may be reused.
    """
    return all(
        type(t).__name__ in FRAME_PURE_TRANSFORMS for t in pipeline.transforms)


def clip_keys(frames, kind: str, clip_len: int) -> List[Optional[tuple]]:
    """The key of each of a clip's T frames after the pipeline read them.

    Args:
        frames (FrameSequence | None): The record's ``frame_dir`` /
            ``scene_dir`` (None: the modality is absent, all T are blank).
        kind (str): ``'face'`` or ``'scene'``.
        clip_len (int): T.

    Returns:
        list: T keys; None for a frame that has none (no reuse).
    """
    if frames is None:
        return [blank_key(kind)] * clip_len
    keys, ids = getattr(frames, 'keys', None), getattr(frames, 'last_ids',
                                                       None)
    if keys is None or ids is None or len(ids) > clip_len:
        return [None] * clip_len
    return [keys[i] for i in ids] + [blank_key(kind)] * (clip_len - len(ids))


class FrozenFeatureEncoder:
    """A model's frozen towers with an embedding cache and fixed chunks.

    ``features(inputs, keys)`` returns what ``model.extract_frozen_features
    (inputs)`` returns (``face``, ``scene`` ``(B, T, Dv)``, ``caption``
    ``(B, E)``), running the towers only on frames and captions whose key is
    not cached. The model must have ``encode_frames`` and
    ``encode_captions`` (UMBEnet has).

    Args:
        model (nn.Module): The recognizer.
        cache_size (int): Embeddings kept (frames and captions); 0 encodes
            every frame of every clip (no reuse). Defaults to 4096.
        chunk_size (int, optional): Frames per image-tower call (see the
            module docstring). Defaults to the model's ``clip_len`` T: the
            frames a window adds at the default stride (T / 2 face crops
            and T / 2 scenes), so a live stream pads nothing.

    Attributes:
        stats (dict): ``encoded`` frames run through the image tower,
            ``reused`` frames served from the cache, ``padding`` rows
            added to fill chunks, ``captions_encoded``.
    """

    def __init__(self,
                 model: torch.nn.Module,
                 cache_size: int = 4096,
                 chunk_size: Optional[int] = None) -> None:
        if chunk_size is None:
            chunk_size = int(getattr(model, 'clip_len', 16))
        if chunk_size < 1:
            raise ValueError(f'chunk_size must be >= 1, got {chunk_size}')
        missing = [
            name for name in ('encode_frames', 'encode_captions')
            if not hasattr(model, name)
        ]
        if missing:
            raise TypeError(f'{type(model).__name__} has no '
                            f'{" / ".join(missing)}: FrozenFeatureEncoder '
                            'needs UMBEnet-style tower methods')
        self.model = model
        self.cache = EmbeddingCache(cache_size)
        self.chunk_size = chunk_size
        self.stats = dict(encoded=0, reused=0, padding=0, captions_encoded=0)

    @property
    def reuses(self) -> bool:
        """Whether embeddings are kept and reused (``cache_size > 0``)."""
        return self.cache.max_entries > 0

    def features(self, inputs: dict,
                 keys: Dict[str, list]) -> Dict[str, torch.Tensor]:
        """The frozen features of a batch.

        Args:
            inputs (dict): The preprocessor's inputs (``face``, ``scene``
                ``(B, T, 3, H, W)``, ``caption`` ``(B, Lc)``).
            keys (dict): ``face`` and ``scene``: B lists of T keys
                (:func:`clip_keys`); ``caption``: B keys or None (the
                token ids are the key).

        Returns:
            dict: ``face``, ``scene`` ``(B, T, Dv)``, ``caption`` ``(B, E)``.
        """
        B, T = inputs['face'].shape[:2]
        # face crops and scenes through the tower together: fewer padded
        # chunks (both are the tower's image size)
        frames = torch.cat(
            [inputs['face'].flatten(0, 1),
             inputs['scene'].flatten(0, 1)])  # (2BT, 3, H, W)
        flat = [
            k for kind in ('face', 'scene') for row in keys[kind] for k in row
        ]
        emb = self._lookup(frames, flat, self._encode_frames)  # (2BT, Dv)
        self.stats['reused'] += len(flat) - self._last_encoded
        out = dict(
            face=emb[:B * T].reshape(B, T, -1),
            scene=emb[B * T:].reshape(B, T, -1))
        tokens = inputs['caption']  # (B, Lc)
        caption_keys = keys.get('caption') or [('caption', tuple(row.tolist()))
                                               for row in tokens]
        out['caption'] = self._lookup(tokens, caption_keys,
                                      self._encode_captions)  # (B, E)
        return out

    def _lookup(
            self, batch: torch.Tensor, keys: List[Optional[tuple]],
            encode: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """Rows of ``batch`` through ``encode``, cached rows reused."""
        reuse = self.reuses
        found: Dict[Hashable, torch.Tensor] = {}
        rows, row_keys = [], []
        for i, key in enumerate(keys):
            if not reuse or key is None:
                rows.append(i)
                row_keys.append(None)
                continue
            if key in found:
                continue
            cached = self.cache.get(key)
            if cached is not None:
                found[key] = cached
            else:
                found[key] = None  # encoded below
                rows.append(i)
                row_keys.append(key)
        new = encode(batch[rows]) if rows else None
        fresh = {}
        for j, (i, key) in enumerate(zip(rows, row_keys)):
            fresh[i] = new[j]
            if key is not None:
                found[key] = new[j]
                self.cache.put(key, new[j])
        self._last_encoded = len(rows)
        return torch.stack([
            fresh[i] if i in fresh else found[key]
            for i, key in enumerate(keys)
        ])

    def _encode_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` -> ``(N, Dv)``, in chunks of ``chunk_size``."""
        size, out = self.chunk_size, []
        for start in range(0, frames.shape[0], size):
            chunk = frames[start:start + size]
            n = chunk.shape[0]
            if n < size:  # a fixed batch size: the same rounding for all
                chunk = torch.cat(
                    [chunk,
                     chunk.new_zeros((size - n, ) + chunk.shape[1:])])
                self.stats['padding'] += size - n
            out.append(self.model.encode_frames(chunk)[:n])
            self.stats['encoded'] += n
        return torch.cat(out)

    def _encode_captions(self, tokens: torch.Tensor) -> torch.Tensor:
        """``(N, Lc)`` -> ``(N, E)``, one caption per call."""
        self.stats['captions_encoded'] += tokens.shape[0]
        return torch.cat([
            self.model.encode_captions(tokens[i:i + 1])
            for i in range(tokens.shape[0])
        ])


def warn_no_reuse(pipeline) -> None:
    """Warn (once per call site) that a pipeline's frames are not reused."""
    names = [
        type(t).__name__ for t in pipeline.transforms
        if type(t).__name__ not in FRAME_PURE_TRANSFORMS
    ]
    warnings.warn(
        f'the test pipeline has {names}, which may change a frame from '
        'window to window: every frame is encoded for every window (no '
        'embedding reuse)')
