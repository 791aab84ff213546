"""Prompt-usage heatmaps per modality subset, one figure per run (the
paper's Figs. 2-3), from ``PromptStatisticsHook``'s JSON files."""
import glob
import json
import os.path as osp
import re
from typing import Dict, List, Sequence, Tuple

import numpy as np

from umbe.atomic_io import atomic_savefig
from umbe.engine.hooks.prompt_statistics_hook import draw_heatmap
from umbe.models.prompts import usage_entropy

Panel = Tuple[str, Dict]


def with_entropy(stats: Dict) -> Dict:
    """``stats`` with the entropies filled in where a file written before
    they were recorded lacks them (computed from its counts)."""
    stats = dict(stats)
    subsets = [dict(s) for s in stats['subsets']]
    for s in subsets:
        s.setdefault('entropy', float(usage_entropy(s['counts'])))
    stats['subsets'] = subsets
    counts = np.array([s['counts'] for s in subsets]).sum(0)
    stats.setdefault('entropy', float(usage_entropy(counts)))
    stats.setdefault('max_entropy', float(np.log2(stats['pool_size'])))
    return stats


def _epoch(path: str) -> float:
    match = re.search(r'prompt_stats_epoch_(\d+)\.json$', path)
    return int(match.group(1)) if match else float('inf')  # final: last


def _counts(stats: Dict) -> np.ndarray:
    return np.array([s['counts'] for s in stats['subsets']])


def _was_reset(before: Dict, after: Dict) -> bool:
    """Whether some count went down from ``before`` to ``after`` (the
    counts only grow between resets)."""
    return bool((_counts(after) < _counts(before)).any())


def run_panels(sources: Sequence[str], all_epochs: bool = False
               ) -> List[Panel]:
    """The statistics to draw, as ``(name, stats)``.

    Args:
        sources (Sequence[str]): ``prompt_stats_*.json`` files, or run
            folders (a work dir or its timestamped log dir, searched for
            them; several log dirs: the newest).
        all_epochs (bool): Every file. Otherwise, per folder, the stage
            ends: each file after which some count went down (the counts
            were reset, e.g. by ``TwoStageHook`` at the switch) and the
            last one. Defaults to False.

    Returns:
        list[tuple[str, dict]]: Panels in order.
    """
    panels = []
    for source in sources:
        if osp.isdir(source):
            found = glob.glob(osp.join(source, 'prompt_stats_*.json')) or (
                glob.glob(osp.join(source, '*', 'prompt_stats_*.json')))
            if not found:
                raise FileNotFoundError(
                    f'{source}: no prompt_stats_*.json (written by '
                    'PromptStatisticsHook into the run\'s log dir)')
            newest = max(osp.dirname(f) for f in found)
            files = sorted((f for f in found if osp.dirname(f) == newest),
                           key=_epoch)
            if any(_epoch(f) == float('inf') for f in files) and len(
                    files) > 1:  # final repeats the last epoch's counts
                last = [f for f in files if _epoch(f) != float('inf')][-1]
                with open(last) as f1, open(files[-1]) as f2:
                    if json.load(f1)['subsets'] == json.load(f2)['subsets']:
                        files.remove(last)
        elif osp.isfile(source):
            files = [source]
        else:
            raise FileNotFoundError(f'{source} does not exist')
        loaded = []
        for path in files:
            with open(path) as f:
                loaded.append((path, with_entropy(json.load(f))))
        keep = loaded if all_epochs else [
            item for i, item in enumerate(loaded)
            if i == len(loaded) - 1 or _was_reset(item[1], loaded[i + 1][1])
        ]
        for path, stats in keep:
            name = osp.splitext(osp.basename(path))[0].replace(
                'prompt_stats_', '').replace('_', ' ')
            if len(sources) > 1:
                name = f'{osp.basename(osp.normpath(source))}: {name}'
            panels.append((name, stats))
    return panels


def plot_prompt_usage(panels: Sequence[Panel], path: str,
                      title: str = 'prompt usage') -> List[Dict]:
    """One figure: a heatmap per panel (rows = modality subsets with their
    selections and entropy, columns = prompts, colour = frequency), the
    entropy of all selections in each panel's title, written as a PNG.

    Args:
        panels (Sequence[tuple[str, dict]]): From :func:`run_panels`.
        path (str): The PNG file.
        title (str): Figure title. Defaults to 'prompt usage'.

    Returns:
        list[dict]: Per panel ``name``, ``entropy``, ``max_entropy``,
        ``selections`` and ``prompts_used``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not panels:
        raise ValueError('no prompt statistics to plot')
    rows = max(len([s for s in st['subsets'] if s['total']]) or 15
               for _, st in panels)
    width = max(6, 0.3 * max(st['pool_size'] for _, st in panels) + 4)
    fig = Figure(figsize=(width * len(panels), 0.35 * rows + 2.2))
    FigureCanvasAgg(fig)
    report = []
    for i, (name, stats) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        image = draw_heatmap(ax, stats, name)
        fig.colorbar(image, ax=ax, label='selection frequency')
        counts = _counts(stats).sum(0)
        report.append(
            dict(name=name, entropy=stats['entropy'],
                 max_entropy=stats['max_entropy'],
                 selections=int(counts.sum()),
                 prompts_used=int((counts > 0).sum())))
    fig.suptitle(title)
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=100)
    return report
