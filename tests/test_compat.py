"""The environment workarounds of umbe/compat.py."""
import sys

import pytest

import umbe  # noqa: F401  (applies the workarounds)
from umbe import compat


def test_mmaction_models_import_and_drn_stub():
    import mmaction.models  # noqa: F401  (fails without the stub)
    from mmaction.models.localizers import DRN
    package = sys.modules['mmaction.models.localizers.drn']
    if getattr(package, '__file__', None) is None:  # the stub is in use
        with pytest.raises(ImportError, match='2714'):
            DRN()
    compat.stub_missing_mmaction_drn()  # idempotent
    assert sys.modules['mmaction.models.localizers.drn'] is package
