"""tools/test.py's command line, run in process as a user's script: bad
options end with the message, before anything is tested. The config edits
are tested in tests/utils/test_config_utils.py, testing in
test_train_test.py."""
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')


@pytest.fixture
def run_test(tool_exit):
    return lambda *argv: tool_exit('tools/test.py', *argv)


def test_bad_options_end_with_their_message(run_test, tmp_path):
    message = run_test(CONFIG, str(tmp_path / 'missing.pth'))
    assert message.startswith('tools/test.py: error: checkpoint ')
    assert 'missing.pth not found; train first' in message
    ckpt = tmp_path / 'a.pth'
    ckpt.write_bytes(b'')
    assert run_test(CONFIG, str(ckpt), '--dump', 'p.txt') == (
        'tools/test.py: error: --dump p.txt: use a .pkl file name')
    message = run_test(CONFIG, str(ckpt), '--modalities', 'video,smell')
    assert message.startswith('tools/test.py: error: ')
    assert 'smell' in message
