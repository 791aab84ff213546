"""Config edits the measuring tools share: random towers, the uncached
source of a cached dataset."""
from typing import Any

#: the dataset type that reads a feature cache (its ``source`` is the
#: uncached dataset it was built from)
CACHED_DATASET = 'CachedFeatureDataset'


def _clear_pretrained(node: Any) -> None:
    if isinstance(node, dict):
        if 'pretrained' in node:
            node['pretrained'] = None
        for value in node.values():
            _clear_pretrained(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _clear_pretrained(value)


def set_random_towers(cfg) -> None:
    """Random weights instead of pretrained files: every ``pretrained``
    entry of ``cfg.model`` (the CLIP towers) becomes None, in place.

    Args:
        cfg (Config): A model config.
    """
    _clear_pretrained(cfg.model)


def source_dataset_cfg(cfg, split: str = 'train') -> dict:
    """The split's uncached dataset config: a cached dataset's ``source``,
    else the dataset itself.

    Args:
        cfg (Config): A config with ``<split>_dataloader``.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Defaults to
            'train'.

    Returns:
        dict: The dataset config (not a copy).
    """
    ds = cfg[f'{split}_dataloader']['dataset']
    return ds.get('source', ds) if ds.get('type') == CACHED_DATASET else ds
