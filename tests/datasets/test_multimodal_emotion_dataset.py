import json
import logging
import os.path as osp

import numpy as np
import pytest
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import umbe  # noqa: F401
from umbe.datasets import (BadClipError, BadRecordError,
                           MultimodalEmotionDataset)

CLASSES = ('a', 'b', 'c')
PIPELINE = [
    dict(type='LoadFaceSceneFrames', clip_len=4, face_size=8, scene_size=8),
    dict(type='LoadAudio', sample_rate=8000, duration=0.5),
    dict(type='TokenizeCaption', context_length=16),
    dict(type='PackMultimodalInputs'),
]


@pytest.fixture(autouse=True)
def umbe_scope():
    init_default_scope('umbe')  # pipelines are built by name


@pytest.fixture
def root(tmp_path, media_writer):
    """Three good clips: video+wav+caption, faces only, video+track."""
    (tmp_path / 'videos').mkdir()
    media_writer.mp4(str(tmp_path / 'videos' / '1.mp4'), [60] * 6)
    media_writer.mp4(
        str(tmp_path / 'videos' / '3.mp4'), [90] * 6,
        audio=media_writer.sine(500, 16000, 0.5))
    media_writer.frames(str(tmp_path / 'faces' / '2'), ['1.jpg', '2.jpg'],
                        [10, 20])
    media_writer.wav(
        str(tmp_path / '1.wav'), media_writer.sine(300, 16000, 0.5), 16000)
    return tmp_path


def _write(root, records):
    path = osp.join(root, 'ann.json')
    with open(path, 'w') as f:
        json.dump(records, f)
    return 'ann.json'


def _good():
    return [
        dict(filename='videos/1.mp4', label=0, audio='1.wav',
             caption='a grey clip'),
        dict(frame_dir='faces/2', label=2, audio=None, clip_id='two'),
        dict(filename='videos/3.mp4', label=1),
    ]


def _build(root, records, **kwargs):
    return MultimodalEmotionDataset(
        ann_file=_write(root, records), data_root=str(root),
        metainfo=dict(classes=CLASSES), pipeline=PIPELINE, **kwargs)


def test_loads_records_and_pipeline(root):
    ds = _build(root, _good())
    assert len(ds) == 3
    assert ds.metainfo['classes'] == CLASSES
    info = ds.get_data_info(0)
    assert info['filename'] == osp.join(str(root), 'videos/1.mp4')
    assert info['clip_id'] == '1'
    assert ds.get_data_info(1)['clip_id'] == 'two'
    samples = [ds[i] for i in range(3)]
    present = [s['data_samples'].present for s in samples]
    assert present[0] == dict(face=False, scene=True, audio=True,
                              caption=True)
    assert present[1] == dict(face=True, scene=False, audio=False,
                              caption=False)
    assert present[2] == dict(face=False, scene=True, audio=True,
                              caption=False)
    assert samples[1]['data_samples'].frame_mask.tolist() == [
        True, True, False, False
    ]
    assert [s['data_samples'].gt_label.item() for s in samples] == [0, 2, 1]
    batch = pseudo_collate(samples)
    assert batch['inputs']['audio'][0].shape == (4000, )
    assert len(batch['data_samples']) == 3


@pytest.mark.parametrize('bad,message', [
    (dict(filename='videos/1.mp4', label=3), r'label 3 is out of range'),
    (dict(filename='videos/1.mp4', label='1'), r'not an int'),
    (dict(filename='videos/1.mp4'), r'not an int'),
    (dict(filename='videos/nope.mp4', label=0), r'nope.mp4.*does not exist'),
    (dict(filename='videos/1.mp4', label=0, audio='x.wav'),
     r'x.wav.*does not exist'),
    (dict(label=0, caption='no video'), r'no visual source'),
    (dict(frame_dir='faces/9', label=0), r'faces/9.*does not exist'),
])
def test_bad_record_error_names_file_and_index(root, bad, message):
    records = _good()
    records.insert(2, bad)
    with pytest.raises(BadRecordError, match=r'ann\.json: record 2 .*' +
                       message):
        _build(root, records)


class _ListHandler(logging.Handler):

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_bad_records_skipped_counted_and_logged(root):
    records = _good() + [
        dict(filename='videos/1.mp4', label=-1),
        dict(filename='gone.mp4', label=0),
    ]
    logger = MMLogger.get_instance('umbe_test_skip')
    handler = _ListHandler()
    logger.addHandler(handler)
    try:
        ds = _build(root, records, on_bad_record='skip')
    finally:
        logger.removeHandler(handler)
    assert len(ds) == 3
    assert ds.num_bad_records == 2
    text = '\n'.join(handler.messages)
    assert 'skipped 2 bad record(s) of 5' in text
    assert 'record 3 label -1' in text and 'record 4 video file' in text


def test_corrupt_clip_error_or_refetch(root):
    (root / 'videos' / 'bad.mp4').write_bytes(b'\x00\x00\x00\x18ftyp' +
                                              b'x' * 300)
    records = [dict(filename='videos/bad.mp4', label=0)] + _good()
    with pytest.raises(BadClipError, match='bad.mp4'):
        _build(root, records)[0]
    with pytest.raises(BadClipError, match='bad.mp4'):  # never in testing
        _build(root, records, skip_bad_clips=True, test_mode=True)[0]
    ds = _build(root, records, skip_bad_clips=True)
    sample = ds[0]  # replaced by a random good clip
    assert sample['data_samples'].metainfo['clip_id'] != 'bad'
    assert ds.num_bad_clips >= 1


def test_not_a_list_and_missing_file(root):
    path = root / 'obj.json'
    path.write_text('{"filename": "videos/1.mp4"}')
    with pytest.raises(BadRecordError, match='obj.json: expected a JSON list'):
        MultimodalEmotionDataset(
            ann_file='obj.json', data_root=str(root),
            metainfo=dict(classes=CLASSES), pipeline=[])
    with pytest.raises(FileNotFoundError, match='missing.json'):
        MultimodalEmotionDataset(
            ann_file='missing.json', data_root=str(root),
            metainfo=dict(classes=CLASSES), pipeline=[])


def test_classes_required(root):
    with pytest.raises(ValueError, match='classes'):
        MultimodalEmotionDataset(
            ann_file=_write(root, _good()), data_root=str(root),
            pipeline=[])


def test_audio_of_sample_matches_its_wav(root):
    sample = _build(root, _good())[0]
    audio = sample['inputs']['audio'].numpy()
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.fft.rfftfreq(audio.size, 1 / 8000)[np.argmax(spectrum)] -
               300) <= 2
