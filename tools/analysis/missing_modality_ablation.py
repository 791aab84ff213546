"""Robustness to missing modalities: training recipes x test subsets.

    python tools/analysis/missing_modality_ablation.py \
        [--config configs/umbenet/umbenet_demo_two_stage.py] \
        [--work-dir work_dirs/missing_modality_ablation] [--epochs N] \
        [--recipes two_stage no_dropout video_only audio_only] \
        [--checkpoints two_stage=A.pth no_dropout=B.pth ...]

Trains (or, with ``--checkpoints``, loads) one model per recipe and tests
each on every modality subset of the test split (video = face + scene,
audio, caption and their unions, as ``tools/test.py --modalities
all-subsets``). The recipes all start from ``--config``, a config with the
two-stage recipe (``TwoStageHook``): ``two_stage`` (the config as it is),
``no_dropout`` (no TwoStageHook, no modality augment), ``video_only`` /
``audio_only`` (like no_dropout, keeping only that modality); see
:mod:`umbe.analysis.modality_ablation`.

Each recipe trains in ``WORK_DIR/<recipe>`` and is tested from its best
checkpoint by validation UAR (the test split is never used to select).
Prints one table (rows = recipe, columns = test subset, cells = UAR / WAR
in %) and writes ``ablation.md``, ``ablation.png`` and ``ablation.json`` to
the work dir.
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction

from umbe.analysis.modality_ablation import (RECIPES, TWO_STAGE_CONFIG,
                                             run_ablation)
from umbe.utils import (check_cfg_options, register_all_modules,
                        setup_cpu_threads)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train/load UMBEnet under several recipes and test each '
        'on every modality subset')
    parser.add_argument(
        '--config',
        default=TWO_STAGE_CONFIG,
        help='config with the two-stage recipe (recipe a); the other '
        f'recipes are derived from it (default {TWO_STAGE_CONFIG})')
    parser.add_argument(
        '--work-dir',
        default='work_dirs/missing_modality_ablation',
        help='one sub-folder per recipe; the table is written here')
    parser.add_argument(
        '--recipes',
        nargs='+',
        choices=list(RECIPES),
        default=list(RECIPES),
        help='recipes to run, in table order (default: all)')
    parser.add_argument(
        '--epochs',
        type=int,
        help='override train_cfg.max_epochs (the stage-1 length and the '
        'schedule\'s epochs stay as configured unless --cfg-options sets '
        'them)')
    parser.add_argument(
        '--checkpoints',
        nargs='+',
        default=[],
        metavar='RECIPE=CKPT',
        help='test these checkpoints instead of training those recipes')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override keys of the config of every recipe')
    parser.add_argument(
        '--cpu-threads',
        type=int,
        help='PyTorch threads on CPU (see umbe/utils/cpu_threads.py)')
    args = parser.parse_args(argv)
    checkpoints = {}
    for item in args.checkpoints:
        name, sep, path = item.partition('=')
        if not sep or name not in RECIPES:
            parser.error(f'--checkpoints takes RECIPE=CKPT with RECIPE in '
                         f'{list(RECIPES)}, got {item!r}')
        if not osp.isfile(path):
            parser.error(f'--checkpoints {name}: {path} not found')
        checkpoints[name] = path
    args.checkpoints = checkpoints
    return args


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    base = Config.fromfile(args.config)
    base.merge_from_dict(
        check_cfg_options(base, args.cfg_options, args.config))
    if args.epochs is not None:
        base.train_cfg.max_epochs = args.epochs
    setup_cpu_threads(base, args.cpu_threads)
    return run_ablation(base, args.recipes, args.work_dir, args.checkpoints,
                        args.config)


if __name__ == '__main__':
    main()
