"""Freezing: one mechanism, ``requires_grad``, shared by every component.

A tower is frozen when none of its parameters requires a gradient. The CLIP
tower encoders set that once when built (``frozen=True``) and keep a frozen
tower in eval mode through ``train()``; nothing re-freezes afterwards, so a
hook that makes parameters trainable (:func:`set_trainable_by_patterns`, as
``TwoStageHook`` does in stage 2) is never undone by the train loop.
"""
import re
from typing import Iterable, List

import torch.nn as nn


class FrozenTowerModule(nn.Module):
    """A module wrapping ``self.tower`` that may be frozen.

    Subclasses set ``self.tower`` and ``self.weights_file`` (the file its
    weights came from, None for random weights) and call :meth:`set_frozen`
    at the end of ``__init__``. :attr:`frozen` is read from the parameters,
    so it always says what the optimizer will see.
    """

    weights_file = None

    @property
    def frozen(self) -> bool:
        """True when no parameter of the tower requires a gradient."""
        return not any(p.requires_grad for p in self.tower.parameters())

    def set_frozen(self, frozen: bool) -> None:
        """Freeze (no gradients, eval mode) or unfreeze the whole tower."""
        for param in self.tower.parameters():
            param.requires_grad_(not frozen)
        if frozen:
            self.tower.eval()

    def train(self, mode: bool = True) -> 'FrozenTowerModule':
        """Set train mode, keeping a frozen tower in eval mode."""
        super().train(mode)
        if self.frozen:
            self.tower.eval()
        return self


def set_trainable_by_patterns(model: nn.Module,
                              frozen: Iterable[str] = (),
                              trainable: Iterable[str] = ()
                              ) -> List[nn.Parameter]:
    """Freeze and unfreeze parameters by name.

    Parameters whose name matches a regex of ``frozen`` (``re.search``)
    stop requiring gradients, then those matching ``trainable`` start; a
    frozen tower that gains a trainable parameter follows its parent's mode
    again (see :class:`FrozenTowerModule`).

    Args:
        model (nn.Module): The (unwrapped) model.
        frozen (Iterable[str]): Regexes of parameters to freeze.
        trainable (Iterable[str]): Regexes of parameters to train.

    Returns:
        list[nn.Parameter]: Parameters that did not require gradients
        before and do now (to add to the optimizer).
    """
    frozen = [re.compile(p) for p in frozen]
    trainable = [re.compile(p) for p in trainable]
    started = []
    for name, param in model.named_parameters():
        if any(p.search(name) for p in frozen):
            param.requires_grad_(False)
        if any(p.search(name) for p in trainable):
            if not param.requires_grad:
                started.append(param)
            param.requires_grad_(True)
    model.train(model.training)  # frozen towers back to eval, others follow
    return started
