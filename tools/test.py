"""Test a umbe checkpoint: ``python tools/test.py CONFIG CHECKPOINT``.

``--modalities video,audio`` keeps only those modalities (the others are
marked absent by the data preprocessor; ``video`` = face + scene);
``--modalities all-subsets`` evaluates every non-empty subset of the
modalities the config loads, in one run, and prints one table.
"""
import argparse
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.runner import Runner

from umbe.datasets import pipeline_settings
from umbe.evaluation import (evaluate_modality_subsets, parse_subsets,
                             subset_report)
from umbe.structures import MODALITY_GROUPS
from umbe.models.utils import TowerWeightsError, check_tower_weights
from umbe.utils import (register_all_modules, setup_cpu_threads,
                        setup_distributed)
from umbe.utils.config_utils import (add_runner_arguments, export_local_rank,
                                     load_config)


def parse_args():
    parser = argparse.ArgumentParser(description='Test a umbe checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
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
    args = parser.parse_args()
    export_local_rank(args)
    return args


def parse_modalities(value, cfg):
    """The modality subsets to evaluate (None: the config as it is)."""
    pipeline = cfg.test_dataloader.get('dataset', {}).get('pipeline', [])
    return parse_subsets(value,
                         pipeline_settings(pipeline).groups or MODALITY_GROUPS)


def merge_args(cfg, args):
    """Write the command-line choices into the config."""
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(
            f'checkpoint {args.checkpoint} not found; train first with '
            'tools/train.py (checkpoints are in its --work-dir)')
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: use a .pkl file name')
        evaluator = cfg.test_evaluator
        metrics = list(evaluator) if isinstance(evaluator, (list, tuple)) \
            else [evaluator]
        cfg.test_evaluator = metrics + [
            dict(type='DumpResults', out_file_path=args.dump)
        ]
    return cfg


def main():
    args = parse_args()
    register_all_modules()
    try:
        cfg = merge_args(load_config(args.config, args.cfg_options), args)
        subsets = parse_modalities(args.modalities, cfg)
        check_tower_weights(cfg.model)  # before the runner's logs
        setup_distributed(cfg, args.launcher)
        setup_cpu_threads(cfg, args.cpu_threads)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as e:
        # a bad command line or config: the message, not a traceback
        raise SystemExit(f'tools/test.py: error: {e.args[0]}')
    try:
        runner = Runner.from_cfg(cfg)
    except TowerWeightsError as e:  # random or unavailable CLIP weights
        raise SystemExit(f'tools/test.py: error: {e}')
    if subsets is None:
        runner.test()
        return
    results = evaluate_modality_subsets(
        runner, subsets, dump=args.dump if len(subsets) > 1 else None)
    if len(subsets) > 1 and is_main_process():
        print_log('\n' + subset_report(results, runner.work_dir),
                  logger='current')


if __name__ == '__main__':
    main()
