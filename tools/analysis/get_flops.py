"""Parameters (trainable / frozen) and GFLOPs per clip of a umbe config.

FLOPs are counted with umbe's one convention (:mod:`umbe.analysis.complexity`:
torch's counter, 2 FLOPs per multiply-add, attention included) for one
synthetic clip with the shapes of the config's train pipeline and every
modality present, split into the frozen towers and the rest. Weights are
random unless the config names local files.

Example::

    python tools/analysis/get_flops.py configs/umbenet/umbenet_demo.py
"""
import argparse
import dataclasses

import torch
from mmengine.config import Config, DictAction

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import (FLOPS_PER_MULTIPLY_ADD, count_parameters,
                           flops_per_clip, parameters_per_child,
                           source_dataset_cfg, synthetic_clips)
from umbe.datasets import pipeline_settings
from umbe.registry import MODELS
from umbe.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--frames', type=int,
                        help='T (default: the train pipeline\'s clip_len)')
    parser.add_argument('--audio-samples', type=int,
                        help='S (default: the train pipeline\'s audio rate x '
                        'duration)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args(argv)


def millions(n):
    return f'{n / 1e6:8.2f} M'


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    total = count_parameters(model)
    print(f'params: trainable {millions(total.trainable)}, frozen '
          f'{millions(total.frozen)}, total {millions(total.total)}')
    for name, count in parameters_per_child(model).items():
        print(f'  {name:<16} trainable {millions(count.trainable)}  frozen '
              f'{millions(count.frozen)}')

    settings = pipeline_settings(source_dataset_cfg(cfg)['pipeline'])
    if args.frames:
        settings = dataclasses.replace(settings, clip_len=args.frames)
    if args.audio_samples:
        settings = dataclasses.replace(settings,
                                       audio_samples=args.audio_samples)
    clip = synthetic_clips(settings, 1, len(model.classes))
    caption = clip['inputs']['caption'][0]
    print(f'one clip: T={settings.clip_len} frames of {settings.face_size}'
          f'x{settings.face_size} (face) and {settings.scene_size}x'
          f'{settings.scene_size} (scene), S={settings.audio_samples} audio '
          f'samples, caption of {caption.numel()} tokens, '
          f'{len(model.classes)} classes')
    flops = {k: v / 1e9 for k, v in flops_per_clip(model, clip).items()}
    print(f'GFLOPs per clip ({FLOPS_PER_MULTIPLY_ADD} per multiply-add): '
          f'total {flops["frozen"] + flops["trainable"]:.3f} (frozen towers '
          f'{flops["frozen"]:.3f}, the rest incl. the Dual-Stream head\'s '
          f'text tower {flops["trainable"]:.3f})')


if __name__ == '__main__':
    main()
