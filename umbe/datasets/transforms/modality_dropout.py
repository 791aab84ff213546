"""Pipeline transforms that mark modalities missing: dropout and stage 1.

They edit ``results['present']`` (a dict ``{modality: bool}``) only; the
sampling itself lives in :mod:`umbe.engine.modality_sampling`, shared with
the batch-level callables of the data preprocessor.
"""
from typing import Dict, Mapping, Optional

import torch
from mmcv.transforms import BaseTransform

from umbe.engine.modality_sampling import (DEFAULT_DROP_PROBS,
                                           _make_generator, drop_prob_vector,
                                           sample_modality_dropout,
                                           sample_unimodal, weight_vector)
from umbe.registry import TRANSFORMS
from umbe.structures import MODALITIES


class _PresenceTransform(BaseTransform):
    """Run a mask sampler on one sample's ``results['present']``.

    Modalities missing from the dict count as absent and are left out.
    """

    def __init__(self, seed: Optional[int] = None) -> None:
        self.generator = _make_generator(seed)

    def _sample(self, present: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def transform(self, results: Dict) -> Dict:
        """Update ``results['present']``.

        Args:
            results (dict): Needs ``present``, ``{modality: bool}``.

        Returns:
            dict: ``results`` with a new ``present`` dict (same keys).
        """
        if 'present' not in results:
            raise KeyError(f'{self.__class__.__name__} needs '
                           "results['present']; load the modalities first")
        present = results['present']
        row = torch.tensor([[bool(present.get(m, False))
                             for m in MODALITIES]])  # (1, M)
        row = self._sample(row)[0]
        new = dict(present)
        for i, name in enumerate(MODALITIES):
            if name in present:
                new[name] = bool(row[i])
        results['present'] = new
        return results


@TRANSFORMS.register_module()
class ModalityDropout(_PresenceTransform):
    """Drop modalities independently, never all of them.

    Required keys: ``present``. Modified keys: ``present``.

    Args:
        drop_probs (dict[str, float]): Drop probability per modality; names
            not listed are never dropped. Defaults to
            ``dict(scene=0.3, audio=0.3, caption=0.3)``.
        seed (int, optional): Seed of a private generator; None uses torch's
            global generator (seeded per dataloader worker). Defaults to None.
    """

    def __init__(self,
                 drop_probs: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        self.drop_probs = drop_prob_vector(
            DEFAULT_DROP_PROBS if drop_probs is None else drop_probs)

    def _sample(self, present: torch.Tensor) -> torch.Tensor:
        return sample_modality_dropout(present, self.drop_probs,
                                       self.generator)

    def __repr__(self) -> str:
        probs = {
            m: round(p, 4)
            for m, p in zip(MODALITIES, self.drop_probs.tolist())
        }
        return f'{self.__class__.__name__}(drop_probs={probs})'


@TRANSFORMS.register_module()
class UnimodalSample(_PresenceTransform):
    """Keep exactly one present modality (stage 1 of two-stage training).

    Required keys: ``present``. Modified keys: ``present``.

    Args:
        weights (dict[str, float], optional): Relative weight per modality;
            names not listed weigh 0. None means uniform over the present
            ones. Defaults to None.
        seed (int, optional): Seed of a private generator; None uses torch's
            global generator (seeded per dataloader worker). Defaults to None.
    """

    def __init__(self,
                 weights: Optional[Mapping[str, float]] = None,
                 seed: Optional[int] = None) -> None:
        super().__init__(seed)
        self.weights = weight_vector(weights)

    def _sample(self, present: torch.Tensor) -> torch.Tensor:
        return sample_unimodal(present, self.weights, self.generator)

    def __repr__(self) -> str:
        weights = {
            m: round(w, 4)
            for m, w in zip(MODALITIES, self.weights.tolist())
        }
        return f'{self.__class__.__name__}(weights={weights})'
