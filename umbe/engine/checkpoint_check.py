"""Checking a checkpoint against the model a config builds.

One function, :func:`check_checkpoint`, used wherever umbe loads trained
weights: ``tools/test.py`` and ``--resume`` / ``load_from`` (through
:class:`~umbe.engine.hooks.CheckpointCheckHook`), ``init_recognizer``
(``tools/infer.py``) and the feature cache's ``--checkpoint``
(:func:`load_checked_checkpoint`). It refuses, naming both files:

* a class list other than the config's (the checkpoint's
  ``meta['dataset_meta']['classes']``, in order): a model trained on another
  class order scores a plausible but meaningless UAR;
* missing or unexpected parameter names (strict), listed;
* shapes that differ.
"""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn

from umbe.models.utils import unwrap_model
from umbe.safe_loading import CheckpointError, load_checkpoint_file


class CheckpointMismatchError(CheckpointError, ValueError):
    """A checkpoint that does not fit the config's model."""


def _listed(items: Sequence[str], limit: int = 4) -> str:
    more = f' and {len(items) - limit} more' if len(items) > limit else ''
    return ', '.join(items[:limit]) + more


def checkpoint_state_dict(checkpoint, checkpoint_path: str
                          ) -> Dict[str, torch.Tensor]:
    """The parameter dict of a loaded checkpoint (``module.`` removed)."""
    state = checkpoint.get('state_dict', checkpoint) if isinstance(
        checkpoint, dict) else None
    if not isinstance(state, dict) or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointMismatchError(
            f'{checkpoint_path} holds no state dict of tensors; pass a '
            'checkpoint saved by tools/train.py (or converted by '
            'tools/model_converters/)')
    return {(k[7:] if k.startswith('module.') else k): v
            for k, v in state.items()}


def check_checkpoint(model: nn.Module,
                     checkpoint,
                     checkpoint_path: str,
                     config_path: str = 'the config',
                     classes: Optional[Sequence[str]] = None
                     ) -> Dict[str, torch.Tensor]:
    """Refuse a checkpoint that does not fit ``model``.

    Args:
        model (nn.Module): The model the config builds (wrapped or not).
        checkpoint (dict): The loaded checkpoint.
        checkpoint_path (str): Its file, for the message.
        config_path (str): The config file, for the message.
            Defaults to 'the config'.
        classes (Sequence[str], optional): The config's class list; None
            takes ``model.classes`` (no class check when neither exists).

    Returns:
        dict[str, Tensor]: The checkpoint's state dict, ready for
        ``load_state_dict(strict=True)``.

    Raises:
        CheckpointMismatchError: One line naming both files and the
            difference.
    """
    model = unwrap_model(model)
    state = checkpoint_state_dict(checkpoint, checkpoint_path)
    classes = classes if classes is not None else getattr(
        model, 'classes', None)
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    saved = ((meta or {}).get('dataset_meta') or {}).get('classes')
    if classes is not None and saved is not None and tuple(saved) != tuple(
            classes):
        raise CheckpointMismatchError(
            f'{checkpoint_path} was trained on the classes {list(saved)} but '
            f'{config_path} has {list(classes)}; pass the config the '
            'checkpoint was trained with (the class list and its order must '
            'match)')
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f'{k} {tuple(state[k].shape)} vs {tuple(own[k].shape)}'
        for k in sorted(set(own) & set(state))
        if tuple(state[k].shape) != tuple(own[k].shape)
    ]
    if missing or unexpected or shapes:
        parts = []
        for name, items in (('missing', missing), ('unexpected', unexpected),
                            ('shape mismatch (checkpoint vs config)',
                             shapes)):
            if items:
                parts.append(f'{len(items)} {name}: {_listed(items)}')
        raise CheckpointMismatchError(
            f'{checkpoint_path} does not fit {config_path} (' +
            '; '.join(parts) + '); pass the config the checkpoint was '
            'trained with (mmengine saves it in the checkpoint\'s '
            'meta["cfg"])')
    return state


def load_checked_checkpoint(model: nn.Module,
                            checkpoint_path: str,
                            config_path: str = 'the config') -> dict:
    """Load a checkpoint file (safely), check it and load its weights.

    Args:
        model (nn.Module): The model, weights loaded in place.
        checkpoint_path (str): The checkpoint file.
        config_path (str): The config file, for messages.

    Returns:
        dict: The loaded checkpoint.
    """
    checkpoint = load_checkpoint_file(checkpoint_path, map_location='cpu')
    state = check_checkpoint(model, checkpoint, checkpoint_path, config_path)
    unwrap_model(model).load_state_dict(state, strict=True)
    return checkpoint
