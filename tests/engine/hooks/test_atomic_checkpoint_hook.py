"""AtomicCheckpointHook: a kill or a full disk never leaves the work dir
unresumable (mmengine's toy runner, in process)."""
import copy
import errno
import glob
import os
import os.path as osp

import pytest
from mmengine.testing import RunnerTestCase

import umbe  # noqa: F401
from umbe.atomic_io import AtomicWriteError
from umbe.engine import find_resume_checkpoint, is_complete_checkpoint
from umbe.engine.hooks.atomic_checkpoint_hook import AtomicLocalBackend
from umbe.utils import exit_on_user_error


class TestAtomicCheckpointHook(RunnerTestCase):

    def setUp(self):
        super().setUp()
        cfg = self.epoch_based_cfg
        cfg.default_scope = 'umbe'
        cfg.train_cfg.max_epochs = 3
        cfg.default_hooks.checkpoint = dict(
            type='AtomicCheckpointHook', interval=1, max_keep_ckpts=1,
            save_best='acc', rule='greater', save_last=True)

    def files(self):
        return sorted(osp.basename(p)
                      for p in glob.glob(osp.join(self.temp_dir.name, '*')))

    def last_checkpoint(self):
        with open(osp.join(self.temp_dir.name, 'last_checkpoint')) as f:
            return f.read()

    def test_keeps_one_relative_last_checkpoint(self):
        self.build_runner(copy.deepcopy(self.epoch_based_cfg)).train()
        files = self.files()
        assert 'epoch_3.pth' in files
        assert not [f for f in files if f.startswith('epoch_') and
                    f != 'epoch_3.pth']
        assert len([f for f in files if f.startswith('best_')]) == 1
        assert self.last_checkpoint() == 'epoch_3.pth'  # relative
        assert not [f for f in os.listdir(self.temp_dir.name)
                    if f.endswith('.tmp')]

    def test_killed_while_saving_keeps_the_previous(self):
        put = AtomicLocalBackend.put

        def dies_on_epoch_2(backend, obj, filepath):
            if osp.basename(str(filepath)) == 'epoch_2.pth':
                raise KeyboardInterrupt('killed while saving')
            return put(backend, obj, filepath)

        AtomicLocalBackend.put = dies_on_epoch_2
        try:
            with pytest.raises(KeyboardInterrupt):
                self.build_runner(copy.deepcopy(
                    self.epoch_based_cfg)).train()
        finally:
            AtomicLocalBackend.put = put
        files = self.files()
        assert 'epoch_1.pth' in files and 'epoch_2.pth' not in files
        assert self.last_checkpoint() == 'epoch_1.pth'
        first = osp.join(self.temp_dir.name, 'epoch_1.pth')
        assert is_complete_checkpoint(first)
        assert find_resume_checkpoint(self.temp_dir.name) == first

    def test_full_disk_is_one_line_and_leaves_nothing_partial(self):
        import umbe.atomic_io as atomic_io
        fsync = atomic_io.os.fsync
        calls = []

        def full_on_second_checkpoint(fd):
            calls.append(fd)
            if len(calls) >= 4:  # epoch 1 and its best saved, then full
                raise OSError(errno.ENOSPC, 'No space left on device')
            return fsync(fd)

        atomic_io.os.fsync = full_on_second_checkpoint
        try:
            runner = self.build_runner(copy.deepcopy(self.epoch_based_cfg))
            with pytest.raises(SystemExit) as info, _capture_stderr() as err:
                with exit_on_user_error('tools/train.py'):
                    runner.train()
        finally:
            atomic_io.os.fsync = fsync
        assert info.value.code == 1
        line = err.getvalue().strip()
        assert '\n' not in line
        assert line.startswith('tools/train.py: error: ')
        assert 'the disk is full' in line and '.pth' in line
        for name in self.files():
            if name.endswith('.pth'):
                assert is_complete_checkpoint(
                    osp.join(self.temp_dir.name, name)), name
        assert not [f for f in os.listdir(self.temp_dir.name)
                    if f.endswith('.tmp')]
        assert find_resume_checkpoint(self.temp_dir.name) is not None


class _capture_stderr:
    """Collect what is printed to sys.stderr in the block."""

    def __enter__(self):
        import io
        import sys
        self._saved, sys.stderr = sys.stderr, io.StringIO()
        return sys.stderr

    def __exit__(self, *exc):
        import sys
        self.value, sys.stderr = sys.stderr, self._saved
        return False


def test_atomic_write_error_is_raised_for_a_full_disk(tmp_path, monkeypatch):
    import umbe.atomic_io as atomic_io

    def full(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(atomic_io.os, 'fsync', full)
    path = tmp_path / 'result.json'
    path.write_text('old')
    with pytest.raises(AtomicWriteError, match='result.json: cannot write '
                       'it.*disk is full.*previous version'):
        atomic_io.atomic_write_json({'a': 1}, str(path))
    assert path.read_text() == 'old'
    assert os.listdir(tmp_path) == ['result.json']


def test_atomic_files_get_the_usual_permissions(tmp_path):
    import stat

    from umbe.atomic_io import atomic_write_text
    mask = os.umask(0o022)
    try:
        path = tmp_path / 'r.json'
        atomic_write_text('{}', str(path))
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    finally:
        os.umask(mask)
