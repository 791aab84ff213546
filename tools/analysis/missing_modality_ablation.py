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
two-stage recipe (``TwoStageHook``):

- ``two_stage``: the config as it is: stage 1 unimodal, stage 2 multimodal
  with modality dropout (issue 6's recipe (a));
- ``no_dropout``: the same model and schedule without ``TwoStageHook`` and
  without any modality augment: every available modality in every step
  (recipe (b));
- ``video_only`` / ``audio_only``: like ``no_dropout``, but the data
  preprocessor keeps only that modality, in training and testing
  (``keep_modalities``; the unimodal baselines (c)). Their cells for test
  subsets without their modality are ``-``.

Each recipe trains in ``WORK_DIR/<recipe>`` and is tested from its best
checkpoint by validation UAR (the test split is never used to select).
Prints one table (rows = recipe, columns = test subset, cells = UAR / WAR
in %) and writes ``ablation.md``, ``ablation.png`` and ``ablation.json`` to
the work dir.
"""
import argparse
import copy
import glob
import json
import os
import os.path as osp
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner
from terminaltables import AsciiTable

from umbe.evaluation import evaluate_modality_subsets, subset_tag
from umbe.structures import nonempty_subsets
from umbe.utils import (check_cfg_options, register_all_modules,
                        setup_cpu_threads)

#: recipe name -> (row title, modalities kept in training and testing)
RECIPES = OrderedDict(
    two_stage=('(a) two-stage + modality dropout', None),
    no_dropout=('(b) no dropout, no stage 1', None),
    video_only=('(c) video only', ('video', )),
    audio_only=('(c) audio only', ('audio', )),
)
DEFAULT_CONFIG = 'configs/umbenet/umbenet_demo_two_stage.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train/load UMBEnet under several recipes and test each '
        'on every modality subset')
    parser.add_argument(
        '--config',
        default=DEFAULT_CONFIG,
        help='config with the two-stage recipe (recipe a); the other '
        f'recipes are derived from it (default {DEFAULT_CONFIG})')
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


def recipe_config(base: Config, recipe: str, work_dir: str) -> Config:
    """The config of ``recipe``, derived from the two-stage ``base``.

    Args:
        base (Config): The two-stage config (recipe ``two_stage``).
        recipe (str): A key of ``RECIPES``.
        work_dir (str): The recipe's work dir.

    Returns:
        Config: A copy of ``base`` for the recipe.

    Raises:
        ValueError: If ``base`` has no ``TwoStageHook``.
    """
    cfg = copy.deepcopy(base)
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') == 'TwoStageHook' for h in hooks):
        raise ValueError('the ablation starts from a config with the '
                         'two-stage recipe (a TwoStageHook in custom_hooks), '
                         f'e.g. {DEFAULT_CONFIG}')
    if recipe != 'two_stage':
        cfg.custom_hooks = [h for h in hooks if h.get('type') != 'TwoStageHook']
        cfg.model.data_preprocessor.modality_augments = None
        keep = RECIPES[recipe][1]
        if keep is not None:
            cfg.model.data_preprocessor.keep_modalities = keep
    cfg.work_dir = work_dir
    cfg.experiment_name = f'{recipe}_{time.strftime("%Y%m%d_%H%M%S")}'
    return cfg


def best_checkpoint(work_dir: str) -> str:
    """The newest ``best_*.pth`` of a training run's work dir."""
    found = sorted(glob.glob(osp.join(work_dir, 'best_*.pth')),
                   key=osp.getmtime)
    if not found:
        raise FileNotFoundError(f'no best_*.pth in {work_dir}: did the run '
                                'validate (val_interval) with save_best?')
    return found[-1]


def evaluate(cfg: Config, checkpoint: str,
             recipe: str) -> Dict[str, Optional[dict]]:
    """Test ``checkpoint`` on every subset; None where a subset lacks all of
    the recipe's kept modalities."""
    cfg = copy.deepcopy(cfg)
    cfg.load_from = checkpoint
    cfg.resume = False
    cfg.experiment_name = f'{recipe}_test_{time.strftime("%Y%m%d_%H%M%S")}'
    runner = Runner.from_cfg(cfg)
    metrics = evaluate_modality_subsets(
        runner, nonempty_subsets(), restrict_to=RECIPES[recipe][1])
    return OrderedDict(
        (tag, None if m is None else dict(UAR=float(m['UAR']),
                                          WAR=float(m['WAR'])))
        for tag, m in metrics.items())


def format_table(results: Dict[str, Dict[str, Optional[dict]]]
                 ) -> Tuple[List[List[str]], str]:
    """Rows of the table (header first) and its markdown text."""
    subsets = [subset_tag(s) for s in nonempty_subsets()]
    rows = [['recipe \\ test subset'] + subsets]
    for recipe, cells in results.items():
        row = [RECIPES[recipe][0]]
        for name in subsets:
            cell = cells.get(name)
            row.append('-' if cell is None else
                       f"{cell['UAR']:.1f} / {cell['WAR']:.1f}")
        rows.append(row)
    lines = ['| ' + ' | '.join(r) + ' |' for r in rows]
    lines.insert(1, '|' + '---|' * len(rows[0]))
    note = ('\nCells: test UAR / WAR (%) of the best checkpoint by '
            'validation UAR; `-`: the subset lacks the modality the model '
            'was trained on.\n')
    return rows, '\n'.join(lines) + '\n' + note


def save_png(rows: Sequence[Sequence[str]], path: str) -> None:
    """Draw the table with matplotlib."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2 + 1.45 * len(rows[0]),
                                    0.6 + 0.45 * len(rows)))
    ax.axis('off')
    table = ax.table(cellText=[list(r) for r in rows[1:]],
                     colLabels=list(rows[0]), loc='center', cellLoc='center')
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.auto_set_column_width(list(range(len(rows[0]))))
    table.scale(1, 1.4)
    ax.set_title('Test UAR / WAR (%) per training recipe and test subset')
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    base = Config.fromfile(args.config)
    base.merge_from_dict(
        check_cfg_options(base, args.cfg_options, args.config))
    if args.epochs is not None:
        base.train_cfg.max_epochs = args.epochs
    setup_cpu_threads(base, args.cpu_threads)
    os.makedirs(args.work_dir, exist_ok=True)
    results = OrderedDict()
    sources = {}
    for recipe in args.recipes:
        recipe_dir = osp.join(args.work_dir, recipe)
        cfg = recipe_config(base, recipe, recipe_dir)
        checkpoint = args.checkpoints.get(recipe)
        if checkpoint is None:
            start = time.time()
            Runner.from_cfg(copy.deepcopy(cfg)).train()
            checkpoint = best_checkpoint(recipe_dir)
            print_log(f'{recipe}: trained in {time.time() - start:.0f} s, '
                      f'testing {checkpoint}', logger='current')
        sources[recipe] = checkpoint
        results[recipe] = evaluate(cfg, checkpoint, recipe)

    rows, markdown = format_table(results)
    print_log('\n' + AsciiTable(rows, title='Missing-modality ablation '
                                '(test UAR / WAR %)').table, logger='current')
    with open(osp.join(args.work_dir, 'ablation.md'), 'w') as f:
        f.write(markdown)
    with open(osp.join(args.work_dir, 'ablation.json'), 'w') as f:
        json.dump(dict(config=args.config, checkpoints=sources,
                       results=results), f, indent=2)
    save_png(rows, osp.join(args.work_dir, 'ablation.png'))
    print_log(f'table written to {args.work_dir}/ablation.{{md,png,json}}',
              logger='current')
    return results


if __name__ == '__main__':
    main()
