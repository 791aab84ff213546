"""setup_distributed: config changes and errors (no process group)."""
import pytest
import torch
from mmengine.config import Config

from umbe.utils import setup_distributed


def test_none_launcher_changes_nothing_else():
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    setup_distributed(cfg, 'none')
    assert cfg.launcher == 'none'
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    assert 'model_wrapper_cfg' not in cfg


def test_bad_launcher_and_missing_torchrun_env(monkeypatch):
    with pytest.raises(ValueError, match="'torchrunn'"):
        setup_distributed(Config(), 'torchrunn')
    if torch.cuda.is_available():
        pytest.skip('CUDA present: mmengine initialises the group itself')
    for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(RuntimeError, match='torchrun'):
        setup_distributed(Config(), 'pytorch')
    with pytest.raises(RuntimeError, match='not supported'):
        setup_distributed(Config(), 'slurm')


def test_distributed_run_destroys_the_process_group(tmp_path):
    import torch.distributed as dist

    from umbe.utils import distributed_run
    store = dist.FileStore(str(tmp_path / 'store'), 1)
    with distributed_run():
        dist.init_process_group('gloo', store=store, rank=0, world_size=1)
        assert dist.is_initialized()
    assert not dist.is_initialized()
    with distributed_run():  # no group: nothing to do
        pass
