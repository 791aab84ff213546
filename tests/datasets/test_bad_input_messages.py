"""One clear line for bad dataset input: encoding, JSON, missing files."""
import json

import pytest
from mmengine.config import Config

from umbe.datasets import MultimodalEmotionDataset
from umbe.datasets.feature_cache import StaleCacheError, read_manifest
from umbe.utils import check_annotation_files

META = dict(classes=('a', 'b'))


def build(path, **kwargs):
    return MultimodalEmotionDataset(str(path), pipeline=[], metainfo=META,
                                    **kwargs)


def test_non_utf8_annotation_file(tmp_path):
    path = tmp_path / 'train.json'
    path.write_bytes('[{"filename": "视频.mp4", "label": 0}]'.encode(
        'gb18030'))
    with pytest.raises(ValueError, match=r'train\.json: not UTF-8 text.*'
                       r're-encode it as UTF-8'):
        build(path)


def test_broken_json(tmp_path):
    path = tmp_path / 'train.json'
    path.write_text('[{"filename": "a.mp4", "label": 0}')
    with pytest.raises(ValueError, match=r'train\.json: not valid JSON'):
        build(path)


def test_missing_annotation_names_the_prepare_command(tmp_path):
    command = 'python tools/data/dfew/prepare.py RELEASE_ROOT data/dfew'
    with pytest.raises(FileNotFoundError,
                       match=r'fold1_train\.json does not exist; prepare the '
                       r'dataset first: python tools/data/dfew/prepare\.py'):
        build(tmp_path / 'fold1_train.json', prepare_command=command)
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='MultimodalEmotionDataset', data_root=str(tmp_path),
        ann_file='annotations/fold1_train.json', prepare_command=command))))
    with pytest.raises(FileNotFoundError, match='prepare.py RELEASE_ROOT'):
        check_annotation_files(cfg, ('train', 'val'))
    (tmp_path / 'annotations').mkdir()
    (tmp_path / 'annotations' / 'fold1_train.json').write_text(
        json.dumps([]))
    check_annotation_files(cfg, ('train', 'val'))  # present: no error


def test_truncated_cache_manifest(tmp_path):
    (tmp_path / 'manifest.json').write_text('{"version": 1, "key": "ab')
    with pytest.raises(StaleCacheError,
                       match=r'manifest\.json: not a valid manifest.*'
                       'rebuild it'):
        read_manifest(str(tmp_path))
