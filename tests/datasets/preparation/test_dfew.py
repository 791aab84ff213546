"""prepare_dfew on tiny fake releases: annotation files line by line,
idempotency, interrupted runs, layout variants, count warnings."""
import os
import os.path as osp
import shutil

import pytest
import soundfile as sf
from fake_releases import (DFEW_NAMES, make_dfew, prepare_release,
                           read_split, runner, snapshot)

import umbe.datasets.preparation.dfew as dfew
from umbe.datasets.preparation import ReleaseError, prepare_dfew

run = runner(prepare_dfew, sample_rate=16000)
CLASSES = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')
NO_AUDIO, CORRUPT = 17, 27


@pytest.fixture(scope='module')
def prepared(tmp_path_factory):
    return prepare_release(
        tmp_path_factory,
        'dfew',
        make_dfew,
        run,
        no_audio=[NO_AUDIO],
        corrupt=[CORRUPT],
        extra_lines=['00107,8', '00117,0'])


def test_folds_and_class_order(prepared):
    root, out, clips, _ = prepared
    for k in range(1, 6):
        test = read_split(out, f'fold{k}_test')
        train = read_split(out, f'fold{k}_train')
        val = read_split(out, f'fold{k}_val')
        expected_test = {
            f'{c:05d}': CLASSES.index(DFEW_NAMES[lab - 1])
            for i, (c, lab) in enumerate(clips) if i % 5 == k - 1
        }
        expected_train = {
            f'{c:05d}': CLASSES.index(DFEW_NAMES[lab - 1])
            for i, (c, lab) in enumerate(clips) if i % 5 != k - 1
        }
        assert {r['clip_id']: r['label'] for r in test} == expected_test
        assert {r['clip_id']: r['label']
                for r in train + val} == expected_train
        assert not {r['clip_id'] for r in train} & {r['clip_id'] for r in val}
        # stratified: every class with two or more train clips gives one
        for label in range(7):
            n = sum(1 for v in expected_train.values() if v == label)
            n_val = sum(1 for r in val if r['label'] == label)
            assert n_val == (round(n * 0.1) or (1 if n >= 2 else 0))
    first = read_split(out, 'fold1_test')[0]
    assert first['frame_dir'] == osp.join(str(root), 'Clip', 'clip_224x224',
                                          first['clip_id'])
    # unpadded mp4 names are found by their integer id
    assert first['filename'].endswith(f'/{int(first["clip_id"])}.mp4')


def test_audio_extracted_and_missing_marked(prepared):
    _, out, _, report = prepared
    records = {
        r['clip_id']: r
        for k in range(1, 6) for r in read_split(out, f'fold{k}_test')
    }
    assert len(records) == 21
    silent, corrupt = records[f'{NO_AUDIO:05d}'], records[f'{CORRUPT:05d}']
    assert 'audio' not in silent and 'filename' in silent
    assert 'audio' not in corrupt and 'filename' not in corrupt
    assert 'frame_dir' in corrupt
    for clip_id, record in records.items():
        if clip_id in (f'{NO_AUDIO:05d}', f'{CORRUPT:05d}'):
            continue
        assert record['audio'] == f'audio/{clip_id}.wav'
        info = sf.info(osp.join(out, record['audio']))
        assert (info.samplerate, info.channels) == (16000, 1)
        assert abs(info.duration - 0.5) < 0.1
    assert sorted(os.listdir(osp.join(out, 'audio'))) == sorted(
        f'{c}.wav' for c in records
        if c not in (f'{NO_AUDIO:05d}', f'{CORRUPT:05d}'))


def test_report_counts_and_failures(prepared):
    _, out, _, report = prepared
    kinds = report.failure_counts()
    assert kinds == {'bad_label': 2, 'no_audio': 1, 'corrupt': 1}
    bad = [f['message'] for f in report.failures if f['kind'] == 'bad_label']
    assert 'set_1.csv:18: label "8"' in bad[0]
    assert 'set_1.csv:19: label "0"' in bad[1]
    assert sum(report.counts['fold1_test']) == 5
    assert report.counts['fold1_train'][0] + report.counts['fold1_val'][
        0] == 2
    text = open(osp.join(out, 'prepare_report.txt')).read()
    assert 'fold5_test' in text and 'no audio track' in text
    # a fake release is not complete: the split sizes are reported
    assert any('official split file lines' in w for w in report.warnings)


def test_second_run_changes_nothing(prepared):
    root, out, _, _ = prepared
    before = snapshot(str(out))
    report = run(root, out)
    assert snapshot(str(out)) == before
    assert any('0 of 15 annotation files written' in n for n in report.notes)
    assert 'audio: exists 19, no_audio 1, corrupt 1' in report.notes


def test_interrupted_run_is_completed(prepared, tmp_path):
    root, out, _, _ = prepared
    copy = tmp_path / 'out'
    shutil.copytree(out, copy)
    reference = {k: v[1] for k, v in snapshot(str(copy)).items()}
    os.remove(copy / 'annotations' / 'fold3_val.json')
    os.remove(copy / 'audio' / '00047.wav')
    with open(copy / 'audio' / '00067.wav', 'wb') as f:
        f.write(b'RIFF half a wav')  # a run killed by an old tool
    kept = os.stat(copy / 'audio' / '00077.wav').st_mtime_ns
    run(root, copy)
    assert {k: v[1] for k, v in snapshot(str(copy)).items()} == reference
    assert os.stat(copy / 'audio' / '00077.wav').st_mtime_ns == kept


@pytest.mark.parametrize(
    'variant',
    [
        dict(split_dirs=('train(single_labeled)', 'test(single_labeled)')),
        dict(split_dirs=('train', 'test'), header=False),
        dict(split_dirs=('train_single-labeled', 'test_single-labeled'),
             padded_ids=True, padded_mp4=True),
        dict(frame_parts=True),
        dict(nested=True, frame_names=('00001_10.jpg', '00001_2.jpg',
                                       '00001_1.jpg')),
    ])
def test_layout_variants(variant, tmp_path, prepared):
    _, reference_out, _, _ = prepared
    make_dfew(str(tmp_path / 'rel'), **variant)
    run(tmp_path / 'rel', tmp_path / 'out', no_audio=True)
    for k in (1, 4):
        for split in ('train', 'val', 'test'):
            records = read_split(tmp_path / 'out', f'fold{k}_{split}')
            assert all(osp.basename(r['frame_dir']) == r['clip_id']
                       and 'filename' in r for r in records)
            got = [(r['clip_id'], r['label']) for r in records]
            want = [(r['clip_id'], r['label'])
                    for r in read_split(reference_out, f'fold{k}_{split}')]
            assert got == want
    record = read_split(tmp_path / 'out', 'fold1_test')[0]
    assert 'audio' not in record and os.listdir(record['frame_dir'])


def test_missing_split_file_is_named(tmp_path):
    make_dfew(str(tmp_path / 'rel'))
    os.remove(tmp_path / 'rel' / 'EmoLabel_DataSplit' /
              'test(single-labeled)' / 'set_3.csv')
    with pytest.raises(ReleaseError,
                       match=r"test\(single-labeled\)/set_3.csv"):
        run(tmp_path / 'rel', tmp_path / 'out', no_audio=True)
    assert not (tmp_path / 'out' / 'annotations').exists()
    with pytest.raises(ReleaseError, match='EmoLabel_DataSplit'):
        run(tmp_path, tmp_path / 'out2', no_audio=True)


def test_complete_release_counts_are_checked(tmp_path, monkeypatch):
    clips = make_dfew(str(tmp_path / 'rel'))
    sizes = {k: (17 - (k == 1), 4 + (k == 1)) for k in range(1, 6)}
    monkeypatch.setattr(dfew, 'OFFICIAL_FOLD_SIZES', sizes)
    monkeypatch.setattr(dfew, 'OFFICIAL_CLASS_TOTALS',
                        {name: 3 for name in CLASSES})
    report = run(tmp_path / 'rel', tmp_path / 'out', no_audio=True)
    assert report.warnings == []
    # a clip whose frames and source clip are gone cannot be prepared
    lost = clips[0][0]
    for parent, _, files in os.walk(tmp_path / 'rel' / 'Clip'):
        if osp.basename(parent) == f'{lost:05d}':
            for name in files:
                os.remove(osp.join(parent, name))
    os.remove(tmp_path / 'rel' / 'Clip' / 'original' / 'part_1' /
              f'{lost}.mp4')
    report = run(tmp_path / 'rel', tmp_path / 'out', no_audio=True)
    assert report.failure_counts() == {'no_frames': 1, 'no_clip': 1,
                                       'skipped': 1}
    assert any('complete release differ' in w and 'fold1 test 4 (official 5)'
               in w for w in report.warnings)
    assert any('per class' in w and 'happy 2 (official 3)' in w
               for w in report.warnings)
