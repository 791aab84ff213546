import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
# the fake release builders live with the package tests
sys.path.insert(0, osp.join(REPO, 'tests', 'datasets', 'preparation'))


@pytest.fixture(scope='session')
def prepare_tool(tool_main):
    """``prepare_tool(name)``: the ``main(argv)`` of
    ``tools/data/<name>/prepare.py``."""
    return lambda name: tool_main(f'tools/data/{name}/prepare.py')
