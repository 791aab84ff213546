"""Dataset of emotion clips in mmaction2's JSON list convention."""
import os.path as osp
from typing import Callable, List, Optional, Union

from mmaction.datasets import BaseActionDataset
from mmengine.fileio import load
from mmengine.logging import MMLogger

from umbe.registry import DATASETS
from .utils import BadClipError, join_root

_PATH_FIELDS = (('filename', osp.isfile, 'video file'),
                ('frame_dir', osp.isdir, 'face frame folder'),
                ('scene_dir', osp.isdir, 'scene frame folder'),
                ('audio', osp.isfile, 'audio file'))
_KNOWN_FIELDS = {'filename', 'frame_dir', 'scene_dir', 'audio', 'caption',
                 'label', 'clip_id'}


class BadRecordError(ValueError):
    """An annotation record that cannot be used (raised at load time)."""


def missing_annotation_message(ann_file: str,
                               prepare_command: Optional[str] = None) -> str:
    """The one line for an annotation file that does not exist."""
    fix = (f'prepare the dataset first: {prepare_command} (docs/datasets.md)'
           if prepare_command else 'check ann_file and data_root (for the '
           'demo run python tools/data/make_demo_dataset.py)')
    return f'annotation file {ann_file} does not exist; {fix}'


@DATASETS.register_module()
class MultimodalEmotionDataset(BaseActionDataset):
    """Clips with face frames, scene video, audio and caption, one label each.

    The annotation file is a JSON list of records (see docs/architecture.md
    and docs/data_pipeline.md): ``filename``, ``label`` (0-based in the
    order of ``metainfo['classes']``), optional ``frame_dir``, ``scene_dir``,
    ``audio`` (null = no sound), ``caption`` and ``clip_id``. Paths are
    joined to ``data_root``.

    Every record is checked at load time (a dict, an int label in range, at
    least one visual source, the files and folders it names exist, a string
    or null caption). A bad record raises an error naming the annotation
    file, the record index, the problem and the fix; with
    ``on_bad_record='skip'`` it is dropped instead, and the count and the
    first problems are logged.

    A clip whose media fails to decode at run time raises the
    :class:`BadClipError` of the loader, naming the file; with
    ``skip_bad_clips=True`` it is logged, counted and, in training, replaced
    by another clip through mmengine's refetch.

    Args:
        ann_file (str): The annotation file (joined to ``data_root``).
        pipeline (list[dict | callable]): The transforms.
        metainfo (dict): Must hold ``classes``, the class names in label
            order.
        data_root (str): Root of the relative paths. Defaults to ''.
        on_bad_record (str): ``'error'`` or ``'skip'``. Defaults to 'error'.
        skip_bad_clips (bool): Replace clips that fail to decode during
            training. Defaults to False.
        prepare_command (str, optional): The command that writes the
            annotation files, named when one is missing (the dataset base
            configs set it). Defaults to None.
        **kwargs: Passed to :class:`mmaction.datasets.BaseActionDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 metainfo: Optional[dict] = None,
                 data_root: str = '',
                 on_bad_record: str = 'error',
                 skip_bad_clips: bool = False,
                 prepare_command: Optional[str] = None,
                 **kwargs) -> None:
        if on_bad_record not in ('error', 'skip'):
            raise ValueError('on_bad_record must be "error" or "skip", got '
                             f'{on_bad_record!r}')
        if not metainfo or not metainfo.get('classes'):
            raise ValueError(
                'MultimodalEmotionDataset needs metainfo=dict(classes=(...)) '
                'with the class names in label order (written once in the '
                "dataset's base config)")
        self.prepare_command = prepare_command
        self.on_bad_record = on_bad_record
        self.skip_bad_clips = skip_bad_clips
        self.num_bad_records = 0
        self.num_bad_clips = 0
        super().__init__(
            ann_file,
            pipeline=pipeline,
            metainfo=dict(metainfo, classes=tuple(metainfo['classes'])),
            data_root=data_root,
            **kwargs)

    def _check_record(self, record, num_classes: int) -> Optional[str]:
        """The problem of a record and its fix, or None when it is valid."""
        if not isinstance(record, dict):
            return (f'is a {type(record).__name__}, not an object; write '
                    '{"filename": ..., "label": ...}')
        label = record.get('label')
        if isinstance(label, bool) or not isinstance(label, int):
            return (f'label {label!r} is not an int; write the 0-based class '
                    'index')
        if not 0 <= label < num_classes:
            return (f'label {label} is out of range [0, {num_classes}); '
                    'labels are 0-based in the order of '
                    f'{list(self.metainfo["classes"])}')
        if not any(record.get(k) for k in ('filename', 'frame_dir',
                                           'scene_dir')):
            return ('has no visual source; give filename, frame_dir or '
                    'scene_dir')
        for key, exists, what in _PATH_FIELDS:
            value = record.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value:
                return f'{key} {value!r} is not a path string'
            path = join_root(self.data_root, value)
            if not exists(path):
                return (f'{what} {path} ({key}) does not exist; fix the '
                        f'path, the data_root ({self.data_root!r}) or '
                        'remove the record')
        caption = record.get('caption')
        if caption is not None and not isinstance(caption, str):
            return f'caption {caption!r} is not a string or null'
        return None

    def load_data_list(self) -> List[dict]:
        """Load and check the records of ``ann_file``.

        Returns:
            list[dict]: One dict per valid record, paths joined to the root.
        """
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(missing_annotation_message(
                self.ann_file, self.prepare_command))
        try:
            records = load(self.ann_file)
        except UnicodeDecodeError as err:
            raise BadRecordError(
                f'{self.ann_file}: not UTF-8 text ({err.reason} at byte '
                f'{err.start}); re-encode it as UTF-8, e.g. iconv -f '
                'gb18030 -t utf-8 IN > OUT, or rewrite it with the '
                'tools/data/*/prepare.py tool') from None
        except ValueError as err:  # json.JSONDecodeError
            raise BadRecordError(
                f'{self.ann_file}: not valid JSON ({err}); write a JSON list '
                'of records (docs/architecture.md) or prepare it again with '
                'the tools/data/*/prepare.py tool') from None
        if not isinstance(records, list):
            raise BadRecordError(
                f'{self.ann_file}: expected a JSON list of records, got a '
                f'{type(records).__name__}')
        num_classes = len(self.metainfo['classes'])
        logger = MMLogger.get_current_instance()
        data_list, problems = [], []
        for index, record in enumerate(records):
            problem = self._check_record(record, num_classes)
            if problem is not None:
                message = f'{self.ann_file}: record {index} {problem}'
                if self.on_bad_record == 'error':
                    raise BadRecordError(
                        message + " (or set on_bad_record='skip' to drop "
                        'bad records)')
                problems.append(message)
                continue
            info = {k: v for k, v in record.items()}
            for key, _, _ in _PATH_FIELDS:
                if info.get(key):
                    info[key] = join_root(self.data_root, info[key])
            if not info.get('clip_id'):
                source = record.get('filename') or record.get(
                    'frame_dir') or record.get('scene_dir')
                info['clip_id'] = osp.splitext(osp.basename(
                    source.rstrip('/')))[0]
            unknown = set(info) - _KNOWN_FIELDS
            if unknown and index == 0:
                logger.info(f'{self.ann_file}: extra record fields '
                            f'{sorted(unknown)} are passed to the pipeline')
            data_list.append(info)
        self.num_bad_records = len(problems)
        if problems:
            shown = '\n  '.join(problems[:10])
            logger.warning(
                f'{self.ann_file}: skipped {len(problems)} bad record(s) of '
                f'{len(records)} (on_bad_record="skip"):\n  {shown}' +
                ('\n  ...' if len(problems) > 10 else ''))
        if not data_list:
            raise BadRecordError(
                f'{self.ann_file}: no valid record left of {len(records)}')
        return data_list

    def prepare_data(self, idx: int):
        """Run the pipeline; a clip that fails to decode may be skipped.

        Args:
            idx (int): The record index.

        Returns:
            dict | None: The packed sample, or None (refetch) for a bad clip
            when ``skip_bad_clips`` is set in training.
        """
        try:
            return super().prepare_data(idx)
        except BadClipError as err:
            if not self.skip_bad_clips or self.test_mode:
                raise
            self.num_bad_clips += 1
            MMLogger.get_current_instance().warning(
                f'skipped a clip that fails to decode ({err}); '
                f'{self.num_bad_clips} bad clip(s) so far in this process')
            return None
