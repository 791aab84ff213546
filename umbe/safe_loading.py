"""Loading checkpoint files without running code from them.

``torch.load(weights_only=True)`` unpickles only tensors, containers and an
allowlist of globals. umbe loads every file a user passes (``tools/test.py``,
``--resume`` / ``load_from``, ``tools/infer.py``, the feature cache's
``--checkpoint``) through :func:`load_checkpoint_file`, and mmengine's local
checkpoint loader is replaced by it on ``import umbe``
(:func:`umbe.compat.apply_all`).

The allowlist is exactly what mmengine and umbe checkpoints hold beyond
tensors and containers: the message hub's ``HistoryBuffer`` (its statistics
methods pickle as ``getattr(HistoryBuffer, 'mean')``, so ``getattr`` is
allowed on that class and those names only, never in general) and the numpy
arrays, scalars and dtypes inside it. A file that needs any other global is
refused with a message naming it; :func:`allow_checkpoint_globals` (``--
allow-checkpoint-global`` in the tools) adds a named global on purpose, for
files you made yourself.
"""
import importlib
import os.path as osp
import re
import zipfile
from typing import Callable, Iterable, List, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

#: names HistoryBuffer's pickled ``statistics_methods`` look up with getattr
#: (its built-in statistics; methods registered with
#: ``HistoryBuffer.register_statistics`` are allowed too)
_HISTORY_METHODS = ('min', 'max', 'current', 'mean')


class CheckpointError(RuntimeError):
    """A checkpoint file that cannot be used; the message is one line that
    names the file, the problem and the fix."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint whose unpickling would call a global not allowed."""


def _history_buffer_getattr(obj, name: str):
    """``getattr`` restricted to the statistics methods of HistoryBuffer."""
    if obj is HistoryBuffer and (name in _HISTORY_METHODS or
                                 name in HistoryBuffer._statistics_methods):
        return getattr(obj, name)
    raise UnsafeCheckpointError(
        f'refused getattr({obj!r}, {name!r}) while unpickling: only the '
        'statistics methods of HistoryBuffer may be looked up')


def _numpy_globals() -> List[Callable]:
    multiarray = np.core.multiarray
    found = [np.ndarray, np.dtype, multiarray.scalar, multiarray._reconstruct]
    # numpy >= 1.25 pickles dtypes as instances of numpy.dtypes.*DType
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        found += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType')
        ]
    return found


_ALLOWED: List[Union[Callable, tuple]] = [
    HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr')
] + _numpy_globals()


def allowed_globals() -> List[Union[Callable, tuple]]:
    """The globals :func:`load_checkpoint_file` allows (a copy)."""
    return list(_ALLOWED)


def allow_checkpoint_globals(names: Iterable[str]) -> None:
    """Allow more globals, by dotted name (``'package.module.Class'``).

    Only for checkpoint files you made yourself: an allowed global is called
    while unpickling.

    Args:
        names (Iterable[str]): Dotted names of classes or functions.
    """
    for name in names:
        module, _, attr = name.rpartition('.')
        try:
            obj = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError, ValueError) as err:
            raise CheckpointError(
                f'--allow-checkpoint-global {name}: cannot import it ({err});'
                ' give the dotted name the refusal message printed') from err
        if (obj, name) not in _ALLOWED:  # under the name the file uses
            _ALLOWED.append((obj, name))


def _refused_global(err: Exception):
    """The global torch's weights-only unpickler refused, or None."""
    match = re.search(r'(?:Unsupported global: GLOBAL|GLOBAL) ([\w.]+)',
                      str(err))
    return match.group(1) if match else None


def _reason(text: str) -> str:
    """The informative line of a torch.load error (not its advice)."""
    detail = text.split('WeightsUnpickler error:', 1)
    lines = [ln.strip() for ln in detail[-1].splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(('Weights only load',
                                                      'Check the doc'))]
    return lines[0] if lines else ''


def load_checkpoint_file(filename: str, map_location=None):
    """``torch.load`` with ``weights_only=True`` and umbe's allowlist.

    Args:
        filename (str): A local checkpoint file.
        map_location: As ``torch.load``. Defaults to None.

    Returns:
        object: The unpickled checkpoint (usually a dict).

    Raises:
        FileNotFoundError: If the file does not exist.
        UnsafeCheckpointError: If unpickling needs a global not allowed.
        CheckpointError: If the file is empty, truncated or not a
            checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename}: no such checkpoint file; check '
                                'the path (checkpoints are in the --work-dir '
                                'of tools/train.py)')
    size = osp.getsize(filename)
    if size == 0:
        raise CheckpointError(
            f'{filename}: the file is empty (0 bytes), e.g. a save that was '
            'interrupted; use another checkpoint of the work dir')
    if zipfile.is_zipfile(filename):
        try:
            with zipfile.ZipFile(filename) as archive:
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError) as err:
            bad = str(err)
        if bad is not None:
            raise CheckpointError(
                f'{filename}: the archive is damaged ({bad}); the file is '
                'truncated or corrupt, use another checkpoint of the work '
                'dir')
    try:
        with torch.serialization.safe_globals(_ALLOWED):
            return torch.load(filename, map_location=map_location,
                              weights_only=True)
    except UnsafeCheckpointError as err:
        raise UnsafeCheckpointError(f'{filename}: {err}') from None
    except Exception as err:  # UnpicklingError, RuntimeError, EOFError ...
        text = str(err)
        name = _refused_global(err)
        if name is not None:
            raise UnsafeCheckpointError(
                f'{filename}: refused, unpickling it would call {name}, which '
                'no umbe or mmengine checkpoint needs; if you made this file '
                f'yourself, allow it with --allow-checkpoint-global {name}'
            ) from None
        reason = _reason(text) or type(err).__name__
        raise CheckpointError(
            f'{filename}: cannot read it as a checkpoint ({reason}); the file '
            'is truncated, corrupt or not a torch checkpoint') from None
