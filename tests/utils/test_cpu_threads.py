"""umbe.utils.cpu_threads: the main process's thread count on CPU."""
import pytest
import torch
from mmengine.config import Config

from umbe.utils import cpu_threads
from umbe.utils.cpu_threads import default_cpu_threads, setup_cpu_threads


@pytest.fixture
def restore_threads(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    yield
    torch.set_num_threads(before)


def config(workers=2, **env_cfg):
    return Config(
        dict(
            train_dataloader=dict(num_workers=workers),
            val_dataloader=dict(num_workers=1),
            test_dataloader=None,
            env_cfg=env_cfg))


def test_default_is_cores_minus_workers(monkeypatch):
    monkeypatch.setattr(cpu_threads, 'available_cores', lambda: 2)
    assert default_cpu_threads(config(workers=2)) == 1
    assert default_cpu_threads(config(workers=0)) == 1  # val has 1 worker
    monkeypatch.setattr(cpu_threads, 'available_cores', lambda: 16)
    assert default_cpu_threads(config(workers=2)) == 14
    assert default_cpu_threads(Config(dict())) == 16


def test_precedence(monkeypatch, restore_threads):
    monkeypatch.setattr(cpu_threads, 'available_cores', lambda: 4)
    assert setup_cpu_threads(config(workers=1)) == 3
    assert torch.get_num_threads() == 3
    assert setup_cpu_threads(config(cpu_threads=2)) == 2
    assert torch.get_num_threads() == 2
    assert setup_cpu_threads(config(cpu_threads=2), num_threads=1) == 1
    assert torch.get_num_threads() == 1
    # OMP_NUM_THREADS is left to PyTorch, explicit counts still win
    monkeypatch.setenv('OMP_NUM_THREADS', '3')
    assert setup_cpu_threads(config(workers=1)) is None
    assert torch.get_num_threads() == 1
    assert setup_cpu_threads(config(workers=1), num_threads=2) == 2


def test_cuda_and_bad_values(monkeypatch, restore_threads):
    with pytest.raises(ValueError, match='positive integer'):
        setup_cpu_threads(config(cpu_threads=0))
    with pytest.raises(ValueError, match='cpu-threads'):
        setup_cpu_threads(config(), num_threads=-1)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    torch.set_num_threads(1)
    assert setup_cpu_threads(config(), num_threads=2) is None
    assert torch.get_num_threads() == 1
