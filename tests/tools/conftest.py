"""Tools run as a user runs them: ``tool_main('tools/x.py')(argv)``."""
import importlib.util
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='session')
def tool_main():
    """``tool_main(path)``: the ``main(argv)`` of the tool script at
    ``path`` (relative to the repository), loaded from its file the way
    ``python path`` runs it, not imported as a package module."""

    def load(path):
        name = 'tool_' + osp.splitext(path)[0].replace('/', '_')
        spec = importlib.util.spec_from_file_location(
            name, osp.join(REPO, path))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main

    return load


@pytest.fixture
def tool_exit(tool_main, monkeypatch):
    """``tool_exit(path, *argv)``: run a tool that must stop before its
    work (``SystemExit``) and return its message."""
    monkeypatch.setenv('LOCAL_RANK', '0')  # train.py and test.py set it

    def run(path, *argv):
        with pytest.raises(SystemExit) as err:
            tool_main(path)(list(argv))
        return str(err.value)

    return run
