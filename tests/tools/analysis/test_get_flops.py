"""tools/analysis/get_flops.py as a user runs it: its numbers are those
of umbe.analysis.complexity for the config's clip shapes."""
import os.path as osp

import torch
from mmengine.config import Config

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import (count_parameters, flops_per_clip,
                           source_dataset_cfg, synthetic_batch)
from umbe.registry import MODELS
from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py')


def test_parameters_and_flops_printed(tool_main, capsys):
    tool_main('tools/analysis/get_flops.py')([CONFIG])
    printed = capsys.readouterr().out
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    model = MODELS.build(cfg.model)
    params = count_parameters(model)
    assert (f'params: trainable {params.trainable / 1e6:8.2f} M, frozen '
            f'{params.frozen / 1e6:8.2f} M') in printed
    assert 'vision_encoder   trainable     0.00 M' in printed
    assert 'one clip: T=8 frames of 32x32 (face)' in printed
    torch.manual_seed(0)
    flops = flops_per_clip(model, synthetic_batch(source_dataset_cfg(cfg), 1,
                                                  7))
    total = (flops['frozen'] + flops['trainable']) / 1e9
    assert (f'GFLOPs per clip (2 per multiply-add): total {total:.3f} '
            f'(frozen towers {flops["frozen"] / 1e9:.3f}') in printed


def test_clip_shape_options(tool_main, capsys):
    tool_main('tools/analysis/get_flops.py')(
        [CONFIG, '--frames', '4', '--audio-samples', '8000'])
    printed = capsys.readouterr().out
    assert 'one clip: T=4 frames' in printed and 'S=8000 audio' in printed
