"""Config edits the measuring tools share: random towers, the uncached
source of a cached dataset."""
from umbe.models.utils import use_random_towers

#: the dataset type that reads a feature cache (its ``source`` is the
#: uncached dataset it was built from)
CACHED_DATASET = 'CachedFeatureDataset'


def set_random_towers(cfg) -> None:
    """Random weights instead of pretrained files, on purpose: every
    ``pretrained`` entry of ``cfg.model`` becomes None and
    ``allow_random_towers`` True, in place
    (:func:`umbe.models.utils.use_random_towers`).

    Args:
        cfg (Config): A model config.
    """
    use_random_towers(cfg.model)


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
