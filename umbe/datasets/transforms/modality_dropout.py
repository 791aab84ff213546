"""Pipeline transforms that mark modalities missing: dropout and stage 1.

They edit ``results['present']`` (a dict ``{modality: bool}``) only; the
samplers (arguments, generator, sampling) are those of
:mod:`umbe.structures.modality_sampling`, shared with the batch-level
augments of the data preprocessor.
"""
from typing import Dict

import torch
from mmcv.transforms import BaseTransform

from umbe.registry import TRANSFORMS
from umbe.structures import (MODALITIES, ModalityDropoutSampler,
                             UnimodalSampler)


class _PresenceTransform(BaseTransform):
    """Run a sampler's ``sample`` on one sample's ``results['present']``.

    Modalities missing from the dict count as absent and are left out.
    """

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
        row = self.sample(row)[0]
        new = dict(present)
        for i, name in enumerate(MODALITIES):
            if name in present:
                new[name] = bool(row[i])
        results['present'] = new
        return results


@TRANSFORMS.register_module()
class ModalityDropout(ModalityDropoutSampler, _PresenceTransform):
    """Drop modalities independently, never all of them.

    Required keys: ``present``. Modified keys: ``present``.

    Args:
        drop_probs (dict[str, float]): Drop probability per modality; names
            not listed are never dropped. Defaults to
            ``dict(scene=0.3, audio=0.3, caption=0.3)``.
        seed (int, optional): Seed of a private generator; None uses torch's
            global generator (seeded per dataloader worker). Defaults to None.
    """


@TRANSFORMS.register_module()
class UnimodalSample(UnimodalSampler, _PresenceTransform):
    """Keep exactly one present modality (stage 1 of two-stage training).

    Required keys: ``present``. Modified keys: ``present``.

    Args:
        weights (dict[str, float], optional): Relative weight per modality;
            names not listed weigh 0. None means uniform over the present
            ones. Defaults to None.
        seed (int, optional): Seed of a private generator; None uses torch's
            global generator (seeded per dataloader worker). Defaults to None.
    """
