"""Where the time goes: loader, train step (uncached / cached), inference.

Medians over ``--steps`` steps after ``--warmup`` warm-up steps, in one run:
data-loader clips/s, train step s/step with and without the frozen-feature
cache (preprocess / forward / backward / optimizer split), inference
clips/s, peak memory, parameters and GFLOPs per clip (2 per multiply-add).
The logic is :mod:`umbe.analysis.step_benchmark`; the JSON keys are in
docs/benchmark.md.

    python tools/analysis/benchmark.py configs/umbenet/umbenet_demo.py \
        --batch-size 8 --steps 5 --json bench.json
    python tools/analysis/benchmark.py configs/umbenet/umbenet_dfew.py \
        --pretrained none --batch-size 1 --steps 2
"""
import argparse
import json
import sys

from mmengine.config import DictAction

import umbe  # noqa: F401  (before mmaction.models)
# set_random_towers, source_dataset_cfg, synthetic_batch, train_step_times
# and inference_times stay importable from this file for scripts that load
# it by path (they are umbe.analysis functions)
from umbe.analysis import (benchmark_steps, inference_times,  # noqa: F401
                           set_random_towers, source_dataset_cfg,
                           step_benchmark_table, synthetic_batch,
                           train_step_times)
from umbe.utils import register_all_modules
from umbe.utils.config_utils import load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3,
                        help='timed steps per measurement (median)')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--pretrained', choices=['none', 'config'],
                        default='config',
                        help='none: random tower weights (no files needed)')
    parser.add_argument('--cached', action='store_true',
                        help='also time the cached train dataset loader')
    parser.add_argument('--amp', action='store_true',
                        help='the train steps as tools/train.py --amp runs '
                        'them (bf16 where the device has it natively)')
    parser.add_argument('--num-workers', type=int, default=None,
                        help='loader workers (default: the config\'s)')
    parser.add_argument('--json', default=None, help='write the numbers')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    if args.pretrained == 'none':
        set_random_towers(cfg)
    try:
        results = benchmark_steps(
            cfg, args.config, args.batch_size, args.steps, args.warmup,
            args.cached, args.amp, args.num_workers)
    except ValueError as err:
        raise SystemExit(f'benchmark.py: error: {err}')
    print(step_benchmark_table(results))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
