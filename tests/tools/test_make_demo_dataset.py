"""tools/data/make_demo_dataset.py as a user runs it: the command writes what
``umbe.testing.generate_demo_dataset`` writes for the same seed."""
import filecmp
import json
import os.path as osp
import subprocess
import sys

from umbe.testing import generate_demo_dataset

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'data', 'make_demo_dataset.py')


def _differing(cmp, prefix=''):
    """Files that differ between two trees; both trees hold the same names."""
    assert not cmp.left_only and not cmp.right_only, (prefix, cmp.left_only,
                                                      cmp.right_only)
    return [osp.join(prefix, f) for f in cmp.diff_files] + sum(
        (_differing(sub, osp.join(prefix, name))
         for name, sub in cmp.subdirs.items()), [])


def test_command_writes_the_package_dataset(tmp_path):
    out = tmp_path / 'by_tool'
    proc = subprocess.run([
        sys.executable, TOOL, '--out',
        str(out), '--seed', '5', '--clips-per-class', '1', '0', '1'
    ],
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f'wrote 14 clips to {out}' in proc.stdout
    meta = generate_demo_dataset(str(tmp_path / 'by_api'), 5, (1, 0, 1))
    with open(out / 'meta.json') as f:
        assert json.load(f) == meta
    changed = _differing(
        filecmp.dircmp(str(out), str(tmp_path / 'by_api')))
    # x264's bytes vary run to run; every other file is the same
    assert all(path.endswith('.mp4') for path in changed), changed
