"""Finding the checkpoint ``--resume`` continues from, robustly.

mmengine reads ``<work_dir>/last_checkpoint`` and trusts it. umbe's
``tools/train.py --resume`` uses :func:`find_resume_checkpoint` instead:
the named file is taken relative to the work dir (and, when the work dir
was copied, from the copy), and when it is missing, truncated or not a
checkpoint the newest complete checkpoint of the work dir is used, with a
warning naming both.
"""
import glob
import os.path as osp
import re
import zipfile
from typing import Callable, List, Optional

from umbe.engine.hooks.atomic_checkpoint_hook import LAST_CHECKPOINT

#: checkpoints that hold the optimizer and scheduler state, by preference
_FULL = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a non-empty torch zip archive whose members all
    read back (a truncated or half-written file is not)."""
    if not osp.isfile(path) or osp.getsize(path) == 0:
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def _named_checkpoint(work_dir: str) -> Optional[str]:
    """The path ``last_checkpoint`` names, resolved in this work dir."""
    record = osp.join(work_dir, LAST_CHECKPOINT)
    if not osp.isfile(record):
        return None
    with open(record, encoding='utf-8', errors='replace') as f:
        named = f.read().strip()
    if not named:
        return ''
    if not osp.isabs(named):
        return osp.join(work_dir, named)
    local = osp.join(work_dir, osp.basename(named))
    outside = osp.commonpath([osp.abspath(named),
                              osp.abspath(work_dir)]) != osp.abspath(work_dir)
    if outside and osp.isfile(local):
        return local  # a copied work dir: its own file, not the original's
    return named


def candidate_checkpoints(work_dir: str) -> List[str]:
    """The work dir's checkpoints, newest first: full ones (epoch_N /
    iter_N, by N) before ``best_*`` (which lack the optimizer state)."""
    full, best = [], []
    for path in glob.glob(osp.join(work_dir, '*.pth')):
        match = _FULL.match(osp.basename(path))
        if match:
            full.append((int(match.group(2)), path))
        elif osp.basename(path).startswith('best_'):
            best.append((osp.getmtime(path), path))
    return [p for _, p in sorted(full, reverse=True)] + [
        p for _, p in sorted(best, reverse=True)
    ]


def find_resume_checkpoint(
        work_dir: str,
        warn: Callable[[str], None] = print) -> Optional[str]:
    """The checkpoint to resume from, or None to start afresh.

    Args:
        work_dir (str): The run's work dir.
        warn (Callable): Called with a message when the file
            ``last_checkpoint`` names cannot be used. Defaults to print.

    Returns:
        str | None: A complete checkpoint file, or None when the work dir
        holds none.
    """
    named = _named_checkpoint(work_dir)
    if named and is_complete_checkpoint(named):
        return named
    for path in candidate_checkpoints(work_dir):
        if is_complete_checkpoint(path):
            if named is not None:
                what = ('is empty' if named == '' else
                        f'names {named}, which is missing' if
                        not osp.isfile(named) else
                        f'names {named}, which is truncated or damaged')
                extra = ('' if _FULL.match(osp.basename(path)) else
                         ' (a best checkpoint: no optimizer state, the '
                         'optimizer starts afresh)')
                warn(f'{osp.join(work_dir, LAST_CHECKPOINT)} {what}; '
                     f'resuming from {path}, the newest complete checkpoint '
                     f'of the work dir{extra}')
            return path
    if named:
        warn(f'{osp.join(work_dir, LAST_CHECKPOINT)} names {named}, which is '
             'missing or damaged, and the work dir holds no other complete '
             'checkpoint: training starts afresh')
    return None
