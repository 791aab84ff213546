"""tools/analysis/missing_modality_ablation.py as a user runs it: argument
errors, and a run that tests a given checkpoint on every modality subset
(no training). The recipes and the table: tests/analysis/."""
import json
import os.path as osp

import pytest

TOOL = 'tools/analysis/missing_modality_ablation.py'


def test_bad_arguments_are_refused(tool_main, tmp_path, capsys):
    main = tool_main(TOOL)
    ckpt = tmp_path / 'a.pth'
    ckpt.write_bytes(b'x')
    for bad, message in (
        (['--checkpoints', f'nope={ckpt}'], 'RECIPE=CKPT with RECIPE in'),
        (['--checkpoints', str(ckpt)], 'RECIPE=CKPT with RECIPE in'),
        (['--checkpoints', f'two_stage={tmp_path / "missing.pth"}'],
         'two_stage: ' + str(tmp_path / 'missing.pth') + ' not found'),
        (['--recipes', 'tri_modal'], "invalid choice: 'tri_modal'"),
    ):
        with pytest.raises(SystemExit) as err:
            main(bad)
        assert err.value.code == 2
        assert message in capsys.readouterr().err


def test_checkpoint_tested_on_every_subset(tool_main, tmp_path,
                                           tiny_demo_root, demo_checkpoint):
    opts = ['--cfg-options']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.dataset.data_root={tiny_demo_root}',
                 f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False']
    work = tmp_path / 'ablation'
    results = tool_main(TOOL)([
        '--recipes', 'audio_only', '--checkpoints',
        f'audio_only={demo_checkpoint}', '--work-dir', str(work)
    ] + opts)
    cells = results['audio_only']
    assert list(cells) == [
        'video', 'audio', 'caption', 'video+audio', 'video+caption',
        'audio+caption', 'video+audio+caption'
    ]
    # the audio-only model cannot see subsets without audio
    assert [k for k, v in cells.items() if v is None] == [
        'video', 'caption', 'video+caption'
    ]
    # with audio only kept, every subset with audio gives the same scores
    seen = [v for v in cells.values() if v is not None]
    assert all(v == seen[0] for v in seen)
    assert 0 <= seen[0]['UAR'] <= 100
    saved = json.load(open(work / 'ablation.json'))
    assert saved['checkpoints'] == dict(audio_only=demo_checkpoint)
    assert saved['results'] == json.loads(json.dumps(results))
    markdown = open(work / 'ablation.md').read()
    assert '| (c) audio only | - |' in markdown
    assert osp.getsize(work / 'ablation.png') > 1000
