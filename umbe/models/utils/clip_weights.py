"""Building open_clip towers and loading CLIP weights.

Shared by :class:`CLIPVisionEncoder` and :class:`CLIPTextEncoder`.
``pretrained`` is a local file, an open_clip pretrained tag of the tower's
model name (``'openai'``, or another tag ``open_clip.list_pretrained_tags_
by_model`` lists), or None (random weights). A tag is resolved by open_clip's
own download and cache (:func:`resolve_pretrained`): a file in the cache is
used without the network; a missing one is downloaded once, and offline the
error names the file to fetch and where to put it.
"""
import copy
import os.path as osp
import socket
import warnings
from contextlib import contextmanager
from typing import Dict, Iterator, Optional, Tuple

import torch
from open_clip import get_model_config
from open_clip import pretrained as open_clip_pretrained

#: Keys of OpenAI's TorchScript archives that are not weights.
_OPENAI_EXTRA_KEYS = ('input_resolution', 'context_length', 'vocab_size')
#: Keys of a full CLIP model owned by neither tower.
_SHARED_KEYS = ('logit_scale', 'logit_bias')


class TowerWeightsError(RuntimeError):
    """A CLIP tower cannot get the weights its config asks for.

    ``tools/train.py``, ``tools/test.py`` and ``tools/cache_features.py``
    print the message as one line and exit non-zero.
    """


class ClipWeightsUnavailableError(TowerWeightsError):
    """The weight file is missing and cannot be downloaded."""


class RandomTowersError(TowerWeightsError):
    """Frozen towers would keep their random initial weights."""


#: Seconds to wait for the download host before calling the machine
#: offline.
CONNECT_TIMEOUT = 3.0


def _online(host: str, timeout: float = CONNECT_TIMEOUT) -> bool:
    """Whether a TCP connection to ``host``:443 opens within ``timeout``."""
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


@contextmanager
def _hf_hub_offline() -> Iterator[None]:
    """Make huggingface_hub answer from its cache only (no retries)."""
    try:
        from huggingface_hub import constants
    except ImportError:  # open_clip then uses its URL download
        yield
        return
    before = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = before


def _fetch_source(cfg: dict) -> Tuple[str, str]:
    """The URL of a pretrained tag's file and the local path umbe looks at
    before downloading (open_clip's URL cache, ``~/.cache/clip``)."""
    url = cfg.get('url', '')
    if url:
        name = osp.basename(url)
    else:
        model_id, filename = osp.split(cfg.get('hf_hub', '').rstrip())
        filename = filename or 'open_clip_pytorch_model.bin'
        url = f'https://huggingface.co/{model_id}/resolve/main/{filename}'
        name = f"{model_id.replace('/', '--')}--{filename}"
    return url, osp.join(osp.expanduser('~/.cache/clip'), name)


def resolve_pretrained(pretrained: Optional[str], model_name: str,
                       arch: str) -> Optional[str]:
    """Turn ``pretrained`` into a local file path.

    Args:
        pretrained (str, optional): A local file, an open_clip pretrained
            tag of ``model_name``, or None (random weights).
        model_name (str): The tower's open_clip model name.
        arch (str): The architecture, named in errors.

    Returns:
        str | None: The weight file (None for random weights).

    Raises:
        ClipWeightsUnavailableError: A missing local file, or a tag whose
            file is not cached while the download host cannot be reached.
        ValueError: Neither a file nor a tag of ``model_name``.
    """
    if pretrained is None or osp.isfile(pretrained):
        return pretrained
    tags = open_clip_pretrained.list_pretrained_tags_by_model(model_name)
    if pretrained not in tags:
        if osp.sep in pretrained or osp.splitext(pretrained)[1]:
            raise ClipWeightsUnavailableError(
                f'CLIP weight file "{pretrained}" does not exist (expected '
                f'weights of {arch}); set `pretrained` to an existing file, '
                f'to an open_clip tag of {model_name} ({tags or "none"}), or '
                'to None for random weights (then allow_random_towers=True '
                'if the tower is frozen)')
        raise ValueError(
            f'pretrained="{pretrained}" is neither a file nor an open_clip '
            f'tag of "{model_name}" (tags: {tags or "none: give a file"})')
    cfg = open_clip_pretrained.get_pretrained_cfg(model_name, pretrained)
    url, local = _fetch_source(cfg)
    if osp.isfile(local):
        return local
    with _hf_hub_offline():  # the cache first, without the network
        try:
            found = open_clip_pretrained.download_pretrained(cfg)
        except Exception:  # huggingface_hub's LocalEntryNotFoundError & co
            found = ''
    if found and osp.isfile(found):
        return found
    host = ('huggingface.co' if cfg.get('hf_hub')
            and open_clip_pretrained.has_hf_hub() else url.split('/')[2])
    if _online(host):
        return open_clip_pretrained.download_pretrained(cfg)
    raise ClipWeightsUnavailableError(
        f'the "{pretrained}" weights of {model_name} are not in open_clip\'s'
        f' cache and {host} cannot be reached: fetch {url} and put it at '
        f'{local} (or anywhere, with `pretrained` set to its path)')


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
        raise ClipWeightsUnavailableError(
            f'CLIP weight file "{path}" does not exist (expected weights of '
            f'{arch}). Download it once and set `pretrained` to its local '
            'path, or pretrained=None for random weights.')
    if path.endswith('.safetensors'):  # open_clip's hub files
        from safetensors.torch import load_file
        return _clean_keys(load_file(path, device='cpu'))
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
    return _clean_keys(state_dict)


def _clean_keys(state_dict: Dict[str, torch.Tensor]
                ) -> Dict[str, torch.Tensor]:
    """Drop a DDP ``module.`` prefix and OpenAI's non-weight entries."""
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
