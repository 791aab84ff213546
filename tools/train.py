"""Train a umbe model: ``python tools/train.py CONFIG [options]``."""
import argparse
import os.path as osp

import torch
from mmengine.runner import Runner

from umbe.models.utils import TowerWeightsError, check_tower_weights
from umbe.utils import (register_all_modules, setup_cpu_threads,
                        setup_distributed)
from umbe.utils.config_utils import (add_runner_arguments, export_local_rank,
                                     load_config)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a umbe model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--work-dir',
        help='directory for logs and checkpoints; defaults to '
        './work_dirs/<config name>')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from CKPT, or without a value from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision (float16 on CUDA, bfloat16 on CPU)')
    parser.add_argument(
        '--amp-dtype',
        choices=['float16', 'bfloat16'],
        default=None,
        help='the --amp dtype: float16 (CUDA, with dynamic loss scaling) or '
        'bfloat16 (CUDA or CPU); default float16 on CUDA, bfloat16 on CPU')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the total batch size over '
        'auto_scale_lr.base_batch_size')
    add_runner_arguments(parser)
    args = parser.parse_args()
    export_local_rank(args)
    return args


def merge_args(cfg, args):
    """Write the command-line choices into the config."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp:
        optim_wrapper = cfg.optim_wrapper
        if optim_wrapper.get('type', 'OptimWrapper') not in (
                'OptimWrapper', 'AmpOptimWrapper', 'CPUAmpOptimWrapper'):
            raise ValueError(
                f'--amp needs an OptimWrapper, the config has '
                f'{optim_wrapper.type}; set its AMP options in the config.')
        cuda = torch.cuda.is_available()
        dtype = args.amp_dtype or ('float16' if cuda else 'bfloat16')
        if not cuda and dtype != 'bfloat16':
            raise ValueError(
                f'--amp-dtype {dtype} needs CUDA; on CPU autocast runs in '
                'bfloat16 (leave --amp-dtype out or pass bfloat16).')
        if cuda:
            optim_wrapper.type = 'AmpOptimWrapper'
            optim_wrapper.dtype = dtype
            if dtype == 'float16':  # bfloat16 has float32's range
                optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:
            optim_wrapper.type = 'CPUAmpOptimWrapper'
            optim_wrapper.dtype = 'bfloat16'
    elif args.amp_dtype:
        raise ValueError('--amp-dtype goes with --amp')

    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise FileNotFoundError(
                f'--resume checkpoint {args.resume} not found; omit the path '
                'to resume from the latest checkpoint of the work dir.')
        cfg.resume, cfg.load_from = True, args.resume

    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise KeyError(
                f'--auto-scale-lr needs auto_scale_lr.base_batch_size in '
                f'{args.config} (see configs/_base_/schedules/).')
        cfg.auto_scale_lr.enable = True
    return cfg


def main():
    args = parse_args()
    register_all_modules()
    try:
        cfg = merge_args(load_config(args.config, args.cfg_options), args)
        check_tower_weights(cfg.model)  # before the runner's logs
        setup_distributed(cfg, args.launcher)
        setup_cpu_threads(cfg, args.cpu_threads)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as e:
        # a bad command line or config: the message, not a traceback
        raise SystemExit(f'tools/train.py: error: {e.args[0]}')
    try:
        runner = Runner.from_cfg(cfg)
    except TowerWeightsError as e:  # random or unavailable CLIP weights
        raise SystemExit(f'tools/train.py: error: {e}')
    runner.train()


if __name__ == '__main__':
    main()
