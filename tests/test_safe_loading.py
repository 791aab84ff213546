"""Checkpoints load with weights_only=True: no code runs from a file."""
import os
import os.path as osp
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint

import umbe  # noqa: F401  (registers the safe loader in mmengine)
from umbe.safe_loading import (CheckpointError, UnsafeCheckpointError,
                               allow_checkpoint_globals, load_checkpoint_file)


class _RunsACommand:
    """Unpickling an instance runs ``touch <path>``."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.system, (f'touch {self.path}', )


def test_mmengine_checkpoint_loads(tmp_path):
    hub = MessageHub.get_instance('umbe_safe_loading_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', 1.5)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(
        dict(meta=dict(epoch=3, dataset_meta=dict(classes=['a', 'b'])),
             message_hub=hub.state_dict(),
             state_dict=dict(w=torch.ones(2))), path)
    ckpt = _load_checkpoint(path, map_location='cpu')  # mmengine's loader
    assert ckpt['meta']['epoch'] == 3
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer) and buffer.mean() == 1.0


def test_crafted_pickle_does_not_run(tmp_path):
    marker = tmp_path / 'it_ran'
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, payload=_RunsACommand(marker)), path)
    for load in (load_checkpoint_file, _load_checkpoint):
        with pytest.raises(UnsafeCheckpointError,
                           match=r'evil\.pth: refused.*posix\.system'):
            load(path)
    assert not marker.exists()


def test_getattr_only_on_history_buffer(tmp_path):
    """pickle's getattr is allowed for HistoryBuffer's statistics only."""
    path = str(tmp_path / 'getattr.pth')

    class _Reach:

        def __reduce__(self):
            return getattr, (HistoryBuffer, '__init__')

    torch.save(dict(x=_Reach()), path)
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint_file(path)


def test_bad_files_are_one_line(tmp_path):
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(CheckpointError, match=r'empty\.pth: the file is '
                       'empty'):
        load_checkpoint_file(str(empty))
    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'not a checkpoint at all' * 10)
    with pytest.raises(CheckpointError, match=r'garbage\.pth: cannot read'):
        load_checkpoint_file(str(garbage))
    good = tmp_path / 'good.pth'
    torch.save(dict(w=torch.randn(1000)), str(good))
    truncated = tmp_path / 'truncated.pth'
    truncated.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(CheckpointError, match=r'truncated\.pth'):
        load_checkpoint_file(str(truncated))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        load_checkpoint_file(str(tmp_path / 'missing.pth'))
    for bad in (empty, garbage, truncated):
        with pytest.raises(CheckpointError) as info:
            load_checkpoint_file(str(bad))
        assert '\n' not in str(info.value)
        assert 'weights_only' not in str(info.value)  # no unsafe advice


def test_explicit_opt_in(tmp_path):
    path = str(tmp_path / 'mine.pth')
    torch.save(dict(obj=pickle.PickleError('made by me')), path)
    with pytest.raises(UnsafeCheckpointError, match=r'call pickle\.PickleError.*global pickle\.PickleError'):
        load_checkpoint_file(path)
    allow_checkpoint_globals(['pickle.PickleError'])
    assert str(load_checkpoint_file(path)['obj']) == 'made by me'
    with pytest.raises(CheckpointError, match='no.such'):
        allow_checkpoint_globals(['no.such.Thing'])
    assert osp.isfile(path)
