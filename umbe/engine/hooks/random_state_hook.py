"""Random streams that a resumed run draws exactly as the uninterrupted one."""
import hashlib
import random
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from umbe.models.utils import unwrap_model
from umbe.registry import HOOKS

CKPT_KEY = 'random_state'


def _derived_seed(*parts) -> int:
    """A 32-bit seed from the run's seed and a position (stable hash)."""
    text = '/'.join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], 'little')


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make every random stream of training resumable, bit for bit.

    * The global torch (CPU and CUDA), numpy and python generators are
      seeded at the start of every training epoch and iteration from the
      run's seed, the rank and the position. What runs in between
      (validation, a dataloader drawing its workers' base seed, a
      checkpoint being saved) cannot leak into training, and a run resumed
      at epoch k starts from the state the uninterrupted run had there.
    * The private generators of the data preprocessor's modality augments
      (``state_dict`` / ``load_state_dict``) are saved in every checkpoint
      and restored after a resume, once the hooks that rebuild them at the
      stage switch (``TwoStageHook``, higher priority) have run.
    * The dataloader's sampler is mmengine's ``DefaultSampler``, whose
      shuffle is a function of the seed and the epoch.

    Randomness inside dataloader worker processes (pipeline transforms
    drawing from the global generator) is seeded by mmengine per worker and
    is not part of the checkpoint: use the batch-level augments of the data
    preprocessor (the default configs do) for an exact resume.
    """

    priority = 'LOW'

    def __init__(self) -> None:
        self._pending: Optional[List[Optional[dict]]] = None

    @staticmethod
    def _augments(runner) -> list:
        preprocessor = unwrap_model(runner.model).data_preprocessor
        return list(getattr(preprocessor, 'modality_augments', []) or [])

    def _seed_all(self, runner, *position) -> None:
        seed = _derived_seed(runner.seed, get_rank(), *position)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)  # CPU and every CUDA device

    # --- checkpoints ---------------------------------------------------------
    def before_save_checkpoint(self, runner, checkpoint: Dict) -> None:
        """Save the augments' generator states and the run's seed."""
        checkpoint[CKPT_KEY] = dict(
            seed=runner.seed,
            augments=[
                dict(type=type(a).__name__, state=a.state_dict())
                if hasattr(a, 'state_dict') else None
                for a in self._augments(runner)
            ])

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        """Keep the saved states until :meth:`before_train`."""
        state = checkpoint.get(CKPT_KEY)
        if state is None:
            return
        if state.get('seed') != runner.seed:
            runner.logger.warning(
                f'RandomStateHook: the checkpoint was trained with seed '
                f'{state.get("seed")}, this run has seed {runner.seed}; the '
                'resumed run will not repeat the interrupted one')
        self._pending = state.get('augments')

    def before_train(self, runner) -> None:
        """Restore the augments' generators (after the stage hooks)."""
        if self._pending is None:
            return
        augments = self._augments(runner)
        saved = [s for s in self._pending if s is not None]
        owners = [a for a in augments if hasattr(a, 'load_state_dict')]
        if [s['type'] for s in saved] != [type(a).__name__ for a in owners]:
            runner.logger.warning(
                'RandomStateHook: the checkpoint holds the generator states '
                f'of {[s["type"] for s in saved]}, the model has '
                f'{[type(a).__name__ for a in owners]}; not restored')
        else:
            for augment, entry in zip(owners, saved):
                augment.load_state_dict(entry['state'])
        self._pending = None

    # --- the global generators -----------------------------------------------
    def before_train_epoch(self, runner) -> None:
        """Seed the global generators for this epoch."""
        self._seed_all(runner, 'epoch', runner.epoch)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Seed the global generators for this iteration."""
        self._seed_all(runner, 'iter', runner.iter)
