"""prepare_mafw on tiny fake releases: annotation files line by line,
idempotency, interrupted runs, layout variants, count warnings."""
import os
import os.path as osp

import pytest
from fake_releases import (MAFW_NAMES, make_mafw, prepare_release,
                           read_split, runner, snapshot)

import umbe.datasets.preparation.mafw as mafw
from umbe.datasets.preparation import ReleaseError, prepare_mafw

run = runner(prepare_mafw, sample_rate=8000)
NO_AUDIO, CORRUPT = 25, 128


@pytest.fixture(scope='module')
def prepared(tmp_path_factory):
    return prepare_release(
        tmp_path_factory,
        'mafw',
        make_mafw,
        run,
        no_audio=[NO_AUDIO],
        corrupt=[CORRUPT],
        extra_lines=['00999.mp4 joy', '01000.mp4 anger_sadness'])


def records_of(out):
    return {
        r['clip_id']: r
        for k in range(1, 6) for r in read_split(out, f'fold{k}_test')
    }


def test_folds_labels_and_captions(prepared):
    _, out, clips, report = prepared
    for k in range(1, 6):
        test = read_split(out, f'fold{k}_test')
        rest = read_split(out, f'fold{k}_train') + read_split(
            out, f'fold{k}_val')
        assert {r['clip_id']: r['label'] for r in test} == {
            f'{c:05d}': MAFW_NAMES.index(n)
            for i, (c, n) in enumerate(clips) if i % 5 == k - 1
        }
        assert sorted(r['clip_id'] for r in rest) == sorted(
            f'{c:05d}' for i, (c, _) in enumerate(clips) if i % 5 != k - 1)
    records = records_of(out)
    assert len(records) == 22
    for clip, name in clips:
        record = records[f'{clip:05d}']
        if name == 'neutral':
            assert 'caption' not in record
        else:
            assert record['caption'] == f'A person shows {name} (clip {clip}).'
        assert record['frame_dir'].endswith(f'data/frames/{clip:05d}')
        assert 'scene_dir' not in record
    assert any('face crops' in n for n in report.notes)


def test_audio_missing_is_marked_not_dropped(prepared):
    _, out, _, report = prepared
    records = records_of(out)
    silent = records[f'{NO_AUDIO:05d}']
    assert 'audio' not in silent and silent['filename'].endswith('00025.mp4')
    assert 'audio' not in records[f'{CORRUPT:05d}']
    assert 'filename' not in records[f'{CORRUPT:05d}']
    assert sum('audio' in r for r in records.values()) == 20
    assert report.failure_counts() == {
        'bad_label': 2, 'no_audio': 1, 'corrupt': 1}
    assert 'label "anger_sadness"' in report.failures[1]['message']


def test_rerun_is_idempotent(prepared):
    root, out, _, _ = prepared
    before = snapshot(str(out))
    run(root, out)
    assert snapshot(str(out)) == before


@pytest.mark.parametrize('variant', [
    dict(caption_source='xlsx', xlsx_header=True, shared_strings=True),
    dict(caption_source='lists'),
])
def test_caption_sources(variant, tmp_path):
    clips = make_mafw(str(tmp_path / 'rel'), **variant)
    report = run(tmp_path / 'rel', tmp_path / 'out', no_audio=True)
    records = records_of(tmp_path / 'out')
    with_caption = {c for c, r in records.items() if 'caption' in r}
    assert with_caption == {f'{c:05d}' for c, n in clips if n != 'neutral'}
    clip, name = clips[0]
    assert records[f'{clip:05d}']['caption'] == (
        f'A person shows {name} (clip {clip}).')
    if variant['caption_source'] == 'xlsx':
        assert any('header row' in n and 'column 3' in n
                   for n in report.notes)


def test_full_frames_become_scene_dirs(tmp_path):
    make_mafw(str(tmp_path / 'rel'), face_frames=False, caption_source='none')
    report = run(tmp_path / 'rel', tmp_path / 'out', no_audio=True)
    record = read_split(tmp_path / 'out', 'fold2_test')[0]
    assert 'frame_dir' not in record and 'caption' not in record
    assert record['scene_dir'].endswith(f'data/frames/{record["clip_id"]}')
    assert any('full frames' in n for n in report.notes)
    assert any('--face-dir' in w for w in report.warnings)


def test_missing_split_file_is_named(tmp_path):
    make_mafw(str(tmp_path / 'rel'), missing=['set_4/test.txt'])
    with pytest.raises(ReleaseError, match=r'no_caption/set_4/test\.txt'):
        run(tmp_path / 'rel', tmp_path / 'out', no_audio=True)
    with pytest.raises(ReleaseError, match='single/no_caption'):
        run(tmp_path / 'rel' / 'MAFW' / 'data', tmp_path / 'out')


def test_complete_release_checks(tmp_path, monkeypatch):
    make_mafw(str(tmp_path / 'rel'), no_audio=[NO_AUDIO])
    monkeypatch.setattr(mafw, 'OFFICIAL_FOLD_SIZES',
                        {k: (17 + (k > 2), 5 - (k > 2)) for k in range(1, 6)})
    monkeypatch.setattr(mafw, 'OFFICIAL_CLASS_TOTALS',
                        {n: 2 for n in MAFW_NAMES})
    monkeypatch.setattr(mafw, 'OFFICIAL_CAPTIONS', 20)
    monkeypatch.setattr(mafw, 'KNOWN_WITHOUT_AUDIO', (NO_AUDIO, ))
    report = run(tmp_path / 'rel', tmp_path / 'out')
    assert report.warnings == []
    monkeypatch.setattr(mafw, 'KNOWN_WITHOUT_AUDIO', (NO_AUDIO, 903))
    os.remove(tmp_path / 'rel' / 'MAFW' / 'Labels' / 'descriptive_text.xlsx')
    report = run(tmp_path / 'rel', tmp_path / 'out')
    assert any('clips without audio [25] differ' in w
               for w in report.warnings)
    assert any('0 clips have a caption' in w for w in report.warnings)
    assert not osp.exists(tmp_path / 'out' / 'audio' / f'{NO_AUDIO:05d}.wav')
