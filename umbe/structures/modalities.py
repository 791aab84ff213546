"""The modality vocabulary: names, the ``video`` alias, subset bitmasks.

Everything in umbe that names a modality, expands ``'video'``, encodes a
sample's modality subset as a bitmask or enumerates subsets uses this module;
nothing re-derives them from tensor shapes.

A *subset* of modalities is an int bitmask: bit i set = ``MODALITIES[i]``
present (``face`` = 1, ``scene`` = 2, ``audio`` = 4, ``caption`` = 8).
"""
import itertools
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

#: The modalities a sample can carry, in the order used for presence masks,
#: fusion tokens and result tables. ``face`` = aligned face frames, ``scene``
#: = full frames of the clip, ``audio`` = the waveform, ``caption`` = text.
MODALITIES: Tuple[str, ...] = ('face', 'scene', 'audio', 'caption')

#: Names that stand for several modalities: ``video`` = face and scene.
MODALITY_ALIASES: Dict[str, Tuple[str, ...]] = dict(video=('face', 'scene'))

#: Every name a user may write: the aliases, then ``MODALITIES``.
MODALITY_NAMES: Tuple[str, ...] = tuple(MODALITY_ALIASES) + MODALITIES

#: The groups a clip's sources load as one (the pipeline loaders): ``video``
#: (face and scene frames), ``audio``, ``caption``. Subset evaluation and the
#: missing-modality tables enumerate subsets of these.
MODALITY_GROUPS: Tuple[str, ...] = ('video', 'audio', 'caption')

#: Number of subset bitmasks, ``2 ** len(MODALITIES)``.
NUM_SUBSETS: int = 2**len(MODALITIES)


def expand_modalities(names: Union[str, Iterable[str]],
                      arg: str = 'modalities') -> Tuple[str, ...]:
    """Check modality names and expand the aliases.

    Args:
        names (str | Iterable[str]): Names from ``MODALITY_NAMES``, as a
            sequence or a comma-separated string (``'video,audio'``).
        arg (str): What the names were given as, for the error message.
            Defaults to 'modalities'.

    Returns:
        tuple[str]: The named modalities in ``MODALITIES`` order, each once.

    Raises:
        ValueError: If a name is unknown or no name is given.
    """
    if isinstance(names, str):
        names = [n.strip() for n in names.split(',') if n.strip()]
    names = list(names)
    unknown = [n for n in names if n not in MODALITY_NAMES]
    if unknown or not names:
        raise ValueError(
            f'{arg} {names}: ' +
            (f'unknown names {unknown}' if unknown else 'no name given') +
            f'; use names from {list(MODALITY_NAMES)} ("video" = face + '
            'scene)')
    kept = set()
    for name in names:
        kept.update(MODALITY_ALIASES.get(name, (name, )))
    return tuple(m for m in MODALITIES if m in kept)


def presence_matrix(present: Dict[str, Tensor]) -> Tensor:
    """``{modality: bool (B,)}`` -> bool ``(B, M)`` in ``MODALITIES`` order.

    Raises:
        KeyError: Naming the modalities the dict lacks.
    """
    missing = [m for m in MODALITIES if m not in present]
    if missing:
        raise KeyError(f'present lacks modalities {missing}; it must hold '
                       f'every name in {list(MODALITIES)}')
    return torch.stack([present[m].bool() for m in MODALITIES], dim=1)


def presence_dict(matrix: Tensor) -> Dict[str, Tensor]:
    """bool ``(B, M)`` -> ``{modality: bool (B,)}``."""
    return {m: matrix[:, i] for i, m in enumerate(MODALITIES)}


def subset_mask(names: Iterable[str]) -> int:
    """The bitmask of a set of modality names (aliases allowed)."""
    names = list(names)
    if not names:
        return 0
    return sum(1 << MODALITIES.index(m) for m in expand_modalities(names))


def subset_ids(present: Tensor) -> Tensor:
    """Bitmask of each sample's modality subset.

    Args:
        present (Tensor): bool ``(B, M)``.

    Returns:
        Tensor: long ``(B,)`` in ``[0, NUM_SUBSETS)``.
    """
    bits = 2**torch.arange(len(MODALITIES), device=present.device)
    return (present.long() * bits).sum(dim=1)


def subset_modalities(mask: int) -> Tuple[str, ...]:
    """The modalities of a bitmask, in ``MODALITIES`` order."""
    if not 0 <= int(mask) < NUM_SUBSETS:
        raise ValueError(f'subset mask {mask} is not in [0, {NUM_SUBSETS})')
    return tuple(m for i, m in enumerate(MODALITIES) if int(mask) >> i & 1)


def subset_name(mask: int) -> str:
    """``'face+audio'`` for the bitmask of face and audio (``''`` for 0)."""
    return '+'.join(subset_modalities(mask))


def subset_membership() -> Tensor:
    """Which subsets hold each modality.

    Returns:
        Tensor: bool ``(M, NUM_SUBSETS)``; entry (i, s) is True when bit i
        of subset s is set.
    """
    masks = torch.arange(NUM_SUBSETS)
    return torch.stack([(masks >> i) & 1 for i in range(len(MODALITIES))
                        ]).bool()


def nonempty_subsets(
        names: Optional[Sequence[str]] = None) -> List[Tuple[str, ...]]:
    """Every non-empty subset of ``names``, smallest first.

    Args:
        names (Sequence[str], optional): Defaults to ``MODALITY_GROUPS``
            (7 subsets: video, audio, caption and their unions).

    Returns:
        list[tuple[str]]: The subsets, each in the order of ``names``.
    """
    names = tuple(MODALITY_GROUPS if names is None else names)
    return [
        subset for k in range(1, len(names) + 1)
        for subset in itertools.combinations(names, k)
    ]


__all__ = [
    'MODALITIES', 'MODALITY_ALIASES', 'MODALITY_NAMES', 'MODALITY_GROUPS',
    'NUM_SUBSETS', 'expand_modalities', 'presence_matrix', 'presence_dict',
    'subset_mask', 'subset_ids', 'subset_modalities', 'subset_name',
    'subset_membership', 'nonempty_subsets'
]
