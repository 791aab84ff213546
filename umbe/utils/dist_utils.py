"""Distributed set-up shared by ``tools/train.py`` and ``tools/test.py``."""
import contextlib
import os
from typing import Iterator

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def setup_distributed(cfg: Config, launcher: str) -> None:
    """Prepare ``cfg`` (and, on CPU, the process group) for ``launcher``.

    With CUDA, mmengine's ``Runner`` initialises the process group itself
    (``env_cfg.dist_cfg``, NCCL by default). Without CUDA it cannot: its
    ``init_dist`` calls ``torch.cuda.set_device``. So on CPU this function
    initialises the group with the gloo backend from torchrun's environment
    (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``) before the
    runner is built (the runner skips its own initialisation when a group
    exists) and wraps the model in ``MMDistributedDataParallel`` with
    ``device_ids=None``, the CPU form of DDP.

    Args:
        cfg (Config): The config, updated in place (``launcher``,
            ``env_cfg.dist_cfg.backend``, ``model_wrapper_cfg``).
        launcher (str): One of ``'none'``, ``'pytorch'``, ``'slurm'``,
            ``'mpi'``.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'--launcher must be one of {LAUNCHERS}, '
                         f'got {launcher!r}')
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} without CUDA is not supported; on CPU '
            'start the processes with torchrun (tools/dist_train.sh, '
            '--launcher pytorch).')
    missing = [
        k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
        if k not in os.environ
    ]
    if missing:
        raise RuntimeError(
            f'--launcher pytorch needs the environment variables {missing} '
            'that torchrun sets; start with tools/dist_train.sh CONFIG '
            'NPROCS or torchrun --nproc_per_node=NPROCS tools/train.py ... '
            '--launcher pytorch.')
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


@contextlib.contextmanager
def distributed_run() -> Iterator[None]:
    """Destroy the process group when the ``with`` block ends.

    A process group left to the interpreter's exit is torn down while its
    threads may still run: a torchrun rank then sometimes aborts after its
    work is done ("terminate called without an active exception", exit
    code -6) and the launcher reports the run failed. PyTorch asks for
    ``destroy_process_group()`` before exit; the tools wrap their runner
    in this.
    """
    try:
        yield
    finally:
        if torch_dist.is_available() and torch_dist.is_initialized():
            torch_dist.destroy_process_group()
