"""Checkpoints that a kill or a full disk cannot leave unresumable."""
import os.path as osp
from typing import List

from mmengine.dist import is_main_process
from mmengine.fileio.backends import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook

from umbe.atomic_io import atomic_write, atomic_write_text
from umbe.registry import HOOKS

#: the mmengine file backend the hook writes checkpoints with
ATOMIC_BACKEND = 'umbe_atomic_local'
#: the file, in the work dir, that names the newest checkpoint
LAST_CHECKPOINT = 'last_checkpoint'


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic ``put`` (temporary file,
    fsync, rename; see :mod:`umbe.atomic_io`)."""

    def put(self, obj: bytes, filepath) -> None:
        """Write bytes to ``filepath`` atomically."""
        with atomic_write(str(filepath), 'wb') as f:
            f.write(obj)


register_backend(ATOMIC_BACKEND, AtomicLocalBackend, force=True)


class _DeferredRemovals:
    """A file backend whose ``remove`` / ``rmtree`` are recorded, not run:
    the previous checkpoint stays until the new one is complete."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.pending: List[str] = []

    def remove(self, path) -> None:
        self.pending.append(str(path))

    def rmtree(self, path) -> None:
        self.pending.append(str(path))

    def __getattr__(self, name):
        return getattr(self._backend, name)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` in an order that survives a kill.

    Every checkpoint is written to a temporary file and renamed (a full disk
    raises one line and leaves no truncated file); ``last_checkpoint`` is
    then rewritten atomically, relative to the work dir (a copied work dir
    resumes from its own files); only after both does the hook remove the
    checkpoints that ``max_keep_ckpts`` or a new best one replace. A kill at
    any moment leaves ``last_checkpoint`` naming a complete checkpoint.

    Args: as :class:`mmengine.hooks.CheckpointHook` (``backend_args``
    defaults to the atomic local backend).
    """

    def __init__(self, *args, **kwargs) -> None:
        if kwargs.get('backend_args') is None and kwargs.get(
                'file_client_args') is None:
            kwargs['backend_args'] = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, **kwargs)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        self._with_deferred_removals(
            runner, super()._save_checkpoint_with_step, runner, step, meta)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        self._with_deferred_removals(
            runner, super()._save_best_checkpoint, runner, metrics)

    def _with_deferred_removals(self, runner, save, *args) -> None:
        backend = self.file_backend
        deferred = _DeferredRemovals(backend)
        self.file_backend = deferred
        try:
            save(*args)
        finally:
            self.file_backend = backend
        if not is_main_process():
            return
        last = getattr(self, 'last_ckpt', None)
        if last is not None and osp.isfile(last):
            atomic_write_text(osp.relpath(last, runner.work_dir),
                              osp.join(runner.work_dir, LAST_CHECKPOINT))
        keep = {osp.abspath(p) for p in (last, getattr(
            self, 'best_ckpt_path', None)) if p}
        keep |= {osp.abspath(p) for p in
                 getattr(self, 'best_ckpt_path_dict', {}).values() if p}
        for path in deferred.pending:
            if osp.abspath(path) in keep:
                continue
            if backend.isfile(path):
                backend.remove(path)
            elif backend.isdir(path):
                backend.rmtree(path)
