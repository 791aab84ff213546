"""Checking a model config's CLIP towers before anything is built."""
import inspect
from typing import List

from umbe.registry import MODELS
from .clip_weights import (RandomTowersError, resolve_clip_cfg,
                           resolve_pretrained)
from .frozen_tower import FrozenTowerModule


def _towers(node, path: str, found: List) -> List:
    """``(path, cfg, class)`` of every tower config under ``node``."""
    if isinstance(node, dict):
        cls = MODELS.get(node['type']) if isinstance(node.get('type'),
                                                     str) else None
        if isinstance(cls, type) and issubclass(cls, FrozenTowerModule):
            found.append((path, node, cls))
        for key, value in node.items():
            _towers(value, f'{path}.{key}' if path else key, found)
    return found


def check_tower_weights(model_cfg: dict) -> None:
    """Resolve every CLIP tower's ``pretrained`` of a model config and
    refuse frozen random towers, as building the model would, but first.

    Tools call it right after reading the config, so that a missing weight
    file or a random frozen tower is one line, before the runner starts.

    Args:
        model_cfg (dict): The ``model`` config (its ``allow_random_towers``
            lets frozen random towers through).

    Raises:
        ClipWeightsUnavailableError: A tower's weights cannot be had.
        RandomTowersError: Frozen towers with ``pretrained=None``.
    """
    random = []
    for path, cfg, cls in _towers(model_cfg, '', []):
        defaults = {
            name: p.default
            for name, p in inspect.signature(cls).parameters.items()
        }
        model_name = cfg.get('model_name', defaults.get('model_name'))
        pretrained = cfg.get('pretrained', defaults.get('pretrained'))
        frozen = cfg.get('frozen', defaults.get('frozen', True))
        _, arch = resolve_clip_cfg(model_name, cfg.get('arch_cfg'))
        if resolve_pretrained(pretrained, model_name, arch) is None and (
                frozen):
            random.append(f'{path} ({arch})')
    if random and not model_cfg.get('allow_random_towers', False):
        raise RandomTowersError(random_towers_message(random))


def random_towers_message(towers: List[str]) -> str:
    """The one-line error for frozen towers without weights."""
    return (f'the frozen CLIP tower(s) {", ".join(towers)} would keep random '
            "weights (pretrained=None): set their `pretrained` to a CLIP "
            "file or an open_clip tag such as 'openai', or set "
            'model.allow_random_towers=True to run them random on purpose')


def use_random_towers(model_cfg: dict) -> dict:
    """Make a model config build its CLIP towers with random weights on
    purpose (benchmarks, tests): every ``pretrained`` becomes None and
    ``allow_random_towers`` True, in place.

    Args:
        model_cfg (dict): The ``model`` config.

    Returns:
        dict: ``model_cfg``.
    """

    def clear(node) -> None:
        if isinstance(node, dict):
            if 'pretrained' in node:
                node['pretrained'] = None
            for value in node.values():
                clear(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                clear(value)

    clear(model_cfg)
    model_cfg['allow_random_towers'] = True
    return model_cfg
