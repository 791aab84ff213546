"""Faults a tool reports in one line (file, problem, fix), not a traceback.

Every error class below carries a message written for the user; the tools
run their work inside :func:`exit_on_user_error`, which prints it after the
tool's name and exits with status 1.
"""
import contextlib
import sys
from typing import Iterator

from umbe.atomic_io import AtomicWriteError
from umbe.datasets import BadClipError, BadRecordError
from umbe.datasets.feature_cache import StaleCacheError
from umbe.models.utils import TowerWeightsError
from umbe.safe_loading import CheckpointError

#: umbe's user-facing errors (their messages name the file and the fix)
USER_ERRORS = (CheckpointError, AtomicWriteError, StaleCacheError,
               BadRecordError, BadClipError, TowerWeightsError)


@contextlib.contextmanager
def exit_on_user_error(tool: str) -> Iterator[None]:
    """Turn :data:`USER_ERRORS` raised in the block into one line + exit 1.

    Args:
        tool (str): The tool's name for the message, e.g.
            ``'tools/train.py'``.
    """
    try:
        yield
    except USER_ERRORS as err:
        print(f'{tool}: error: {err}', file=sys.stderr)
        raise SystemExit(1) from None
