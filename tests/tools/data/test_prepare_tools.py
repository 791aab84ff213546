"""tools/data/{dfew,ferv39k,mafw}/prepare.py as a user runs them: the
command line reaches ``prepare_<dataset>`` and a broken release ends with a
message, not a traceback. The preparation itself is tested in
tests/datasets/preparation/."""
import json
import os
import os.path as osp

import pytest
from fake_releases import make_dfew, make_ferv39k, make_mafw

from umbe.datasets.preparation import (SAMPLE_RATE, prepare_dfew,
                                       prepare_ferv39k, prepare_mafw)

CASES = {
    'dfew': (make_dfew, prepare_dfew,
             ['--sample-rate', '16000', '--val-ratio', '0.3', '--seed', '2'],
             dict(sample_rate=16000, val_ratio=0.3, seed=2)),
    'ferv39k': (make_ferv39k, prepare_ferv39k,
                ['--val-ratio', '0.2', '--seed', '3'],
                dict(val_ratio=0.2, seed=3)),
    'mafw': (make_mafw, prepare_mafw, ['--no-audio', '--seed', '5'],
             dict(no_audio=True, seed=5)),
}


def outputs(out_dir):
    """Every file the run wrote, the reports without their out-dir notes."""
    found = {}
    for parent, _, files in os.walk(out_dir):
        for name in files:
            path = osp.join(parent, name)
            with open(path, 'rb') as f:
                found[osp.relpath(path, out_dir)] = f.read()
    report = json.loads(found.pop('prepare_report.json'))
    report.pop('notes')
    found.pop('prepare_report.txt')
    return found, report


@pytest.mark.parametrize('name', sorted(CASES))
def test_command_line_runs_the_package_function(name, tmp_path,
                                                prepare_tool):
    make, prepare, argv, kwargs = CASES[name]
    make(str(tmp_path / 'rel'))
    report = prepare_tool(name)(
        [str(tmp_path / 'rel'), str(tmp_path / 'cli')] + argv)
    prepare(str(tmp_path / 'rel'), str(tmp_path / 'api'), **kwargs)
    cli, cli_report = outputs(tmp_path / 'cli')
    api, api_report = outputs(tmp_path / 'api')
    assert sorted(cli) == sorted(api) and cli == api
    assert cli_report == api_report
    assert sum(map(sum, report.counts.values())) > 0
    wavs = [p for p in cli if p.startswith('audio')]
    assert bool(wavs) == (name == 'dfew')


def test_options_follow_the_package_functions(prepare_tool, capsys):
    for name in CASES:
        with pytest.raises(SystemExit) as err:
            prepare_tool(name)(['--help'])
        assert err.value.code == 0
        text = capsys.readouterr().out
        assert ('--sample-rate' in text) == (name != 'ferv39k')
        assert ('--workers' in text) == (name != 'ferv39k')
        if name != 'ferv39k':
            assert f'(default {SAMPLE_RATE})' in ' '.join(text.split())
        assert ('--frame-set {all,16f}' in text) == (name == 'dfew')
        assert ('--face-dir' in text) == (name == 'mafw')
    with pytest.raises(SystemExit) as err:
        prepare_tool('ferv39k')(['rel', 'out', '--sample-rate', '8000'])
    assert err.value.code == 2
    assert 'unrecognized arguments: --sample-rate' in capsys.readouterr().err


@pytest.mark.parametrize('name', sorted(CASES))
def test_a_broken_release_ends_with_its_message(name, tmp_path,
                                                prepare_tool):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SystemExit) as err:
        prepare_tool(name)([str(tmp_path / 'empty'), str(tmp_path / 'out')])
    assert str(err.value).startswith('error: ')
    assert str(tmp_path / 'empty') in str(err.value)
    with pytest.raises(SystemExit, match='release root not found'):
        prepare_tool(name)([str(tmp_path / 'nope'), str(tmp_path / 'out')])
