"""tools/slurm_{train,test}.sh hand srun the right job (a stand-in srun)."""
import os
import os.path as osp
import shlex
import subprocess

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

FAKE_SRUN = '''#!/usr/bin/env bash
printf '%s\\n' "$@" > "$SRUN_LOG"
echo "PYTHONPATH=$PYTHONPATH" >> "$SRUN_LOG"
'''


def run_script(tmp_path, script, *args, **env):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir(exist_ok=True)
    srun = bin_dir / 'srun'
    srun.write_text(FAKE_SRUN)
    srun.chmod(0o755)
    log = tmp_path / 'srun.log'
    proc = subprocess.run(
        ['bash', osp.join('tools', script), *args], cwd=REPO,
        env=dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}',
                 SRUN_LOG=str(log), **env),
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return log.read_text().splitlines()


def test_slurm_train(tmp_path):
    argv = run_script(tmp_path, 'slurm_train.sh', 'gpu', 'umbenet',
                      'configs/umbenet/umbenet_dfew.py', 'work_dirs/x',
                      '--cfg-options', 'train_cfg.max_epochs=2',
                      GPUS='16', SRUN_ARGS='--quotatype=auto')
    assert argv[:2] == ['-p', 'gpu'] and '--job-name=umbenet' in argv
    assert '--ntasks=16' in argv and '--ntasks-per-node=8' in argv
    assert '--gres=gpu:8' in argv and '--kill-on-bad-exit=1' in argv
    assert '--quotatype=auto' in argv
    python = argv.index('python')
    assert argv[python + 2].endswith('tools/train.py')
    assert argv[python + 3:python + 8] == [
        'configs/umbenet/umbenet_dfew.py', '--work-dir=work_dirs/x',
        '--launcher', 'slurm', '--cfg-options'
    ]
    assert argv[-2] == 'train_cfg.max_epochs=2'
    assert argv[-1].startswith('PYTHONPATH=') and 'tools/..' in argv[-1]


def test_slurm_test_few_gpus(tmp_path):
    argv = run_script(tmp_path, 'slurm_test.sh', 'gpu', 'eval',
                      'configs/umbenet/umbenet_mafw.py', 'ckpt.pth',
                      '--modalities', 'all-subsets', GPUS='2')
    assert '--ntasks=2' in argv and '--ntasks-per-node=2' in argv
    python = argv.index('python')
    assert argv[python + 2].endswith('tools/test.py')
    assert argv[python + 3:python + 9] == [
        'configs/umbenet/umbenet_mafw.py', 'ckpt.pth', '--launcher', 'slurm',
        '--modalities', 'all-subsets'
    ], shlex.join(argv)
