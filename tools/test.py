"""Test a umbe checkpoint: ``python tools/test.py CONFIG CHECKPOINT``.

``--modalities video,audio`` keeps only those modalities (the others are
marked absent by the data preprocessor; ``video`` = face + scene);
``--modalities all-subsets`` evaluates every non-empty subset of the
modalities the config loads, in one run, and prints one table.
"""
import argparse

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.runner import Runner

from umbe.evaluation import evaluate_modality_subsets, subset_report
from umbe.models.utils import check_tower_weights
from umbe.utils import (check_annotation_files, distributed_run,
                        exit_on_user_error, register_all_modules,
                        setup_cpu_threads, setup_distributed)
from umbe.utils.config_utils import (add_dump_metric, add_runner_arguments,
                                     apply_checkpoint_trust,
                                     export_local_rank, load_config,
                                     parse_test_modalities,
                                     set_test_checkpoint, set_work_dir)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a umbe checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        help='checkpoint file, or "none" for a zero-shot config')
    parser.add_argument(
        '--work-dir',
        help='directory for logs and results; defaults to '
        './work_dirs/<config name>')
    parser.add_argument(
        '--dump',
        help='dump the predictions to this pickle file (.pkl); with '
        'all-subsets one file per subset, suffixed with its name')
    parser.add_argument(
        '--modalities',
        help='comma-separated modalities to keep (video, face, scene, audio, '
        'caption), or "all-subsets" to evaluate every subset')
    add_runner_arguments(parser)
    args = parser.parse_args(argv)
    export_local_rank(args)
    return args


def merge_args(cfg, args):
    """Write the command-line choices into the config."""
    set_test_checkpoint(cfg, args.checkpoint)
    set_work_dir(cfg, args.work_dir, args.config)
    if args.dump is not None:
        add_dump_metric(cfg, args.dump)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    try:
        apply_checkpoint_trust(args)
        cfg = merge_args(load_config(args.config, args.cfg_options), args)
        subsets = parse_test_modalities(cfg, args.modalities)
        check_tower_weights(cfg.model)  # before the runner's logs
        check_annotation_files(cfg, ('test', ))
        setup_distributed(cfg, args.launcher)
        setup_cpu_threads(cfg, args.cpu_threads)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as e:
        # a bad command line or config: the message, not a traceback
        raise SystemExit(f'tools/test.py: error: {e.args[0]}')
    with distributed_run():
        with exit_on_user_error('tools/test.py'):
            runner = Runner.from_cfg(cfg)
            if subsets is None:
                runner.test()
                return
            results = evaluate_modality_subsets(
                runner, subsets,
                dump=args.dump if len(subsets) > 1 else None)
        if len(subsets) > 1 and is_main_process():
            print_log('\n' + subset_report(results, runner.work_dir),
                      logger='current')


if __name__ == '__main__':
    main()
