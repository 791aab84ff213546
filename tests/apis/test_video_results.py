"""umbe.apis.video_results and collect_videos: what tools/infer.py writes."""
import csv
import json

import pytest

from umbe.apis import (collect_videos, failure_reason, format_result,
                       json_ready, result_persons, write_results)
from umbe.datasets.utils import BadClipError

CLASSES = ['a', 'b']


def _window(index, scores, face=True, note=''):
    top = None if scores is None else max(scores, key=scores.get)
    return dict(
        index=index,
        start=float(index),
        end=index + 2.,
        face_found=face,
        scores=scores,
        pred_class=top,
        modalities=['face', 'scene'] if scores else [],
        smoothed_class=top,
        note=note)


def _result(video='/v/x.mp4', persons=False):
    windows = [
        _window(0, dict(a=.75, b=.25)),
        _window(1, None, False, 'no face in this window: skipped')
    ]
    overall = dict(scores=dict(a=.75, b=.25), pred_class='a', num_windows=1)
    result = dict(
        video=video,
        windows=windows,
        overall=overall,
        notes=['a note'],
        _tracks=[],
        _source=object())
    if persons:
        result['persons'] = [
            dict(person=0, windows=windows, overall=overall),
            dict(person=1, windows=[_window(0, None, False)], overall=None)
        ]
    return result


def test_persons_and_json_ready():
    assert result_persons(_result()) == [
        dict(
            person=0,
            windows=_result()['windows'],
            overall=_result()['overall'])
    ]
    assert len(result_persons(_result(persons=True))) == 2
    ready = json_ready(_result())
    assert '_tracks' not in ready and '_source' not in ready
    assert json.dumps(ready)


def test_terminal_tables():
    text = format_result(_result())
    assert '| 0.00-2.00  | yes  | face+scene | a 0.75 | a        |' in text
    assert '| 1.00-3.00  | no   | -          | -      | -        | no face' \
        in text
    assert 'overall: a (0.75, mean of 1 window(s))' in text
    assert text.endswith('note: a note')
    text = format_result(_result(persons=True))
    assert 'x.mp4 person 1' in text and 'overall: no scored window' in text


def test_json_and_csv_files(tmp_path):
    results = [_result(), _result('/v/y.mp4', persons=True)]
    failures = [('/v/z.mp4', 'cannot decode')]
    out = tmp_path / 'sub' / 'res.json'
    write_results(str(out), results, failures, 'c.py', 'k.pth', CLASSES)
    doc = json.loads(out.read_text())
    assert (doc['config'], doc['checkpoint'],
            doc['classes']) == ('c.py', 'k.pth', CLASSES)
    assert [v['video'] for v in doc['videos']] == ['/v/x.mp4', '/v/y.mp4']
    assert doc['failures'] == [dict(video='/v/z.mp4', error='cannot decode')]
    out = tmp_path / 'res.csv'
    write_results(str(out), results, failures, 'c.py', 'k.pth', CLASSES)
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        'video', 'person', 'window', 'start', 'end', 'face_found',
        'modalities', 'pred_class', 'smoothed_class', 'p_a', 'p_b', 'note'
    ]
    assert [(r['video'], r['person'], r['window'])
            for r in rows] == [('/v/x.mp4', '0', '0'), ('/v/x.mp4', '0', '1'),
                               ('/v/y.mp4', '0', '0'), ('/v/y.mp4', '0', '1'),
                               ('/v/y.mp4', '1', '0'), ('/v/z.mp4', '', '')]
    # the failed video has a row too, its reason in the note
    assert rows[-1]['note'] == 'failed: cannot decode'
    assert rows[-1]['p_a'] == '' and rows[-1]['pred_class'] == ''
    assert (rows[0]['p_a'], rows[0]['p_b']) == ('0.750000', '0.250000')
    assert rows[1]['p_a'] == '' and rows[1]['face_found'] == '0'
    assert rows[1]['note'].startswith('no face')
    with pytest.raises(ValueError, match='.json or .csv'):
        write_results(
            str(tmp_path / 'res.txt'), results, [], 'c', 'k', CLASSES)


def test_failure_reasons():
    assert failure_reason(BadClipError('x.mp4', 'no frames')) == str(
        BadClipError('x.mp4', 'no frames'))
    assert failure_reason(KeyError('face')) == "KeyError: 'face'"


def test_collect_videos(tmp_path):
    (tmp_path / 'sub').mkdir()
    for name in ('b.mp4', 'sub/a.MKV', 'notes.txt', 'sub/c.jpg'):
        (tmp_path / name).write_text('x')
    assert collect_videos(str(tmp_path)) == [
        str(tmp_path / 'b.mp4'),
        str(tmp_path / 'sub' / 'a.MKV')
    ]
    listing = tmp_path / 'list.txt'
    listing.write_text('# mine\nb.mp4\n\n/abs/v.avi\nmissing.mov\n')
    assert collect_videos(str(listing)) == [
        str(tmp_path / 'b.mp4'), '/abs/v.avi',
        str(tmp_path / 'missing.mov')
    ]
    assert collect_videos(str(tmp_path / 'b.mp4')) == [str(tmp_path / 'b.mp4')]
    with pytest.raises(FileNotFoundError, match='no such file or folder'):
        collect_videos(str(tmp_path / 'none'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no videos'):
        collect_videos(str(tmp_path / 'empty'))
    (tmp_path / 'empty.txt').write_text('# nothing\n')
    with pytest.raises(ValueError, match='names no videos'):
        collect_videos(str(tmp_path / 'empty.txt'))
    with pytest.raises(ValueError, match='not a video'):
        collect_videos(str(tmp_path / 'sub' / 'c.jpg'))
