"""Checks the tools run on a config before the runner is built."""
import os.path as osp
from typing import Sequence

from mmengine.config import Config

from umbe.datasets import MultimodalEmotionDataset
from umbe.datasets.multimodal_emotion_dataset import \
    missing_annotation_message
from umbe.registry import DATASETS


def check_annotation_files(cfg: Config, splits: Sequence[str]) -> None:
    """Refuse early when a split's annotation file does not exist.

    mmengine builds the dataloaders only when training starts, after
    printing the whole config; a missing dataset should stop before that
    with one line naming the file and the command that prepares it.

    Args:
        cfg (Config): The run's config.
        splits (Sequence[str]): ``'train'``, ``'val'``, ``'test'``.

    Raises:
        FileNotFoundError: Naming the file and ``prepare_command``.
    """
    for split in splits:
        loader = cfg.get(f'{split}_dataloader') or {}
        dataset = loader.get('dataset') or {}
        cls = DATASETS.get(dataset.get('type')) if isinstance(
            dataset.get('type'), str) else dataset.get('type')
        if not (isinstance(cls, type)
                and issubclass(cls, MultimodalEmotionDataset)):
            continue
        ann_file = dataset.get('ann_file', '')
        path = osp.join(dataset.get('data_root') or '', ann_file)
        if not osp.isfile(path):
            raise FileNotFoundError(
                missing_annotation_message(path,
                                           dataset.get('prepare_command')))
