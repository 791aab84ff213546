"""A run killed with SIGKILL and resumed ends bitwise equal to the
uninterrupted one: single-stage demo, two-stage demo killed before and after
the stage switch (CPU, deterministic algorithms on)."""
import os.path as osp
import signal
import subprocess
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')
TWO_STAGE = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_two_stage.py')
EPOCHS = 3

KILL_HOOK = '''
import os
import signal

from mmengine.hooks import Hook

from umbe.registry import HOOKS


@HOOKS.register_module()
class KillAfterEpoch(Hook):
    """SIGKILL this process once epoch `epoch` (1-based) is saved."""
    priority = 'LOWEST'  # after the checkpoint hook

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)
'''


@pytest.fixture(scope='module')
def demo_root(make_small_demo):
    return make_small_demo(2, 1, 1)


def train(config, work_dir, root, *extra, env=None):
    opts = [f'train_cfg.max_epochs={EPOCHS}', 'randomness.deterministic=True',
            '+stage1_epochs=1']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.dataset.data_root={root}',
                 f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False',
                 f'{split}_dataloader.batch_size=7']
    return subprocess.run(
        [sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
         *extra, '--cfg-options', *opts],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def killing_config(tmp_path, base, epoch):
    (tmp_path / 'kill_hook.py').write_text(KILL_HOOK)
    path = tmp_path / f'kill_{epoch}_{osp.basename(base)}'
    path.write_text(
        f"_base_ = ['{base}']\n"
        "custom_imports = dict(imports=['kill_hook'], "
        "allow_failed_imports=False)\n"
        f"default_hooks = dict(kill=dict(type='KillAfterEpoch', "
        f"epoch={epoch}))\n")
    return str(path)


def final_state(work_dir):
    ckpt = torch.load(osp.join(work_dir, f'epoch_{EPOCHS}.pth'),
                      weights_only=False)
    return ckpt


def differing(a, b, prefix=''):
    """Names of the tensors (nested dicts / lists) that differ."""
    if isinstance(a, torch.Tensor):
        return [] if torch.equal(a, b) else [prefix]
    if isinstance(a, dict):
        assert set(a) == set(b), (prefix, set(a) ^ set(b))
        return [n for k in a for n in differing(a[k], b[k], f'{prefix}.{k}')]
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b), prefix
        return [n for i, (x, y) in enumerate(zip(a, b))
                for n in differing(x, y, f'{prefix}[{i}]')]
    return [] if a == b else [prefix]


@pytest.mark.parametrize('config, kill_after', [
    (DEMO, 1),
    (TWO_STAGE, 1),  # stage 1 done, the switch is still to come
    (TWO_STAGE, 2),  # after the switch
], ids=['single_stage', 'two_stage_before_switch', 'two_stage_after_switch'])
def test_kill_and_resume_is_bitwise_equal(tmp_path, demo_root, config,
                                          kill_after, monkeypatch):
    import os
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tmp_path), REPO, os.environ.get('PYTHONPATH', '')]))
    straight = str(tmp_path / 'straight')
    done = train(config, straight, demo_root, env=env)
    assert done.returncode == 0, done.stdout + done.stderr

    resumed = str(tmp_path / 'resumed')
    killed = train(killing_config(tmp_path, config, kill_after), resumed,
                   demo_root, env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert osp.isfile(osp.join(resumed, f'epoch_{kill_after}.pth'))
    assert not osp.isfile(osp.join(resumed, f'epoch_{kill_after + 1}.pth'))
    again = train(config, resumed, demo_root, '--resume', env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f'Resumed' in again.stdout + again.stderr or (
        'resumed' in again.stdout + again.stderr)

    a, b = final_state(straight), final_state(resumed)
    assert a['meta']['epoch'] == b['meta']['epoch'] == EPOCHS
    assert differing(a['state_dict'], b['state_dict']) == []
    assert differing(a['optimizer'], b['optimizer']) == []
    if config == TWO_STAGE:
        assert a['two_stage']['stage'] == b['two_stage']['stage'] == 2
        assert differing(a['two_stage'], b['two_stage']) == []
    assert differing(a['random_state'], b['random_state']) == []
