"""The environment workarounds of umbe/compat.py."""
import sys

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

import umbe  # noqa: F401  (applies the workarounds)
from umbe import compat


def test_mmaction_models_import_and_drn_stub():
    import mmaction.models  # noqa: F401  (fails without the stub)
    from mmaction.models.localizers import DRN
    package = sys.modules['mmaction.models.localizers.drn']
    if getattr(package, '__file__', None) is None:  # the stub is in use
        with pytest.raises(ImportError, match='2714'):
            DRN()
    compat.stub_missing_mmaction_drn()  # idempotent
    assert sys.modules['mmaction.models.localizers.drn'] is package


def test_mmengine_loads_full_checkpoints(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(0.5)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(
        dict(meta=dict(epoch=3), message_hub=buffer,
             state_dict=dict(w=torch.ones(2))), path)
    # torch's default (weights_only=True) refuses the message hub object
    with pytest.raises(Exception):
        torch.load(path)
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['epoch'] == 3
    assert ckpt['message_hub'].current() == 0.5
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        _load_checkpoint(str(tmp_path / 'nothing.pth'))
