"""Modality dropout and unimodal sampling on presence masks.

Pure functions on a bool ``(B, M)`` presence mask (columns in ``MODALITIES``
order) and two small sampler classes that hold checked arguments and a
random generator. One implementation serves two places:

* the pipeline transforms ``ModalityDropout`` and ``UnimodalSample``
  (``umbe/datasets/transforms/modality_dropout.py``), which edit one sample's
  ``results['present']`` dict in a dataloader worker;
* the batch-level augments ``BatchModalityDropout`` and
  ``BatchUnimodalSample`` of the data preprocessor
  (``umbe/models/data_preprocessors/modality_augments.py``), which edit a
  batch's ``present`` dict in the main process.

Both only flip presence flags from True to False: a dropped modality keeps
its tensor (no zeros, no noise written) and the model masks it out. A
modality already absent stays absent.
"""
from typing import Dict, Mapping, Optional

import torch
from torch import Tensor

from .modalities import MODALITIES

#: Default drop probabilities of modality dropout: the face track is the
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


class PresenceSampler:
    """A presence-mask sampler with its own (optional) random generator.

    Subclasses implement :meth:`sample` on a bool ``(B, M)`` mask. The
    generator's state is part of :meth:`state_dict`, so a resumed run can
    draw the masks the uninterrupted run would have drawn.

    Args:
        seed (int, optional): Seed of a private generator; None draws from
            torch's global generator. Defaults to None.
    """

    def __init__(self, seed: Optional[int] = None) -> None:
        if seed is not None and (isinstance(seed, bool)
                                 or not isinstance(seed, int)):
            raise TypeError(f'seed must be an int or None, got {seed!r}')
        self.generator = (None if seed is None else
                          torch.Generator().manual_seed(seed))

    def sample(self, present: Tensor) -> Tensor:
        """Return a new bool ``(B, M)`` mask, True only where ``present``."""
        raise NotImplementedError

    def state_dict(self) -> Dict[str, Optional[Tensor]]:
        """``generator``: the private generator's state (None without)."""
        return dict(generator=None if self.generator is None else
                    self.generator.get_state())

    def load_state_dict(self, state: Dict[str, Optional[Tensor]]) -> None:
        """Restore what :meth:`state_dict` returned."""
        if state.get('generator') is not None and self.generator is not None:
            self.generator.set_state(state['generator'])


class ModalityDropoutSampler(PresenceSampler):
    """Modality dropout on a bool ``(B, M)`` mask
    (:func:`sample_modality_dropout`).

    Args:
        drop_probs (dict[str, float], optional): Drop probability per
            modality; names not listed are never dropped. None means
            ``DEFAULT_DROP_PROBS``. Defaults to None.
        seed (int, optional): See :class:`PresenceSampler`.
    """

    def __init__(self,
                 drop_probs: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        self.drop_probs = drop_prob_vector(
            DEFAULT_DROP_PROBS if drop_probs is None else drop_probs)

    def sample(self, present: Tensor) -> Tensor:
        return sample_modality_dropout(present, self.drop_probs,
                                       self.generator)

    def __repr__(self) -> str:
        probs = {
            m: round(p, 4)
            for m, p in zip(MODALITIES, self.drop_probs.tolist())
        }
        return f'{self.__class__.__name__}(drop_probs={probs})'


class UnimodalSampler(PresenceSampler):
    """Stage-1 sampling on a bool ``(B, M)`` mask: one present modality per
    row (:func:`sample_unimodal`).

    Args:
        weights (dict[str, float], optional): Relative weight per modality;
            names not listed weigh 0. None means uniform. Defaults to None.
        seed (int, optional): See :class:`PresenceSampler`.
    """

    def __init__(self,
                 weights: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        self.weights = weight_vector(weights)

    def sample(self, present: Tensor) -> Tensor:
        return sample_unimodal(present, self.weights, self.generator)

    def __repr__(self) -> str:
        weights = {
            m: round(w, 4)
            for m, w in zip(MODALITIES, self.weights.tolist())
        }
        return f'{self.__class__.__name__}(weights={weights})'


__all__ = [
    'DEFAULT_DROP_PROBS', 'drop_prob_vector', 'weight_vector',
    'sample_modality_dropout', 'sample_unimodal', 'PresenceSampler',
    'ModalityDropoutSampler', 'UnimodalSampler'
]
