"""A GPU check of the full model, ready to run (at most ~5 minutes on one
GPU): inference clips/s at batch 32 in bf16, the bf16 train step uncached
and cached, peak GPU memory, and the GPU's logits against the CPU's in
float32 (random tower weights, synthetic clips; exit 1 when the agreement
is outside its tolerance). Logic: umbe.analysis.gpu_check.

    python tools/analysis/gpu_check.py                # CUDA if available
    python tools/analysis/gpu_check.py --json gpu.json
    python tools/analysis/gpu_check.py configs/umbenet/umbenet_demo.py \
        --device cpu --infer-batch 4 --train-batch 2    # a CPU dry run
"""
import argparse
import sys

from mmengine.config import DictAction

import umbe  # noqa: F401  (before mmaction.models)
from umbe.analysis import gpu_check, gpu_check_report
from umbe.atomic_io import atomic_write_json
from umbe.utils import register_all_modules
from umbe.utils.config_utils import load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?',
                        default='configs/umbenet/umbenet_mafw.py')
    parser.add_argument('--device', choices=['cuda', 'cpu'], default=None)
    parser.add_argument('--infer-batch', type=int, default=32)
    parser.add_argument('--train-batch', type=int, default=8)
    parser.add_argument('--compare-clips', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--json', default=None, help='write the numbers')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    res = gpu_check(cfg, args.device, args.infer_batch, args.train_batch,
                    args.compare_clips, args.steps, args.warmup,
                    log=lambda msg: print(msg, flush=True))
    res['config'] = args.config
    print(gpu_check_report(res))
    if args.json:
        atomic_write_json(res, args.json, indent=2)
    return 0 if res['agreement_ok'] else 1


if __name__ == '__main__':
    sys.exit(main())
