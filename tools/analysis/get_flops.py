"""Parameters (trainable / frozen) and GFLOPs per clip of a umbe config.

FLOPs come from fvcore's tracer (one fused multiply-add counts as one flop,
fvcore's convention), for one clip with every modality present, split into
the frozen CLIP towers and the rest. Weights are random unless the config
names local files.

Example::

    python tools/analysis/get_flops.py configs/umbenet/umbenet_demo.py
"""
import argparse

import torch
import torch.nn as nn
from fvcore.nn import FlopCountAnalysis
from mmengine.config import Config, DictAction

from umbe.registry import MODELS
from umbe.structures import MODALITIES
from umbe.utils import register_all_modules


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--frames', type=int, help='T (default: clip_len '
                        'of the config, else the temporal max_frames)')
    parser.add_argument('--audio-samples', type=int,
                        help='S (default: audio_rate x audio_duration of '
                        'the config, else 22050 x 5)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys, xxx=yyy')
    return parser.parse_args()


class _Forward(nn.Module):
    """Tensor-only wrapper so that fvcore can trace the dict inputs."""

    def __init__(self, model, part):
        super().__init__()
        self.model, self.part = model, part

    def forward(self, face, scene, audio, caption, frame_mask, present):
        inputs = dict(face=face, scene=scene, audio=audio, caption=caption,
                      frame_mask=frame_mask,
                      present={m: present[:, i]
                               for i, m in enumerate(MODALITIES)})
        if self.part == 'frozen':
            return tuple(self.model.extract_frozen_features(inputs).values())
        return self.model(inputs, mode='tensor')


def count_params(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters()
                 if not p.requires_grad)
    return trainable, frozen


def main():
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.model.get('classes') is None:
        cfg.model.classes = cfg.get('classes') or [f'class {i}'
                                                   for i in range(7)]
    model = MODELS.build(cfg.model).eval()
    trainable, frozen = count_params(model)
    print(f'params: trainable {trainable / 1e6:.2f} M, frozen '
          f'{frozen / 1e6:.2f} M, total {(trainable + frozen) / 1e6:.2f} M')
    for name, child in model.named_children():
        t, f = count_params(child)
        if t + f:
            print(f'  {name:<16} trainable {t / 1e6:8.2f} M  frozen '
                  f'{f / 1e6:8.2f} M')

    T = args.frames or cfg.get('clip_len') or model.temporal.max_frames
    S = args.audio_samples or int(
        cfg.get('audio_rate', 22050) * cfg.get('audio_duration', 5.0))
    H = model.vision_encoder.image_size
    Lc = model.caption_encoder.text_encoder.context_length
    caption = torch.zeros(1, Lc, dtype=torch.long)
    caption[0, :3] = torch.tensor([49406, 320, 49407])  # [SOS] a [EOS]
    inputs = (torch.randn(1, T, 3, H, H), torch.randn(1, T, 3, H, H),
              torch.randn(1, S), caption, torch.ones(1, T, dtype=torch.bool),
              torch.ones(1, len(MODALITIES), dtype=torch.bool))
    print(f'one clip: T={T} frames of {H}x{H} (face and scene), S={S} '
          f'audio samples, caption of {Lc} tokens, '
          f'{len(model.classes)} classes')
    with torch.no_grad():
        flops = {}
        for part in ('frozen', 'total'):
            counter = FlopCountAnalysis(_Forward(model, part), inputs)
            counter.unsupported_ops_warnings(False)
            counter.uncalled_modules_warnings(False)
            flops[part] = counter.total() / 1e9
    print(f'GFLOPs per clip: total {flops["total"]:.2f} (frozen towers '
          f'{flops["frozen"]:.2f}, the rest incl. the Dual-Stream head\'s '
          f'text tower {flops["total"] - flops["frozen"]:.2f})')


if __name__ == '__main__':
    main()
