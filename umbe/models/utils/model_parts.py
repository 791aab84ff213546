"""Finding the parts of a (possibly wrapped) model by type."""
from typing import Type, TypeVar

import torch.nn as nn
from mmengine.model import is_model_wrapper

PartType = TypeVar('PartType', bound=nn.Module)


def unwrap_model(model: nn.Module) -> nn.Module:
    """The model inside a DDP / mmengine model wrapper (or the model)."""
    return model.module if is_model_wrapper(model) else model


def find_module(model: nn.Module, cls: Type[PartType]) -> PartType:
    """The one sub-module of ``model`` that is an instance of ``cls``.

    Args:
        model (nn.Module): The model, wrapped or not.
        cls (type): The type to look for (subclasses count).

    Returns:
        nn.Module: The sub-module.

    Raises:
        LookupError: If the model holds none or several.
    """
    found = [(name, m) for name, m in unwrap_model(model).named_modules()
             if isinstance(m, cls)]
    if len(found) != 1:
        names = [name or '<the model>' for name, _ in found]
        raise LookupError(
            f'{type(unwrap_model(model)).__name__} holds '
            f'{len(found)} {cls.__name__} modules {names}; exactly one is '
            'needed here')
    return found[0][1]
