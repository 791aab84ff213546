"""tools/train.py option handling, in process (no training)."""
import importlib.util
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location(
        'umbe_tool_train', osp.join(REPO, 'tools', 'train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _args(**kwargs):
    base = dict(config='configs/x/my_cfg.py', work_dir=None, amp=False,
                amp_dtype=None, resume=None, auto_scale_lr=False)
    return SimpleNamespace(**dict(base, **kwargs))


def _cfg():
    return Config(
        dict(optim_wrapper=dict(type='OptimWrapper', optimizer=dict()),
             auto_scale_lr=dict(enable=False, base_batch_size=16)))


def test_work_dir_amp_and_lr_scaling(tool):
    cfg = tool.merge_args(_cfg(), _args(amp=True, auto_scale_lr=True))
    assert cfg.work_dir == osp.join('./work_dirs', 'my_cfg')
    if torch.cuda.is_available():
        assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    else:
        assert cfg.optim_wrapper.type == 'CPUAmpOptimWrapper'
        assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.auto_scale_lr.enable
    cfg = tool.merge_args(_cfg(), _args(work_dir='w'))
    assert cfg.work_dir == 'w' and cfg.optim_wrapper.type == 'OptimWrapper'


def test_amp_dtype(tool, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(ValueError, match='--amp-dtype float16 needs CUDA'):
        tool.merge_args(_cfg(), _args(amp=True, amp_dtype='float16'))
    with pytest.raises(ValueError, match='--amp-dtype goes with --amp'):
        tool.merge_args(_cfg(), _args(amp_dtype='bfloat16'))
    cfg = tool.merge_args(_cfg(), _args(amp=True, amp_dtype='bfloat16'))
    assert cfg.optim_wrapper.type == 'CPUAmpOptimWrapper'
    # on CUDA: float16 with loss scaling by default, bfloat16 on request
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = tool.merge_args(_cfg(), _args(amp=True))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'float16'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    cfg = tool.merge_args(_cfg(), _args(amp=True, amp_dtype='bfloat16'))
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert 'loss_scale' not in cfg.optim_wrapper


def test_resume_auto_and_path(tool, tmp_path):
    cfg = tool.merge_args(_cfg(), _args(resume='auto'))
    assert cfg.resume is True and cfg.load_from is None
    ckpt = tmp_path / 'epoch_3.pth'
    ckpt.write_bytes(b'')
    cfg = tool.merge_args(_cfg(), _args(resume=str(ckpt)))
    assert cfg.resume is True and cfg.load_from == str(ckpt)
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        tool.merge_args(_cfg(), _args(resume=str(tmp_path / 'nope.pth')))


def test_bad_inputs(tool, tmp_path):
    with pytest.raises(FileNotFoundError, match='missing_cfg.py'):
        tool.load_config(str(tmp_path / 'missing_cfg.py'), None)
    cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper')))
    with pytest.raises(KeyError, match='base_batch_size'):
        tool.merge_args(cfg, _args(auto_scale_lr=True))
