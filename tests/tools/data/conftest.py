import importlib.util
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
# the fake release builders live with the package tests
sys.path.insert(0, osp.join(REPO, 'tests', 'datasets', 'preparation'))


@pytest.fixture(scope='session')
def prepare_tool():
    """``prepare_tool(name)``: the ``main(argv)`` of
    ``tools/data/<name>/prepare.py``, loaded as a user's script."""

    def load(name):
        path = osp.join(REPO, 'tools', 'data', name, 'prepare.py')
        spec = importlib.util.spec_from_file_location(f'prepare_{name}', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main

    return load
