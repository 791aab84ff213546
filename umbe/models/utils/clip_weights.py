"""Building open_clip towers and loading CLIP weights from a local file.

Shared by :class:`CLIPVisionEncoder` and :class:`CLIPTextEncoder`. Nothing
here downloads: ``pretrained`` is a path or None (random weights).
"""
import copy
import os.path as osp
import warnings
from typing import Dict, Optional, Tuple

import torch
from open_clip import get_model_config

#: Keys of OpenAI's TorchScript archives that are not weights.
_OPENAI_EXTRA_KEYS = ('input_resolution', 'context_length', 'vocab_size')
#: Keys of a full CLIP model owned by neither tower.
_SHARED_KEYS = ('logit_scale', 'logit_bias')


def resolve_clip_cfg(model_name: str,
                     arch_cfg: Optional[dict] = None) -> Tuple[dict, str]:
    """Return the open_clip model config and a readable architecture name.

    Args:
        model_name (str): An open_clip model name such as
            ``'ViT-L-14-quickgelu'`` (``-quickgelu`` for OpenAI weights).
        arch_cfg (dict, optional): A full open_clip model config
            (``embed_dim``, ``vision_cfg``, ``text_cfg``, ``quick_gelu``)
            used instead of the named one, e.g. a tiny tower for tests and
            the demo. Defaults to None.

    Returns:
        tuple[dict, str]: The config (a copy) and the architecture's name.
    """
    if arch_cfg is not None:
        cfg = copy.deepcopy(dict(arch_cfg))
        missing = {'embed_dim', 'vision_cfg', 'text_cfg'} - set(cfg)
        if missing:
            raise ValueError(f'arch_cfg lacks {sorted(missing)}; give an '
                             'open_clip model config (embed_dim, vision_cfg, '
                             'text_cfg, quick_gelu).')
        return cfg, f'{model_name} (custom arch_cfg)'
    cfg = get_model_config(model_name)
    if cfg is None:
        raise ValueError(
            f'open_clip knows no model config named "{model_name}"; use a '
            'name from open_clip.list_models() (e.g. "ViT-L-14-quickgelu") '
            'or pass arch_cfg.')
    return copy.deepcopy(cfg), model_name


def read_clip_state_dict(path: str, arch: str) -> Dict[str, torch.Tensor]:
    """Read a CLIP state dict in OpenAI or open_clip format.

    OpenAI's files are TorchScript archives; open_clip's are ``torch.save``
    files of a state dict, optionally under ``'state_dict'`` with a
    ``module.`` prefix (DDP).

    Args:
        path (str): Local file path.
        arch (str): The expected architecture, named in errors.

    Returns:
        dict[str, Tensor]: The state dict with open_clip's key names.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'CLIP weight file "{path}" does not exist (expected weights of '
            f'{arch}). Download it once and set `pretrained` to its local '
            'path, or pretrained=None for random weights.')
    try:
        with warnings.catch_warnings():  # torch.jit's deprecation notice
            warnings.simplefilter('ignore', FutureWarning)
            archive = torch.jit.load(path, map_location='cpu')
        state_dict = archive.state_dict()
    except (RuntimeError, ValueError):
        try:
            checkpoint = torch.load(path, map_location='cpu',
                                    weights_only=True)
        except Exception as err:
            raise RuntimeError(
                f'Cannot read CLIP weights from "{path}" (expected {arch}, '
                f'OpenAI TorchScript or open_clip checkpoint): {err}') from err
        state_dict = checkpoint.get('state_dict', checkpoint) if isinstance(
            checkpoint, dict) else None
        if not isinstance(state_dict, dict):
            raise RuntimeError(f'"{path}" holds no state dict (expected '
                               f'{arch} weights).')
    state_dict = {(k[7:] if k.startswith('module.') else k): v
                  for k, v in state_dict.items()}
    for key in _OPENAI_EXTRA_KEYS:
        state_dict.pop(key, None)
    return state_dict


def tower_state_dict(state_dict: Dict[str, torch.Tensor],
                     tower: str) -> Dict[str, torch.Tensor]:
    """Select one tower's weights from a full CLIP state dict.

    Args:
        state_dict (dict): A full CLIP state dict (``CLIP`` layout with text
            weights at the top level, or ``CustomTextCLIP`` with ``text.``).
        tower (str): ``'visual'`` or ``'text'``.

    Returns:
        dict[str, Tensor]: Keys relative to the tower module.
    """
    if tower == 'visual':
        return {k[len('visual.'):]: v for k, v in state_dict.items()
                if k.startswith('visual.')}
    if any(k.startswith('text.') for k in state_dict):
        return {k[len('text.'):]: v for k, v in state_dict.items()
                if k.startswith('text.')}
    return {k: v for k, v in state_dict.items()
            if not k.startswith('visual.') and k not in _SHARED_KEYS}


def load_tower_weights(module: torch.nn.Module, path: str, tower: str,
                       arch: str) -> None:
    """Load one tower's weights from ``path`` and check every key.

    Args:
        module (nn.Module): The tower (an open_clip ``VisionTransformer`` or
            ``TextTransformer``).
        path (str): Local CLIP weight file.
        tower (str): ``'visual'`` or ``'text'``.
        arch (str): The expected architecture, named in errors.
    """
    weights = tower_state_dict(read_clip_state_dict(path, arch), tower)
    expected = module.state_dict()
    mismatched = [
        f'{k}: file {tuple(v.shape)} vs model {tuple(expected[k].shape)}'
        for k, v in weights.items()
        if k in expected and v.shape != expected[k].shape
    ]
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    if missing or unexpected or mismatched:
        raise RuntimeError(
            f'CLIP weights "{path}" do not match the {tower} tower of {arch}:'
            f' {len(missing)} missing keys {missing[:5]}, {len(unexpected)} '
            f'unexpected keys {unexpected[:5]}, shape mismatches '
            f'{mismatched[:5]}. Set `model_name`/`arch_cfg` to the file\'s '
            'architecture or point `pretrained` at the right file.')
    module.load_state_dict(weights, strict=True)
