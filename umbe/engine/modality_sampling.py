"""Modality dropout and unimodal sampling on presence masks.

One implementation serves two places:

* the pipeline transforms ``ModalityDropout`` and ``UnimodalSample``
  (``umbe/datasets/transforms/modality_dropout.py``), which edit one sample's
  ``results['present']`` dict in a dataloader worker;
* the batch-level callables ``BatchModalityDropout`` and
  ``BatchUnimodalSample`` below, registered in umbe's ``MODELS`` and listed in
  the data preprocessor's ``modality_augments``. They edit the batch's
  ``present`` dict ``{modality: BoolTensor (B,)}`` in the main process, so the
  two-stage switch only swaps them and never rebuilds dataloader workers.

Both only flip presence flags from True to False: a dropped modality keeps
its tensor (no zeros, no noise written) and the model masks it out. A
modality already absent stays absent.
"""
from typing import Dict, Mapping, Optional

import torch
from torch import Tensor

from umbe.registry import MODELS
from umbe.structures import MODALITIES

#: Default drop probabilities of ``ModalityDropout``: the face track is the
#: main signal and is never dropped by default; scene, audio and caption are
#: dropped independently (a project choice, the paper gives no values).
DEFAULT_DROP_PROBS = dict(scene=0.3, audio=0.3, caption=0.3)


def _check_names(values: Mapping, arg: str) -> None:
    unknown = [name for name in values if name not in MODALITIES]
    if unknown:
        raise ValueError(f'{arg} has unknown modality names {unknown}; '
                         f'known modalities are {list(MODALITIES)}')


def drop_prob_vector(drop_probs: Mapping[str, float]) -> Tensor:
    """Check drop probabilities and return them in ``MODALITIES`` order.

    Args:
        drop_probs (Mapping[str, float]): Probability of dropping each named
            modality; modalities not named are never dropped.

    Returns:
        Tensor: float ``(M,)``.
    """
    if not isinstance(drop_probs, Mapping):
        raise TypeError('drop_probs must be a dict {modality: probability}, '
                        f'got {drop_probs!r}')
    _check_names(drop_probs, 'drop_probs')
    for name, prob in drop_probs.items():
        if not isinstance(prob, (int, float)) or not 0 <= prob <= 1:
            raise ValueError(f'drop_probs[{name!r}] must be a probability '
                             f'in [0, 1], got {prob!r}')
    return torch.tensor([float(drop_probs.get(m, 0.)) for m in MODALITIES])


def weight_vector(weights: Optional[Mapping[str, float]]) -> Tensor:
    """Check sampling weights and return them in ``MODALITIES`` order.

    Args:
        weights (Mapping[str, float], optional): Relative weight of each
            named modality; modalities not named get weight 0. None means
            uniform weights.

    Returns:
        Tensor: float ``(M,)``.
    """
    if weights is None:
        return torch.ones(len(MODALITIES))
    if not isinstance(weights, Mapping):
        raise TypeError('weights must be None or a dict {modality: weight}, '
                        f'got {weights!r}')
    _check_names(weights, 'weights')
    for name, weight in weights.items():
        if not isinstance(weight, (int, float)) or weight < 0:
            raise ValueError(f'weights[{name!r}] must be a number >= 0, '
                             f'got {weight!r}')
    vector = torch.tensor([float(weights.get(m, 0.)) for m in MODALITIES])
    if vector.sum() <= 0:
        raise ValueError(f'weights must give some modality a positive '
                         f'weight, got {dict(weights)}')
    return vector


def _pick_one(candidates: Tensor, weights: Tensor,
              generator: Optional[torch.Generator]) -> Tensor:
    """Choose one True entry per row of ``candidates`` ``(R, M)``.

    Rows are drawn with probabilities proportional to ``weights`` over their
    candidates, or uniformly when all their candidates weigh 0.

    Returns:
        Tensor: long ``(R,)`` column indices.
    """
    w = candidates.float() * weights  # (R, M)
    zero = w.sum(1) <= 0
    w[zero] = candidates[zero].float()
    return torch.multinomial(w, 1, generator=generator).squeeze(1)  # (R,)


def sample_modality_dropout(present: Tensor,
                            drop_probs: Tensor,
                            generator: Optional[torch.Generator] = None
                            ) -> Tensor:
    """Drop present modalities independently, never all of them.

    Each present modality m is dropped with probability ``drop_probs[m]``. If
    the draw would leave a sample that had some modality with none, one of
    its present modalities, chosen uniformly, is kept.

    Args:
        present (Tensor): bool ``(B, M)`` presence mask, on the CPU.
        drop_probs (Tensor): float ``(M,)``.
        generator (torch.Generator, optional): Source of randomness; None uses
            torch's global generator. Defaults to None.

    Returns:
        Tensor: bool ``(B, M)``, True only where ``present`` is True.
    """
    drop = torch.rand(present.shape, generator=generator) < drop_probs
    kept = present & ~drop  # (B, M)
    emptied = present.any(1) & ~kept.any(1)  # (B,)
    if emptied.any():
        rows = emptied.nonzero().squeeze(1)
        cols = _pick_one(present[rows], torch.ones(present.shape[1]),
                         generator)
        kept[rows, cols] = True
    return kept


def sample_unimodal(present: Tensor,
                    weights: Tensor,
                    generator: Optional[torch.Generator] = None) -> Tensor:
    """Keep exactly one present modality per sample.

    The kept modality is drawn among the sample's present ones with
    probabilities proportional to ``weights`` (uniformly when all of its
    present modalities weigh 0). A sample with no modality stays empty.

    Args:
        present (Tensor): bool ``(B, M)`` presence mask, on the CPU.
        weights (Tensor): float ``(M,)``.
        generator (torch.Generator, optional): Source of randomness; None uses
            torch's global generator. Defaults to None.

    Returns:
        Tensor: bool ``(B, M)`` with one True per non-empty row.
    """
    kept = torch.zeros_like(present)
    rows = present.any(1).nonzero().squeeze(1)
    if len(rows):
        kept[rows, _pick_one(present[rows], weights, generator)] = True
    return kept


def _make_generator(seed: Optional[int]) -> Optional[torch.Generator]:
    if seed is None:
        return None
    if not isinstance(seed, int):
        raise TypeError(f'seed must be an int or None, got {seed!r}')
    return torch.Generator().manual_seed(seed)


class ModalityDropoutSampler:
    """Modality dropout on a bool ``(B, M)`` mask: checked probabilities, a
    generator and :func:`sample_modality_dropout`.

    The one implementation behind ``BatchModalityDropout`` (below) and the
    ``ModalityDropout`` transform, which differ only in what they read and
    write. Arguments as in those classes.
    """

    def __init__(self,
                 drop_probs: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        self.generator = _make_generator(seed)
        self.drop_probs = drop_prob_vector(
            DEFAULT_DROP_PROBS if drop_probs is None else drop_probs)

    def _sample(self, present: Tensor) -> Tensor:
        return sample_modality_dropout(present, self.drop_probs,
                                       self.generator)

    def __repr__(self) -> str:
        probs = {
            m: round(p, 4)
            for m, p in zip(MODALITIES, self.drop_probs.tolist())
        }
        return f'{self.__class__.__name__}(drop_probs={probs})'


class UnimodalSampler:
    """Stage-1 sampling on a bool ``(B, M)`` mask: checked weights, a
    generator and :func:`sample_unimodal`.

    The one implementation behind ``BatchUnimodalSample`` (below) and the
    ``UnimodalSample`` transform. Arguments as in those classes.
    """

    def __init__(self,
                 weights: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        self.generator = _make_generator(seed)
        self.weights = weight_vector(weights)

    def _sample(self, present: Tensor) -> Tensor:
        return sample_unimodal(present, self.weights, self.generator)

    def __repr__(self) -> str:
        weights = {
            m: round(w, 4)
            for m, w in zip(MODALITIES, self.weights.tolist())
        }
        return f'{self.__class__.__name__}(weights={weights})'


def _batch_seed(seed: Optional[int]) -> int:
    """Seed of a batch-level sampler's private generator.

    Batch-level samplers run in the main process, where the global generator
    is also drawn by every new dataloader iterator (a worker base seed per
    epoch without persistent workers, once with them). A private generator
    keeps the masks independent of the loaders' settings: a cached and an
    uncached run of one model draw the same masks. ``torch.initial_seed()``
    is the seed the runner gave the global generator, whatever was drawn
    since.
    """
    return torch.initial_seed() if seed is None else seed


class _BatchPresenceAugment:
    """Apply a sampler's ``_sample`` to a batch's ``present`` dict (training
    only)."""

    def __call__(self, present: Dict[str, Tensor],
                 training: bool) -> Dict[str, Tensor]:
        """Return a new presence dict.

        Args:
            present (dict[str, Tensor]): ``{modality: bool (B,)}``.
            training (bool): Masks change only when True.

        Returns:
            dict[str, Tensor]: ``{modality: bool (B,)}`` on the input device.
        """
        if not training:
            return present
        names = [m for m in MODALITIES if m in present]
        missing = [m for m in MODALITIES if m not in present]
        if missing:
            raise KeyError(f'present lacks modalities {missing}; it must '
                           f'hold every name in {list(MODALITIES)}')
        device = present[names[0]].device
        matrix = torch.stack([present[m].bool().cpu() for m in names],
                             1)  # (B, M)
        matrix = self._sample(matrix)
        out = dict(present)
        for i, name in enumerate(names):
            out[name] = matrix[:, i].to(device)
        return out


@MODELS.register_module()
class BatchModalityDropout(ModalityDropoutSampler, _BatchPresenceAugment):
    """Batch-level modality dropout for ``modality_augments``.

    Args:
        drop_probs (dict[str, float]): Drop probability per modality; names
            not listed are never dropped. Defaults to
            ``dict(scene=0.3, audio=0.3, caption=0.3)``.
        seed (int, optional): Seed of the private generator. None takes
            ``torch.initial_seed()`` when built (the runner's seed). Defaults
            to None.
    """

    def __init__(self,
                 drop_probs: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__(drop_probs, _batch_seed(seed))


@MODELS.register_module()
class BatchUnimodalSample(UnimodalSampler, _BatchPresenceAugment):
    """Batch-level stage-1 sampling: one present modality per sample.

    Args:
        weights (dict[str, float], optional): Relative weight per modality;
            names not listed weigh 0. None means uniform. Defaults to None.
        seed (int, optional): Seed of the private generator. None takes
            ``torch.initial_seed()`` when built (the runner's seed). Defaults
            to None.
    """

    def __init__(self,
                 weights: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__(weights, _batch_seed(seed))
