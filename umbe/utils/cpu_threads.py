"""CPU thread count of the main process for ``tools/train.py`` / ``test.py``.

PyTorch starts one intra-op thread per core. On a small shared CPU machine
that also runs dataloader workers, those threads compete with the workers
and with each other: on 2 loaded cores a demo training step took 5-7 s with
2 threads and 0.2-0.4 s with 1. So on CPU the tools pick the count
themselves unless the user did:

1. ``--cpu-threads N`` on the command line (``num_threads`` below),
2. ``env_cfg.cpu_threads`` in the config,
3. the ``OMP_NUM_THREADS`` environment variable (left to PyTorch),
4. otherwise ``max(1, cores - workers)``, where ``cores`` is the number of
   cores this process may run on and ``workers`` the largest
   ``num_workers`` of the config's dataloaders (1 thread on 2 cores with 2
   workers; 14 on 16 cores with 2).

With CUDA nothing is changed: the model runs on the GPU.
"""
import os
from typing import Optional

import torch
from mmengine.config import Config

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where known)."""
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_cpu_threads(cfg: Config) -> int:
    """``max(1, cores - the largest num_workers of cfg's dataloaders)``."""
    workers = max([(cfg.get(k) or {}).get('num_workers', 0) or 0
                   for k in DATALOADERS])
    return max(1, available_cores() - workers)


def setup_cpu_threads(cfg: Config,
                      num_threads: Optional[int] = None) -> Optional[int]:
    """Set the main process's PyTorch thread count on CPU.

    See the module docstring for the order of precedence.

    Args:
        cfg (Config): The run's config (``env_cfg.cpu_threads`` and the
            dataloaders' ``num_workers`` are read).
        num_threads (int, optional): An explicit count (``--cpu-threads``);
            overrides everything else. Defaults to None.

    Returns:
        int or None: The count set, or None when nothing was changed (CUDA
        available, or ``OMP_NUM_THREADS`` set and no explicit count).

    Raises:
        ValueError: If the chosen count is not a positive integer.
    """
    if torch.cuda.is_available():
        return None
    if num_threads is None:
        num_threads = (cfg.get('env_cfg') or {}).get('cpu_threads')
    if num_threads is None:
        if os.environ.get('OMP_NUM_THREADS'):
            return None
        num_threads = default_cpu_threads(cfg)
    if not isinstance(num_threads, int) or num_threads < 1:
        raise ValueError(f'the CPU thread count must be a positive integer, '
                         f'got {num_threads!r} (--cpu-threads or '
                         'env_cfg.cpu_threads)')
    torch.set_num_threads(num_threads)
    return num_threads
