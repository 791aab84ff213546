"""Tools run as a user runs them: ``tool_main('tools/x.py')(argv)``."""
import pytest


@pytest.fixture(scope='session')
def tool_main(tool_module):
    """``tool_main(path)``: the ``main(argv)`` of the tool script at
    ``path`` (relative to the repository), loaded as ``python path`` runs
    it (``tool_module``)."""
    return lambda path: tool_module(path).main


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
