"""Train a umbe model: ``python tools/train.py CONFIG [options]``."""
import argparse
import sys

from mmengine.runner import Runner

from umbe.models.utils import check_tower_weights
from umbe.utils import (check_annotation_files, distributed_run,
                        exit_on_user_error, register_all_modules,
                        setup_cpu_threads, setup_distributed)
from umbe.utils.config_utils import (add_runner_arguments,
                                     apply_checkpoint_trust, enable_amp,
                                     enable_auto_scale_lr, export_local_rank,
                                     load_config, set_resume, set_work_dir)


def parse_args(argv=None):
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
        help='mixed precision where it pays: bfloat16 (float16 on GPUs '
        'without bf16) with the frozen towers stored in bf16; on a CPU '
        'without native bf16 (avx512_bf16/amx) a warning and float32')
    parser.add_argument(
        '--amp-dtype',
        choices=['float16', 'bfloat16'],
        default=None,
        help='the --amp dtype: float16 (CUDA, with dynamic loss scaling) or '
        'bfloat16 (CUDA or CPU); default bfloat16 (float16 on GPUs '
        'without it)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the total batch size over '
        'auto_scale_lr.base_batch_size')
    add_runner_arguments(parser)
    args = parser.parse_args(argv)
    export_local_rank(args)
    return args


def merge_args(cfg, args):
    """Write the command-line choices into the config."""
    set_work_dir(cfg, args.work_dir, args.config)
    if args.amp:
        enable_amp(cfg, args.amp_dtype,
                   lambda msg: print(f'tools/train.py: warning: {msg}',
                                     file=sys.stderr))
    elif args.amp_dtype:
        raise ValueError('--amp-dtype goes with --amp')
    set_resume(cfg, args.resume)
    if args.auto_scale_lr:
        enable_auto_scale_lr(cfg, args.config)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    try:
        apply_checkpoint_trust(args)
        cfg = merge_args(load_config(args.config, args.cfg_options), args)
        check_tower_weights(cfg.model)  # before the runner's logs
        check_annotation_files(cfg, ('train', 'val'))
        setup_distributed(cfg, args.launcher)
        setup_cpu_threads(cfg, args.cpu_threads)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as e:
        # a bad command line or config: the message, not a traceback
        raise SystemExit(f'tools/train.py: error: {e.args[0]}')
    with distributed_run(), exit_on_user_error('tools/train.py'):
        runner = Runner.from_cfg(cfg)
        runner.train()


if __name__ == '__main__':
    main()
