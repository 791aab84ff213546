"""tools/analysis/inference_int8.py: agreement and speed plumbing (demo)."""
import json
import os.path as osp

import pytest

ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
CONFIG = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')


@pytest.fixture
def tool(tool_module):
    return tool_module('tools/analysis/inference_int8.py')


def test_agreement_on_a_split_and_synthetic_clips(tool, demo_checkpoint,
                                                  tiny_demo_root, tmp_path):
    out = tmp_path / 'int8.json'
    assert tool.main([
        CONFIG, '--checkpoint', demo_checkpoint, '--split', 'test',
        '--data-root', tiny_demo_root, '--synthetic', '2', '--json',
        str(out)
    ]) == 0
    res = json.loads(out.read_text())
    split, synthetic = res['agreement_test'], res['agreement_synthetic']
    assert split['clips'] == 7 and synthetic['clips'] == 2
    for agree in (split, synthetic):
        # a random-weight tiny model (logit scale 100) is touchy: a clip
        # may flip; the trained demo agrees on all 70 (docs/benchmark.md)
        assert agree['top1_agreement'] >= 0.5
        assert 0 < agree['mean_abs_diff'] < 0.1  # int8: close, not equal
        assert agree['max_abs_diff'] >= agree['mean_abs_diff']
        # a clip flips only where fp32's lead is within the two classes'
        # changes
        margins = agree['flipped_fp32_margins']
        assert len(margins) == round(
            (1 - agree['top1_agreement']) * agree['clips'])
        assert all(0 <= m <= 2 * agree['max_abs_diff'] for m in margins)


def test_speed_without_the_public_code(tool, tmp_path):
    out = tmp_path / 'speed.json'
    assert tool.main([CONFIG, '--speed', '--reps', '1', '--json',
                      str(out)]) == 0
    speed = json.loads(out.read_text())['speed']
    assert set(speed['per_clip_s']) == {'umbe fp32', 'umbe fp32 oneDNN',
                                        'umbe int8'}
    assert speed['int8_speedup_over_fp32'] > 0
    assert 'public_over_umbe_int8' not in speed
    with pytest.raises(SystemExit):
        tool.main([CONFIG])
