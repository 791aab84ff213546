"""Batch-level modality augments of the data preprocessor.

Listed in ``MultimodalEmotionPreprocessor(modality_augments=[...])`` and
applied in training only, in the main process: the two-stage switch swaps
them on the preprocessor and never rebuilds dataloader workers. The
sampling is :mod:`umbe.structures.modality_sampling`, shared with the
pipeline transforms.
"""
from typing import Dict, Mapping, Optional

import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from torch import Tensor

from umbe.registry import MODELS
from umbe.structures import (ModalityDropoutSampler, UnimodalSampler,
                             presence_dict, presence_matrix)


def _batch_seed(seed: Optional[int]) -> int:
    """Seed of a batch-level augment's private generator.

    Batch-level augments run in the main process, where the global generator
    is also drawn by every new dataloader iterator (a worker base seed per
    epoch without persistent workers, once with them). A private generator
    keeps the masks independent of the loaders' settings: a cached and an
    uncached run of one model draw the same masks. ``torch.initial_seed()``
    is the seed the runner gave the global generator, whatever was drawn
    since.
    """
    return torch.initial_seed() if seed is None else seed


class BatchPresenceAugment:
    """Apply a sampler's ``sample`` to a batch's ``present`` dict in
    training.

    Under DDP the masks are drawn for the global batch: the processes'
    presence rows are gathered in the order of the distributed sampler
    (global row ``i * world_size + rank``), sampled together and each
    process keeps its own rows. With one shared seed, N processes of batch
    B draw the masks one process of batch N x B draws for the same samples.
    """

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
        matrix = presence_matrix(present)  # (B, M)
        device = matrix.device
        matrix = self._sample_global(matrix.cpu()).to(device)
        return dict(present, **presence_dict(matrix))

    def _sample_global(self, local: Tensor) -> Tensor:
        """Sample the global batch, return this process's rows ``(B, M)``."""
        world = get_world_size()
        if world == 1:
            return self.sample(local)
        rows = all_gather_object(local)  # per rank (B_r, M)
        order = [(r, i) for i in range(max(len(x) for x in rows))
                 for r in range(world) if i < len(rows[r])]
        sampled = self.sample(torch.stack([rows[r][i] for r, i in order]))
        mine = [g for g, (r, _) in enumerate(order) if r == get_rank()]
        return sampled[mine]


@MODELS.register_module()
class BatchModalityDropout(ModalityDropoutSampler, BatchPresenceAugment):
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
class BatchUnimodalSample(UnimodalSampler, BatchPresenceAugment):
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
