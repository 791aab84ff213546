"""tools/train.py's command line, run in process as a user's script: bad
options end with the message, before anything trains. The config edits are
tested in tests/utils/test_config_utils.py, training in test_train_test.py.
"""
import os.path as osp

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')


@pytest.fixture
def train(tool_exit):
    return lambda *argv: tool_exit('tools/train.py', *argv)


def test_bad_options_end_with_their_message(train, tmp_path, monkeypatch):
    assert train(CONFIG, '--amp-dtype', 'bfloat16') == (
        'tools/train.py: error: --amp-dtype goes with --amp')
    message = train(CONFIG, '--resume', str(tmp_path / 'nope.pth'))
    assert message.startswith('tools/train.py: error: --resume checkpoint')
    assert 'nope.pth not found' in message
    message = train(str(tmp_path / 'missing_cfg.py'))
    assert 'missing_cfg.py not found' in message
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    message = train(CONFIG, '--amp', '--amp-dtype', 'float16')
    assert message == ('tools/train.py: error: --amp-dtype float16 needs '
                       'CUDA; on CPU autocast runs in bfloat16 (leave '
                       '--amp-dtype out or pass bfloat16).')


def test_wrong_cfg_key_errors_clearly(train):
    message = train(CONFIG, '--cfg-options', 'train_cfg.max_epoch=3')
    assert message.startswith('tools/train.py: error: ')
    assert 'train_cfg.max_epoch' in message
    assert "Did you mean ['max_epochs']" in message


def test_amp_on_a_cpu_without_native_bf16_warns_and_stays_float32(
        train, tmp_path, monkeypatch, capsys):
    from umbe.utils import config_utils
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(config_utils, 'cpu_native_bf16', lambda: False)
    # a missing --resume file stops the tool after the AMP decision
    message = train(CONFIG, '--amp', '--resume', str(tmp_path / 'no.pth'))
    assert 'no.pth not found' in message
    assert capsys.readouterr().err.splitlines() == [
        'tools/train.py: warning: --amp: this CPU has no native bfloat16 (no '
        'avx512_bf16 / amx_bf16 flag), where bf16 autocast is slower than '
        'float32; training in float32']
