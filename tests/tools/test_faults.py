"""Each fault a user meets is one line (file, problem, fix) and a non-zero
exit, from the tools as a user runs them."""
import os
import os.path as osp

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = 'configs/umbenet/umbenet_demo.py'
CLASSES = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')


class _RunsACommand:

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.system, (f'touch {self.path}', )


def run_tool(tool_main, capsys, monkeypatch, path, *argv):
    """Run a tool's main(argv); return (exit code, its stderr)."""
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.chdir(REPO)
    code = 0
    try:
        result = tool_main(path)([str(a) for a in argv])
        code = result or 0
    except SystemExit as err:
        code = err.code if isinstance(err.code, int) else 1
        if not isinstance(err.code, int):
            print(err.code, file=__import__('sys').stderr)
    return code, capsys.readouterr().err


def demo_options(root):
    opts = ['test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False',
            f'test_dataloader.dataset.data_root={root}']
    return ['--cfg-options', *opts]


def one_line(err, tool):
    lines = [ln for ln in err.strip().splitlines()
             if ln.startswith(f'{tool}: error:')]
    assert len(lines) == 1, err[-2000:]
    return lines[0]


@pytest.mark.parametrize('content', [b'', b'garbage' * 100, 'truncated'],
                         ids=['zero_bytes', 'garbage', 'truncated'])
def test_bad_checkpoint_file(tool_main, capsys, monkeypatch, tmp_path,
                             tiny_demo_root, demo_checkpoint, content):
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(open(demo_checkpoint, 'rb').read()[:5000]
                    if content == 'truncated' else content)
    code, err = run_tool(tool_main, capsys, monkeypatch, 'tools/test.py',
                         DEMO, bad, '--work-dir', tmp_path / 'w',
                         *demo_options(tiny_demo_root))
    line = one_line(err, 'tools/test.py')
    assert code == 1 and 'bad.pth' in line


def test_crafted_checkpoint_does_not_run(tool_main, capsys, monkeypatch,
                                         tmp_path, tiny_demo_root):
    marker = tmp_path / 'it_ran'
    evil = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, x=_RunsACommand(marker)), str(evil))
    code, err = run_tool(tool_main, capsys, monkeypatch, 'tools/test.py',
                         DEMO, evil, '--work-dir', tmp_path / 'w',
                         *demo_options(tiny_demo_root))
    line = one_line(err, 'tools/test.py')
    assert code == 1 and 'refused' in line and 'system' in line
    assert not marker.exists()


@pytest.mark.parametrize('tool', ['tools/infer.py', 'tools/stream.py',
                                  'tools/extract_features.py'])
def test_crafted_checkpoint_refused_by_every_tool(
        tool_main, capsys, monkeypatch, tmp_path, tool):
    """The inference tools load checkpoints the same safe way: the
    crafted file's command never runs."""
    marker = tmp_path / 'it_ran'
    evil = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, x=_RunsACommand(marker)), str(evil))
    video = tmp_path / 'clip.mp4'
    video.write_bytes(b'not decoded: the checkpoint is refused first')
    target = ['--source', str(video)] if tool.endswith('stream.py') else [
        str(video)]
    if tool.endswith('extract_features.py'):
        target = ['test', '--out', str(tmp_path / 'f.npz')]
    code, err = run_tool(tool_main, capsys, monkeypatch, tool, DEMO, evil,
                         *target)
    assert code != 0 and 'refused' in err and 'system' in err
    assert not marker.exists()


def test_checkpoint_of_another_class_order(tool_main, capsys, monkeypatch,
                                           tmp_path, tiny_demo_root,
                                           demo_checkpoint):
    reordered = list(reversed(CLASSES))
    code, err = run_tool(
        tool_main, capsys, monkeypatch, 'tools/test.py', DEMO,
        demo_checkpoint, '--work-dir', tmp_path / 'w',
        *demo_options(tiny_demo_root),
        f'model.classes=[{",".join(reordered)}]')
    line = one_line(err, 'tools/test.py')
    assert code == 1 and 'trained on the classes' in line
    assert 'demo.pth' in line and 'umbenet_demo.py' in line


def test_checkpoint_whose_keys_match_nothing(tool_main, capsys, monkeypatch,
                                             tmp_path, tiny_demo_root):
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict=dict(w=torch.zeros(2)),
                    meta=dict(dataset_meta=dict(classes=list(CLASSES)))),
               str(other))
    code, err = run_tool(tool_main, capsys, monkeypatch, 'tools/test.py',
                         DEMO, other, '--work-dir', tmp_path / 'w',
                         *demo_options(tiny_demo_root))
    line = one_line(err, 'tools/test.py')
    assert code == 1 and 'does not fit' in line and 'missing' in line


def test_resume_from_a_checkpoint_of_another_model(
        tool_main, capsys, monkeypatch, tmp_path, tiny_demo_root):
    other = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=dict(w=torch.zeros(2)), meta=dict()),
               str(other))
    code, err = run_tool(tool_main, capsys, monkeypatch, 'tools/train.py',
                         DEMO, '--work-dir', tmp_path, '--resume', other,
                         '--cfg-options',
                         f'train_dataloader.dataset.data_root='
                         f'{tiny_demo_root}',
                         f'val_dataloader.dataset.data_root={tiny_demo_root}',
                         'train_dataloader.num_workers=0',
                         'train_dataloader.persistent_workers=False')
    line = one_line(err, 'tools/train.py')
    assert code == 1 and 'epoch_1.pth does not fit' in line


def test_dataset_not_prepared(tool_main, capsys, monkeypatch, tmp_path):
    code, err = run_tool(
        tool_main, capsys, monkeypatch, 'tools/train.py',
        'configs/umbenet/umbenet_dfew.py', '--work-dir', tmp_path,
        '--cfg-options', f'train_dataloader.dataset.data_root={tmp_path}',
        '+model.allow_random_towers=True',
        'model.vision_encoder.pretrained=None',
        'model.caption_encoder.text_encoder.pretrained=None',
        'model.head.text_encoder.pretrained=None')
    line = one_line(err, 'tools/train.py')
    assert code == 1
    assert 'fold1_train.json does not exist' in line
    assert 'python tools/data/dfew/prepare.py' in line


def test_text_for_a_number(tool_main, capsys, monkeypatch, tmp_path):
    code, err = run_tool(tool_main, capsys, monkeypatch, 'tools/train.py',
                         DEMO, '--work-dir', tmp_path, '--cfg-options',
                         'train_cfg.max_epochs=two')
    line = one_line(err, 'tools/train.py')
    assert code == 1 and "max_epochs='two'" in line and 'integer' in line
