"""tools/train.py, tools/test.py and tools/dist_train.sh end to end.

The shipped demo config trains on a small generated demo set (2/1/1 clips
per class) in subprocesses, shrunk with --cfg-options.
"""
import json
import os
import os.path as osp
import pickle
import socket
import subprocess
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')
TIMEOUT = 300


def run(args, cwd=REPO, env=None):
    """Run a command, return (returncode, stdout + stderr)."""
    proc = subprocess.run(
        args, cwd=cwd, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
    return proc.returncode, proc.stdout


@pytest.fixture(scope='module')
def demo_root(make_small_demo):
    return make_small_demo(2, 1, 1)


def shrink(root, epochs=1, *extra_opts):
    """--cfg-options that point the demo config at ``root``, run small."""
    opts = [
        f'train_cfg.max_epochs={epochs}', 'default_hooks.logger.interval=1',
        *extra_opts
    ]
    for split in ('train', 'val', 'test'):
        opts += [
            f'{split}_dataloader.dataset.data_root={root}',
            f'{split}_dataloader.num_workers=0',
            f'{split}_dataloader.persistent_workers=False',
            f'{split}_dataloader.batch_size=7',
        ]
    return ['--cfg-options'] + opts


def train(work_dir, root, *extra, epochs=1, opts=()):
    return run([
        sys.executable, 'tools/train.py', CONFIG, '--work-dir', work_dir,
        *extra, *shrink(root, epochs, *opts)
    ])


def evaluate(work_dir, root, ckpt, *extra):
    return run([
        sys.executable, 'tools/test.py', CONFIG, ckpt, '--work-dir',
        work_dir, *extra, *shrink(root)
    ])


def test_train_resume_and_test(tmp_path, demo_root):
    work = str(tmp_path / 'work')
    code, out = train(work, demo_root)
    assert code == 0, out[-3000:]
    # 14 training clips in batches of 7: two iterations, then validation
    assert 'Epoch(train) [1][2/2]' in out
    assert 'UAR:' in out and 'WAR:' in out
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    assert osp.isfile(osp.join(work, 'best_UAR_epoch_1.pth'))

    # --resume continues at epoch 2 from the last checkpoint
    code, out = train(work, demo_root, '--resume', epochs=2)
    assert code == 0, out[-3000:]
    assert 'resumed epoch: 1, iter: 2' in out
    assert 'Epoch(train) [2][2/2]' in out
    assert 'Epoch(train) [1]' not in out
    ckpt = torch.load(
        osp.join(work, 'epoch_2.pth'), map_location='cpu',
        weights_only=False)
    assert ckpt['meta']['epoch'] == 2 and ckpt['meta']['iter'] == 4

    # every modality subset in one run, one table, one dump per subset
    dump = osp.join(work, 'preds.pkl')
    code, out = evaluate(work, demo_root, osp.join(work, 'epoch_2.pth'),
                         '--modalities', 'all-subsets', '--dump', dump)
    assert code == 0, out[-3000:]
    subsets = [
        'video', 'audio', 'caption', 'video+audio', 'video+caption',
        'audio+caption', 'video+audio+caption'
    ]
    assert 'Modality subsets' in out
    table = json.load(open(osp.join(work, 'modality_subsets.json')))
    assert list(table) == subsets
    markdown = open(osp.join(work, 'modality_subsets.md')).read()
    for name, scores in table.items():
        assert 0 <= scores['UAR'] <= 100 and 0 <= scores['WAR'] <= 100
        # 7 test clips, one per class: WAR equals UAR
        assert scores['UAR'] == pytest.approx(scores['WAR'])
        assert f"| {name} | {scores['UAR']:.2f} |" in markdown
        # the per-class table of each subset, with the class names
        assert f'UAR / WAR ({name})' in out
        preds = pickle.load(open(osp.join(work, f'preds_{name}.pkl'), 'rb'))
        assert len(preds) == 7 and preds[0]['pred_score'].shape == (7, )
    for cls in ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust',
                'fear'):
        assert f'| {cls}' in out
    assert any(
        f == 'confusion_matrix_video+audio.png'
        for _, _, files in os.walk(work) for f in files)


def test_amp_trains_in_bfloat16(tmp_path, demo_root):
    code, out = train(
        str(tmp_path), demo_root, '--amp',
        opts=['+train_dataloader.dataset.indices=7'])
    assert code == 0, out[-3000:]
    expected = 'AmpOptimWrapper' if torch.cuda.is_available() else \
        'CPUAmpOptimWrapper'
    assert f"type='{expected}'" in out
    assert 'Epoch(train) [1][1/1]' in out


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_train_and_test_two_processes(tmp_path, demo_root):
    env = dict(os.environ, PORT=str(_free_port()))
    code, out = run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir',
         str(tmp_path)] + shrink(demo_root), env=env)
    assert code == 0, out[-3000:]
    assert 'Distributed training: True' in out
    # 14 clips split over 2 ranks in batches of 7: one iteration per epoch
    assert 'Epoch(train) [1][1/1]' in out
    assert 'UAR:' in out
    assert osp.isfile(osp.join(tmp_path, 'epoch_1.pth'))

    # 7 test clips over 2 ranks (4 + 3, the sampler pads one): the metric
    # gathers them and counts each clip once
    env['PORT'] = str(_free_port())
    code, out = run([
        'bash', 'tools/dist_test.sh', CONFIG,
        osp.join(tmp_path, 'epoch_1.pth'), '2', '--work-dir',
        str(tmp_path)
    ] + shrink(demo_root), env=env)
    assert code == 0, out[-3000:]
    assert 'Distributed training: True' in out
    war_row = [line for line in out.splitlines() if line.startswith('| WAR')]
    assert len(war_row) == 1, out[-3000:]  # printed by rank 0 only
    assert war_row[0].split('|')[2].strip() == '7'
