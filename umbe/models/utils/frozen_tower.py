"""Freezing: one mechanism, ``requires_grad``, shared by every component.

A tower is frozen when none of its parameters requires a gradient. The CLIP
tower encoders set that once when built (``frozen=True``) and keep a frozen
tower in eval mode through ``train()``; nothing re-freezes afterwards, so a
hook that makes parameters trainable (:func:`set_trainable_by_patterns`, as
``TwoStageHook`` does in stage 2) is never undone by the train loop.
"""
import re
from contextlib import contextmanager, nullcontext
from typing import Iterable, Iterator, List, Optional

import torch
import torch.nn as nn
from open_clip.model import convert_weights_to_lp

from umbe.registry import MODELS

#: dtypes a frozen tower may be stored in (``frozen_dtype``)
FROZEN_DTYPES = ('bfloat16', )


class FrozenTowerModule(nn.Module):
    """A module wrapping ``self.tower`` that may be frozen.

    Subclasses set ``self.tower`` and ``self.weights_file`` (the file its
    weights came from, None for random weights) and call :meth:`set_frozen`
    at the end of ``__init__``. :attr:`frozen` is read from the parameters,
    so it always says what the optimizer will see.

    A frozen tower may be stored in a low-precision dtype
    (``frozen_dtype='bfloat16'``, what bf16 AMP asks for: half the tower's
    memory): open_clip's ``convert_weights_to_lp`` casts the weights of its
    matrix products (Linear, Conv, attention projections, the output
    projection); norms and embeddings stay float32. Subclasses run such a
    tower inside :meth:`precision` (autocast in that dtype) and return
    float32. A tower that trains (or gets a trainable parameter) is kept in
    float32. The module structure and state-dict keys do not change.
    """

    weights_file = None
    frozen_dtype: Optional[str] = None

    @property
    def frozen(self) -> bool:
        """True when no parameter of the tower requires a gradient."""
        return not any(p.requires_grad for p in self.tower.parameters())

    @property
    def storage_dtype(self) -> torch.dtype:
        """The dtype the tower's matrix weights are stored in now."""
        return getattr(self, '_storage_dtype', torch.float32)

    def set_frozen_dtype(self, dtype: Optional[str]) -> None:
        """Store the tower in ``dtype`` while it is frozen (None: float32).

        Args:
            dtype (str, optional): One of :data:`FROZEN_DTYPES`, or None.
        """
        if dtype is not None and dtype not in FROZEN_DTYPES:
            raise ValueError(f'frozen_dtype={dtype!r}: use one of '
                             f'{FROZEN_DTYPES} or None (float32)')
        self.frozen_dtype = dtype
        self._sync_storage()

    def _sync_storage(self) -> None:
        """Cast the tower to ``frozen_dtype`` when frozen, else float32."""
        want = (getattr(torch, self.frozen_dtype)
                if self.frozen_dtype is not None and self.frozen else
                torch.float32)
        if want == self.storage_dtype:
            return
        if want == torch.float32:
            self.tower.float()  # parameters keep their identity (.data)
        else:
            convert_weights_to_lp(self.tower, want)
        self._storage_dtype = want

    @contextmanager
    def precision(self, device_type: str) -> Iterator[None]:
        """Autocast in the storage dtype around a low-precision tower (no
        change for a float32 one).

        Args:
            device_type (str): The inputs' device type (``'cpu'``,
                ``'cuda'``).
        """
        dtype = self.storage_dtype
        with (torch.autocast(device_type, dtype=dtype)
              if dtype != torch.float32 else nullcontext()):
            yield

    def float_output(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` in float32 after a low-precision tower (unchanged after a
        float32 one)."""
        return x if self.storage_dtype == torch.float32 else x.float()

    def set_frozen(self, frozen: bool) -> None:
        """Freeze (no gradients, eval mode) or unfreeze the whole tower."""
        for param in self.tower.parameters():
            param.requires_grad_(not frozen)
        if frozen:
            self.tower.eval()
        self._sync_storage()

    def train(self, mode: bool = True) -> 'FrozenTowerModule':
        """Set train mode, keeping a frozen tower in eval mode."""
        super().train(mode)
        if self.frozen:
            self.tower.eval()
        self._sync_storage()
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


def set_frozen_dtype(model_cfg: dict, dtype: Optional[str]) -> List[str]:
    """Set ``frozen_dtype`` on every tower config of a model config, in
    place (the towers are the configs whose type is a
    :class:`FrozenTowerModule`; a tower that trains stays float32).

    Args:
        model_cfg (dict): The ``model`` config.
        dtype (str, optional): One of :data:`FROZEN_DTYPES`, or None.

    Returns:
        list[str]: The dotted config paths of the towers set.
    """
    if dtype is not None and dtype not in FROZEN_DTYPES:
        raise ValueError(f'frozen_dtype={dtype!r}: use one of '
                         f'{FROZEN_DTYPES} or None (float32)')
    found = []

    def visit(node, path: str) -> None:
        if isinstance(node, dict):
            cls = node.get('type')
            if isinstance(cls, str):
                cls = MODELS.get(cls)
            if isinstance(cls, type) and issubclass(cls, FrozenTowerModule):
                node['frozen_dtype'] = dtype
                found.append(path or 'model')
            for key, value in node.items():
                visit(value, f'{path}.{key}' if path else key)
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                visit(value, f'{path}.{i}')

    visit(model_cfg, '')
    return found
