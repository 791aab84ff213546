"""Atomic, idempotent writes of the prepared files."""
import json
import os
import os.path as osp
import tempfile


def atomic_write_text(text: str, path: str) -> bool:
    """Write ``text`` to ``path`` atomically, only when it changes the file.

    The text goes to a temporary file in the same folder, which then
    replaces ``path`` with ``os.replace``: an interrupted run leaves either
    the old file or the new one, never half of one. An unchanged file keeps
    its modification time.

    Args:
        text (str): The content.
        path (str): The destination.

    Returns:
        bool: Whether the file was (re)written.
    """
    if osp.isfile(path):
        with open(path, encoding='utf-8') as f:
            if f.read() == text:
                return False
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    return True


def atomic_write_json(obj, path: str) -> bool:
    """Dump ``obj`` as indented JSON with :func:`atomic_write_text`.

    Args:
        obj: A JSON-serialisable object.
        path (str): The destination.

    Returns:
        bool: Whether the file was (re)written.
    """
    text = json.dumps(obj, indent=1, ensure_ascii=False) + '\n'
    return atomic_write_text(text, path)


def rel_or_abs(path: str, out_dir: str) -> str:
    """Express ``path`` relative to ``out_dir`` when it lies under it.

    Paths outside ``out_dir`` (the release itself, usually) stay absolute;
    the dataset joins both kinds to its ``data_root`` with ``os.path.join``.

    Args:
        path (str): A file or folder.
        out_dir (str): The preparation output folder (the ``data_root``).

    Returns:
        str: The relative or absolute path, with forward slashes.
    """
    path = osp.abspath(path)
    out_dir = osp.abspath(out_dir)
    if osp.commonpath([path, out_dir]) == out_dir:
        path = osp.relpath(path, out_dir)
    return path.replace(os.sep, '/')
