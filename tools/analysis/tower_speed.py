"""umbe's tower code against the alternatives, in one run: the image tower
(umbe's SDPA attention, open_clip's MHA fast path, OpenAI's implementation
when the ``clip`` package is installed) and the head's class texts (shared
prefix vs B×C full sequences, forward + backward). Random weights; the
variants alternate; prints seconds, ratios (variant / umbe: > 1 means umbe
is faster) and the max |Δ| of the outputs. Logic: umbe.analysis.tower_speed.

    python tools/analysis/tower_speed.py --frames 4 --steps 3 [--amp]
    python tools/analysis/tower_speed.py --skip-vision \
        --head-config configs/umbenet/official/umbenet_mafw_vat_official.py
"""
import argparse
import sys

import torch
from mmengine.config import Config

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import (class_text_speed, set_random_towers,
                           vision_tower_speed)
from umbe.atomic_io import atomic_write_json
from umbe.registry import MODELS
from umbe.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model-name', default='ViT-L-14-quickgelu',
                        help='open_clip name of the image tower')
    parser.add_argument('--frames', type=int, default=4,
                        help='frames per image-tower call')
    parser.add_argument('--head-config',
                        default='configs/umbenet/umbenet_mafw.py',
                        help='config whose model.head is timed')
    parser.add_argument('--batch-size', type=int, default=2,
                        help='fused embeddings per head step')
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--amp', action='store_true',
                        help='also the bf16 variants (what --amp runs)')
    parser.add_argument('--skip-vision', action='store_true')
    parser.add_argument('--skip-head', action='store_true')
    parser.add_argument('--json', default=None, help='write the numbers')
    return parser.parse_args(argv)


def _print(title: str, res: dict, unit: str) -> None:
    print(f'{title} ({res["threads"]} threads)')
    for name, sec in res[f's_per_{unit}'].items():
        print(f'  {name:20s} {sec:9.4f} s/{unit}  cpu '
              f'{res[f"cpu_s_per_{unit}"][name]:9.4f}  over umbe '
              f'{res["over_umbe"][name]:6.3f}  max|d| '
              f'{res["max_abs_diff"][name]:.2e}')


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    register_all_modules()
    results = {}
    if not args.skip_vision:
        results['vision_tower'] = vision_tower_speed(
            args.frames, args.steps, args.warmup, args.model_name,
            amp=args.amp)
        _print(f'image tower {args.model_name}, {args.frames} frames, no '
               'grad', results['vision_tower'], 'frame')
    if not args.skip_head:
        cfg = Config.fromfile(args.head_config)
        set_random_towers(cfg)
        head = MODELS.build(dict(cfg.model.head, classes=cfg.model.classes))
        results['class_texts'] = class_text_speed(
            head, args.batch_size, args.steps, args.warmup, amp=args.amp)
        _print(f'head class texts {args.head_config}, batch '
               f'{args.batch_size}, forward + backward',
               results['class_texts'], 'step')
        print(f'  text-tower tokens: {results["class_texts"]["tokens"]}')
    if args.json:
        atomic_write_json(results, args.json, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
