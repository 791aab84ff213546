import json
import os
import os.path as osp
import random

import numpy as np
import pytest
import soundfile as sf
from fake_releases import write_corrupt, write_video, write_xlsx

from umbe.datasets.preparation import (PrepReport, ReleaseError,
                                       atomic_write_json, extract_audio,
                                       find_dir, index_clip_dirs,
                                       load_classes, normalize_name,
                                       official_label_name, pad_id,
                                       parse_int_id, read_text_lines,
                                       read_xlsx_rows, rel_or_abs,
                                       stratified_split, wav_is_valid)


def test_names_and_ids():
    assert normalize_name('train(single-labeled)') == normalize_name(
        'Train_Single_Labeled') == 'trainsinglelabeled'
    assert normalize_name('Train & Test Set') == 'traintestset'
    assert [parse_int_id(n) for n in ('02522', '25.mp4', 'a/00007', 'x1')
            ] == [2522, 25, 7, None]
    assert pad_id(25) == '00025' and pad_id(123456) == '123456'
    labels = ('happy', 'sad', 'neutral')
    assert [official_label_name(r, labels)
            for r in ('1', '3', ' Neutral ', 'SAD', '0', '4', 'fear', '')
            ] == ['happy', 'neutral', 'neutral', 'sad', None, None, None, None]


def test_find_dir_descends_nested_copies_and_names_failures(tmp_path):
    (tmp_path / 'X' / '2_ClipsforFaceCrop' / '2_ClipsforFaceCrop' /
     'Action').mkdir(parents=True)
    found = find_dir(str(tmp_path), lambda n: n == '2clipsforfacecrop',
                     'faces', '2_ClipsforFaceCrop')
    assert found == str(tmp_path / 'X' / '2_ClipsforFaceCrop' /
                        '2_ClipsforFaceCrop')
    with pytest.raises(ReleaseError, match=f'"4_setups" found under '
                       f'{tmp_path}'):
        find_dir(str(tmp_path), lambda n: n == '4setups', 'splits',
                 '4_setups')
    assert find_dir(str(tmp_path), lambda n: n == 'none', 'a', 'b',
                    required=False) is None
    (tmp_path / 'Y' / '2_ClipsforFaceCrop').mkdir(parents=True)
    with pytest.raises(ReleaseError, match='several folders'):
        find_dir(str(tmp_path), lambda n: n == '2clipsforfacecrop', 'faces',
                 '2_ClipsforFaceCrop')


def test_index_clip_dirs_tolerates_extra_levels(tmp_path):
    for rel in ('part_1/00001', 'part_2/12', '00003', 'notes'):
        (tmp_path / rel).mkdir(parents=True)
    index = index_clip_dirs(str(tmp_path), 1,
                            lambda names: parse_int_id(names[-1]))
    assert index == {
        1: str(tmp_path / 'part_1' / '00001'),
        12: str(tmp_path / 'part_2' / '12'),
        3: str(tmp_path / '00003')
    }


def test_atomic_json_write_is_idempotent(tmp_path):
    path = str(tmp_path / 'a' / 'b.json')
    assert atomic_write_json([{'x': 'é'}], path)
    stamp = os.stat(path).st_mtime_ns
    assert not atomic_write_json([{'x': 'é'}], path)
    assert os.stat(path).st_mtime_ns == stamp
    assert atomic_write_json([{'x': 1}], path)
    with open(path) as f:
        assert json.load(f) == [{'x': 1}]
    assert os.listdir(tmp_path / 'a') == ['b.json']  # no temporary left


def test_rel_or_abs(tmp_path):
    out = str(tmp_path / 'out')
    assert rel_or_abs(osp.join(out, 'audio', '1.wav'), out) == 'audio/1.wav'
    assert rel_or_abs('/elsewhere/x.mp4', out) == '/elsewhere/x.mp4'


def test_stratified_split_is_stratified_and_order_free():
    records = [dict(clip_id=f'{i:05d}', label=i % 3) for i in range(61)]
    train, val = stratified_split(records, 0.2, seed=3)
    assert len(train) + len(val) == 61
    assert not {r['clip_id'] for r in train} & {r['clip_id'] for r in val}
    counts = [sum(r['label'] == c for r in val) for c in range(3)]
    assert counts == [round(21 * 0.2), round(20 * 0.2), round(20 * 0.2)]
    shuffled = records[:]
    random.Random(0).shuffle(shuffled)
    _, val2 = stratified_split(shuffled, 0.2, seed=3)
    assert sorted(r['clip_id'] for r in val2) == sorted(
        r['clip_id'] for r in val)
    _, val3 = stratified_split(records, 0.2, seed=4)
    assert {r['clip_id'] for r in val3} != {r['clip_id'] for r in val}
    # a class of two clips still gives one; a class of one gives none
    _, small = stratified_split(
        [dict(clip_id='a', label=0), dict(clip_id='b', label=0),
         dict(clip_id='c', label=1)], 0.1)
    assert [r['label'] for r in small] == [0]
    with pytest.raises(ValueError, match='val_ratio'):
        stratified_split(records, 1.0)


def test_extract_audio_outcomes(tmp_path):
    video = str(tmp_path / 'a.mp4')
    write_video(video, audio=True)
    wav = str(tmp_path / 'wav' / 'a.wav')
    assert extract_audio(video, wav, 22050) == ('extracted', '')
    samples, rate = sf.read(wav)
    assert rate == 22050 and samples.ndim == 1
    assert abs(len(samples) / rate - 0.5) < 0.1
    # the 440 Hz tone survives the resampling
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * rate / len(samples) - 440) < 10
    assert wav_is_valid(wav, 22050) and not wav_is_valid(wav, 16000)
    assert extract_audio(video, wav, 22050) == ('exists', '')
    # a wav at another rate is replaced
    assert extract_audio(video, wav, 16000)[0] == 'extracted'
    silent = str(tmp_path / 'b.mp4')
    write_video(silent, audio=False)
    outcome, message = extract_audio(silent, str(tmp_path / 'b.wav'), 16000)
    assert outcome == 'no_audio' and 'b.mp4: no audio track' in message
    assert not osp.exists(tmp_path / 'b.wav')
    broken = str(tmp_path / 'c.mp4')
    write_corrupt(broken)
    outcome, message = extract_audio(broken, str(tmp_path / 'c.wav'), 16000)
    assert outcome == 'corrupt' and 'c.mp4: cannot be decoded' in message
    assert sorted(os.listdir(tmp_path / 'wav')) == ['a.wav']


@pytest.mark.parametrize('shared', [False, True])
def test_read_xlsx_rows(tmp_path, shared):
    path = str(tmp_path / 't.xlsx')
    write_xlsx(path, [['name', 'text'], ['00025', 'a & b'], [7, 'c']],
               shared=shared)
    assert read_xlsx_rows(path) == [['name', 'text'], ['00025', 'a & b'],
                                    ['7', 'c']]
    with open(path, 'wb') as f:
        f.write(b'not a zip')
    with pytest.raises(ReleaseError, match='t.xlsx: not a readable'):
        read_xlsx_rows(path)


def test_read_text_lines_encodings(tmp_path):
    path = tmp_path / 'x.txt'
    path.write_bytes('00025.mp4\tanger\t一个人\n\n'.encode('gb18030'))
    assert read_text_lines(str(path)) == ['00025.mp4\tanger\t一个人']
    path.write_bytes('\ufeffvideo_name,label\r\n1,2\r\n'.encode('utf-8'))
    assert read_text_lines(str(path)) == ['video_name,label', '1,2']


def test_report_compare_and_table():
    report = PrepReport('X', ['a', 'b'])
    report.add_split('train', [dict(label=0), dict(label=1), dict(label=1)])
    assert report.counts == {'train': [1, 2]}
    assert report.compare('lines', {'a': 1}, {'a': 1})
    assert not report.compare('lines', {'a': 1}, {'a': 2, 'b': 0})
    assert report.warnings == ['lines differ from the official release: '
                               'a 1 (official 2)']
    report.fail('corrupt', '00001', 'x.mp4: cannot be decoded')
    text = report.summary()
    assert '| 1     | b     | 2     |' in text and 'corrupt 1' in text


def test_class_lists_come_from_the_dataset_configs():
    assert load_classes('dfew') == [
        'happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear'
    ]
    assert load_classes('ferv39k') == load_classes('dfew')
    mafw = load_classes('mafw')
    assert mafw[:3] == ['anger', 'disgust', 'fear'] and len(mafw) == 11
    assert mafw[-1] == 'disappointment'


def test_parser_options_and_defaults_come_from_the_function(tmp_path):
    from umbe.datasets.preparation import (SAMPLE_RATE, build_parser,
                                           prepare_dfew, prepare_ferv39k,
                                           run_tool)
    from umbe.datasets.transforms import LoadAudio
    assert SAMPLE_RATE == LoadAudio().sample_rate  # one default, the loader's
    parser = build_parser('DFEW', prepare_dfew)
    # options left out are left out: the function's defaults apply
    assert vars(parser.parse_args(['r', 'o'])) == dict(
        release_root='r', out_dir='o')
    args = parser.parse_args(['r', 'o', '--sample-rate', '8000', '--no-audio',
                              '--val-ratio', '0.5', '--seed', '3',
                              '--workers', '2', '--config', 'c.py'])
    assert vars(args) == dict(release_root='r', out_dir='o',
                              sample_rate=8000, no_audio=True, val_ratio=0.5,
                              seed=3, workers=2, config='c.py')
    help_text = ' '.join(parser.format_help().split())
    assert f'(default {SAMPLE_RATE})' in help_text
    assert '(default 0.1)' in help_text and '(default 1)' in help_text
    assert 'split (default 0)' in help_text  # the seed
    # FERV39k has no audio: no audio options
    ferv = build_parser('FERV39k', prepare_ferv39k)
    with pytest.raises(SystemExit):
        ferv.parse_args(['r', 'o', '--workers', '2'])
    calls = []

    def prepare(release_root, out_dir, seed=0):
        calls.append((release_root, out_dir, seed))
        if seed == 1:
            raise ReleaseError(f'{release_root}: nothing here')
        return 'report'

    parser = build_parser('X', prepare)
    assert run_tool(prepare, parser, ['r', 'o']) == 'report'
    assert calls == [('r', 'o', 0)]
    with pytest.raises(SystemExit, match='^error: r: nothing here$'):
        run_tool(prepare, parser, ['r', 'o', '--seed', '1'])
