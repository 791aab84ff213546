"""Atomic writes: a file is either its old self or complete, never half.

Everything umbe writes for later use (checkpoints, the feature cache's
manifest and clip list, result JSON and markdown, figures, prepared
annotation files) goes through :func:`atomic_write`: the content is written
to a temporary file in the destination's folder, flushed to disk, and
renamed over the destination with ``os.replace``. A kill leaves at most a
``.*.tmp`` file behind; a full disk raises :class:`AtomicWriteError` (one
line naming the file) and removes the partial temporary file.
"""
import contextlib
import errno
import json
import os
import os.path as osp
import tempfile
from typing import IO, Iterator, Optional


class AtomicWriteError(OSError):
    """Writing a file failed (e.g. a full disk); nothing partial was left."""


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'w', encoding: str = 'utf-8',
                 newline: Optional[str] = None) -> Iterator[IO]:
    """Open a temporary file that replaces ``path`` when the block ends.

    Args:
        path (str): The destination.
        mode (str): ``'w'`` (text) or ``'wb'`` (bytes). Defaults to 'w'.
        encoding (str): Text encoding. Defaults to 'utf-8'.
        newline (str, optional): As ``open``'s (``''`` for ``csv``).
            Defaults to None.

    Yields:
        file: The temporary file, to write to.

    Raises:
        AtomicWriteError: If writing fails; the destination is untouched.
    """
    if mode not in ('w', 'wb'):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.',
                               suffix='.tmp', dir=folder)
    try:
        text = {} if 'b' in mode else dict(encoding=encoding,
                                           newline=newline)
        with os.fdopen(fd, mode, **text) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600): give it the permissions a
        # plain open() would, 0666 minus the umask
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as err:
        _remove(tmp)
        if isinstance(err, AtomicWriteError):
            raise
        hint = ('; the disk is full: free space and run again'
                if err.errno == errno.ENOSPC else '')
        failure = AtomicWriteError(
            f'{path}: cannot write it ({err.strerror or err}){hint}; the '
            'previous version, if any, is kept')
        failure.errno = err.errno
        raise failure from None
    except BaseException:
        _remove(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def atomic_write_text(text: str, path: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_write(path) as f:
        f.write(text)


def atomic_write_json(obj, path: str, **kwargs) -> None:
    """Dump ``obj`` as JSON to ``path`` atomically (``json.dump`` kwargs)."""
    with atomic_write(path) as f:
        json.dump(obj, f, **kwargs)


def atomic_savefig(fig, path: str, **kwargs) -> None:
    """Save a matplotlib figure to ``path`` atomically (``savefig``
    kwargs; the format is taken from the file name)."""
    kwargs.setdefault('format', osp.splitext(path)[1].lstrip('.') or 'png')
    with atomic_write(path, 'wb') as f:
        fig.savefig(f, **kwargs)
