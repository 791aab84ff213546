"""prepare_ferv39k on tiny fake releases: annotation files line by line,
idempotency, interrupted runs, layout variants, count warnings."""
import os
import shutil

import pytest
from fake_releases import (make_ferv39k, prepare_release, read_split,
                           runner, snapshot)

import umbe.datasets.preparation.ferv39k as ferv39k
from umbe.datasets.preparation import ReleaseError, prepare_ferv39k

run = runner(prepare_ferv39k)
CLASSES = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')


@pytest.fixture(scope='module')
def prepared(tmp_path_factory):
    return prepare_release(
        tmp_path_factory,
        'ferv',
        make_ferv39k,
        run,
        nested=True,
        extra_lines=['Action/Joy/0099 Joy'],
        missing_frames=['DailyLife/Sad/0012'])


def test_split_class_order_and_paths(prepared):
    root, out, clips, report = prepared
    train, val = read_split(out, 'train'), read_split(out, 'val')
    test = read_split(out, 'test')
    label = {rel: CLASSES.index(name.lower()) for rel, name, _ in clips}
    assert {r['clip_id'] for r in test} == {
        rel for rel, _, s in clips if s == 'test'}
    assert {r['clip_id'] for r in train + val} == {
        rel for rel, _, s in clips if s == 'train'}
    assert not {r['clip_id'] for r in train} & {r['clip_id'] for r in val}
    assert sorted(r['label'] for r in val) == list(range(7))
    for record in train + val + test:
        rel = record['clip_id']
        assert record['label'] == label[rel]
        assert 'audio' not in record
        assert record['filename'] == f'{root}/0_7_LabelClips/{rel}.mp4'
        assert record['scene_dir'] == f'{root}/3_ClipsforScenImages/{rel}'
        if rel == 'DailyLife/Sad/0012':
            assert 'frame_dir' not in record
        else:
            # the nested archive level is found
            assert record['frame_dir'] == (
                f'{root}/2_ClipsforFaceCrop/2_ClipsforFaceCrop/{rel}')
    assert report.failure_counts() == {'bad_label': 1, 'no_frames': 1}
    assert 'train_All.csv:15: label "Joy"' in report.failures[0]['message']


def test_rerun_is_idempotent(prepared):
    root, out, _, _ = prepared
    before = snapshot(str(out))
    run(root, out)
    assert snapshot(str(out)) == before


def test_header_flat_layout_without_scene_frames(tmp_path, prepared):
    _, reference, _, _ = prepared
    make_ferv39k(str(tmp_path / 'rel'), nested=False, scene_frames=False,
                 header=True)
    report = run(tmp_path / 'rel', tmp_path / 'out')
    test = read_split(tmp_path / 'out', 'test')
    assert [r['clip_id'] for r in test] == [
        r['clip_id'] for r in read_split(reference, 'test')]
    assert all('scene_dir' not in r for r in test)
    assert any('header line "path label" skipped' in n for n in report.notes)
    assert report.failures == []


def test_missing_split_file_and_folder(tmp_path):
    make_ferv39k(str(tmp_path / 'rel'))
    os.remove(tmp_path / 'rel' / '4_setups' / 'All_scenes' / 'test_All.csv')
    with pytest.raises(ReleaseError, match='All_scenes/test_All.csv'):
        run(tmp_path / 'rel', tmp_path / 'out')
    with pytest.raises(ReleaseError, match='4_setups'):
        run(tmp_path / 'rel' / '2_ClipsforFaceCrop', tmp_path / 'out')


def test_complete_release_counts(tmp_path, monkeypatch):
    make_ferv39k(str(tmp_path / 'rel'), missing_frames=['Action/Happy/0001'])
    monkeypatch.setattr(ferv39k, 'OFFICIAL_COUNTS', {
        'train': {c: 2 for c in CLASSES},
        'test': {c: 1 for c in CLASSES}
    })
    monkeypatch.setattr(ferv39k, 'NUM_SCENES', 2)
    report = run(tmp_path / 'rel', tmp_path / 'out')
    # the clip without face frames keeps its scene frames and its video
    assert report.warnings == []
    shutil.rmtree(tmp_path / 'rel' / '3_ClipsforScenImages' / 'Action' /
                  'Happy' / '0001')
    os.remove(tmp_path / 'rel' / '0_7_LabelClips' / 'Action' / 'Happy' /
              '0001.mp4')
    report = run(tmp_path / 'rel', tmp_path / 'out')
    assert any('prepared train clips per class' in w and
               'happy 1 (official 2)' in w for w in report.warnings)
