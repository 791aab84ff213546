"""Robustness to missing modalities: training recipes x test subsets.

The logic behind ``tools/analysis/missing_modality_ablation.py``. The
recipes all derive from one config with the two-stage recipe
(``TwoStageHook``):

- ``two_stage``: the config as it is: stage 1 unimodal, stage 2 multimodal
  with modality dropout (issue 6's recipe (a));
- ``no_dropout``: the same model and schedule without ``TwoStageHook`` and
  without any modality augment (recipe (b));
- ``video_only`` / ``audio_only``: like ``no_dropout``, but the data
  preprocessor keeps only that modality, in training and testing
  (``keep_modalities``; the unimodal baselines (c)).

Each recipe is tested on every non-empty modality subset
(:func:`umbe.evaluation.evaluate_modality_subsets`) from its best
checkpoint by validation UAR.
"""
import copy
import glob
import json
import os
import os.path as osp
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner
from terminaltables import AsciiTable

from umbe.evaluation import evaluate_modality_subsets, subset_tag
from umbe.structures import nonempty_subsets

#: recipe name -> (row title, modalities kept in training and testing)
RECIPES = OrderedDict(
    two_stage=('(a) two-stage + modality dropout', None),
    no_dropout=('(b) no dropout, no stage 1', None),
    video_only=('(c) video only', ('video', )),
    audio_only=('(c) audio only', ('audio', )),
)
#: the shipped config with the two-stage recipe (the tool's default)
TWO_STAGE_CONFIG = 'configs/umbenet/umbenet_demo_two_stage.py'

#: test subset -> dict(UAR, WAR), None where the recipe cannot see it
Cells = Dict[str, Optional[Dict[str, float]]]


def recipe_config(base: Config, recipe: str, work_dir: str) -> Config:
    """The config of ``recipe``, derived from the two-stage ``base``.

    Args:
        base (Config): The two-stage config (recipe ``two_stage``); not
            modified.
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
                         f'e.g. {TWO_STAGE_CONFIG}')
    if recipe != 'two_stage':
        cfg.custom_hooks = [
            h for h in hooks if h.get('type') != 'TwoStageHook'
        ]
        cfg.model.data_preprocessor.modality_augments = None
        keep = RECIPES[recipe][1]
        if keep is not None:
            cfg.model.data_preprocessor.keep_modalities = keep
    cfg.work_dir = work_dir
    cfg.experiment_name = f'{recipe}_{time.strftime("%Y%m%d_%H%M%S")}'
    return cfg


def best_checkpoint(work_dir: str) -> str:
    """The newest ``best_*.pth`` of a training run's work dir.

    Raises:
        FileNotFoundError: There is none.
    """
    found = sorted(glob.glob(osp.join(work_dir, 'best_*.pth')),
                   key=osp.getmtime)
    if not found:
        raise FileNotFoundError(f'no best_*.pth in {work_dir}: did the run '
                                'validate (val_interval) with save_best?')
    return found[-1]


def evaluate_recipe(cfg: Config, checkpoint: str, recipe: str) -> Cells:
    """Test ``checkpoint`` on every non-empty modality subset.

    Args:
        cfg (Config): The recipe's config (:func:`recipe_config`).
        checkpoint (str): The checkpoint to test.
        recipe (str): A key of ``RECIPES``.

    Returns:
        OrderedDict: subset tag -> dict(UAR, WAR); None where a subset lacks
        all of the recipe's kept modalities.
    """
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


def ablation_table(results: Dict[str, Cells]) -> Tuple[List[List[str]], str]:
    """The table: rows = recipes, columns = test subsets, cells UAR / WAR.

    Args:
        results (dict): recipe -> :func:`evaluate_recipe` cells.

    Returns:
        tuple: The rows (header first) and the markdown text with a note.
    """
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


def save_table_png(rows: Sequence[Sequence[str]], path: str) -> None:
    """Draw the table of :func:`ablation_table` with matplotlib (Agg)."""
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


def run_ablation(base: Config,
                 recipes: Sequence[str],
                 work_dir: str,
                 checkpoints: Optional[Dict[str, str]] = None,
                 config_name: str = TWO_STAGE_CONFIG) -> Dict[str, Cells]:
    """Train (or load) each recipe, test it on every subset, write the table.

    Each recipe trains in ``WORK_DIR/<recipe>`` and is tested from its best
    checkpoint; ``ablation.md``, ``ablation.png`` and ``ablation.json`` go
    to the work dir.

    Args:
        base (Config): The two-stage config.
        recipes (Sequence[str]): Keys of ``RECIPES``, in table order.
        work_dir (str): The ablation's work dir.
        checkpoints (dict, optional): recipe -> checkpoint to test instead
            of training it. Defaults to None.
        config_name (str): The base config's name, for the JSON. Defaults
            to ``TWO_STAGE_CONFIG``.

    Returns:
        OrderedDict: recipe -> cells.
    """
    checkpoints = checkpoints or {}
    os.makedirs(work_dir, exist_ok=True)
    results, sources = OrderedDict(), {}
    for recipe in recipes:
        recipe_dir = osp.join(work_dir, recipe)
        cfg = recipe_config(base, recipe, recipe_dir)
        checkpoint = checkpoints.get(recipe)
        if checkpoint is None:
            start = time.time()
            Runner.from_cfg(copy.deepcopy(cfg)).train()
            checkpoint = best_checkpoint(recipe_dir)
            print_log(f'{recipe}: trained in {time.time() - start:.0f} s, '
                      f'testing {checkpoint}', logger='current')
        sources[recipe] = checkpoint
        results[recipe] = evaluate_recipe(cfg, checkpoint, recipe)

    rows, markdown = ablation_table(results)
    print_log('\n' + AsciiTable(rows, title='Missing-modality ablation '
                                '(test UAR / WAR %)').table, logger='current')
    with open(osp.join(work_dir, 'ablation.md'), 'w') as f:
        f.write(markdown)
    with open(osp.join(work_dir, 'ablation.json'), 'w') as f:
        json.dump(dict(config=config_name, checkpoints=sources,
                       results=results), f, indent=2)
    save_table_png(rows, osp.join(work_dir, 'ablation.png'))
    print_log(f'table written to {work_dir}/ablation.{{md,png,json}}',
              logger='current')
    return results
