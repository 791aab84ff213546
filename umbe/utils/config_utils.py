"""Loading configs for the tools: strict ``--cfg-options``, shared flags."""
import argparse
import difflib
import os
import os.path as osp
from typing import Any, Dict, Optional

from mmengine.config import Config, DictAction

NEW_KEY_MARK = '+'


def _lookup(node: Any, part: str) -> Any:
    if isinstance(node, (list, tuple)) and part.isdigit():
        return node[int(part)] if int(part) < len(node) else KeyError
    if isinstance(node, dict) and part in node:
        return node[part]
    return KeyError


def check_cfg_options(cfg: Config, options: Optional[Dict[str, Any]],
                      config_path: str = 'the config') -> Dict[str, Any]:
    """Check that every ``--cfg-options`` key exists in ``cfg``.

    mmengine's ``merge_from_dict`` silently adds unknown keys, so a typo such
    as ``train_cfg.max_epoch=3`` would be ignored. Every dotted key must
    already exist (list items by index, as mmengine allows); a key that is
    meant to be new is written with a leading ``+`` (``+model.foo=1``).

    Args:
        cfg (Config): The loaded config.
        options (dict, optional): The parsed ``--cfg-options``.
        config_path (str): Name of the config file, for the error message.
            Defaults to 'the config'.

    Returns:
        dict: The options with the ``+`` marks removed, ready for
        ``cfg.merge_from_dict``.

    Raises:
        KeyError: Naming the first key that is not in the config, its
            closest existing sibling keys and how to add it on purpose.
    """
    checked = {}
    for key, value in (options or {}).items():
        if key.startswith(NEW_KEY_MARK):
            checked[key[len(NEW_KEY_MARK):]] = value
            continue
        node: Any = cfg._cfg_dict
        parts = key.split('.')
        for depth, part in enumerate(parts):
            child = _lookup(node, part)
            if child is KeyError:
                where = '.'.join(parts[:depth]) or '<top level>'
                siblings = [str(k) for k in node] if isinstance(
                    node, dict) else [str(i) for i in range(len(node))]
                close = difflib.get_close_matches(part, siblings, n=3)
                hint = f' Did you mean {close}?' if close else ''
                raise KeyError(
                    f'--cfg-options key "{key}" is not in {config_path}: '
                    f'"{part}" does not exist under {where}.{hint} Check the '
                    f'spelling, or write "{NEW_KEY_MARK}{key}=..." to add a '
                    'new key on purpose.')
            node = child
        checked[key] = value
    return checked


def load_config(path: str, cfg_options: Optional[Dict[str, Any]]) -> Config:
    """Load the config at ``path`` and merge the checked ``--cfg-options``.

    Args:
        path (str): Config file.
        cfg_options (dict, optional): The parsed ``--cfg-options``.

    Returns:
        Config: The merged config.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'config file {path} not found; pass a path such as '
            'configs/umbenet/umbenet_demo.py')
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(check_cfg_options(cfg, cfg_options, path))
    return cfg


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options ``tools/train.py`` and ``tools/test.py`` share.

    ``--cfg-options``, ``--launcher``, ``--cpu-threads`` and the
    ``--local-rank`` that ``torch.distributed.launch`` passes (torchrun sets
    ``LOCAL_RANK`` instead; see :func:`export_local_rank`).

    Args:
        parser (ArgumentParser): The tool's parser.
    """
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=3; every key '
        'must exist in the config (prefix a new key with "+")')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--cpu-threads',
        type=int,
        help='PyTorch threads of the main process on CPU; default '
        'env_cfg.cpu_threads, else $OMP_NUM_THREADS, else cores minus '
        'dataloader workers (at least 1), see umbe/utils/cpu_threads.py')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def export_local_rank(args: argparse.Namespace) -> None:
    """Set ``LOCAL_RANK`` from ``--local-rank`` unless torchrun set it."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
