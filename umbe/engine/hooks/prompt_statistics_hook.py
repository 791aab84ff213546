"""Per-subset prompt selection statistics of the prompt pool."""
import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmengine.dist import all_reduce, is_main_process
from mmengine.hooks import Hook

from umbe.atomic_io import atomic_savefig, atomic_write_json
from umbe.models.prompts import PromptPool, usage_entropy
from umbe.models.utils import find_module
from umbe.registry import HOOKS
from umbe.structures import MODALITIES, subset_modalities


def statistics_dict(counts: np.ndarray) -> Dict:
    """The JSON content for a ``(NUM_SUBSETS, P)`` count matrix (the empty
    subset left out).

    Each subset entry holds ``counts`` (selections per prompt),
    ``frequency`` (counts / total), ``total`` and ``entropy`` (bits, of its
    counts); the top level ``entropy`` is that of every selection (the
    subsets summed) and ``max_entropy`` = log2 P, the entropy of uniform
    usage (:func:`umbe.models.prompts.usage_entropy`).
    """
    subsets = []
    for mask in range(1, counts.shape[0]):
        row = counts[mask]
        total = int(row.sum())
        subsets.append(
            dict(mask=mask, modalities=list(subset_modalities(mask)),
                 total=total, counts=row.astype(int).tolist(),
                 frequency=(row / max(total, 1)).round(6).tolist(),
                 entropy=round(float(usage_entropy(row)), 6)))
    return dict(modalities=list(MODALITIES), pool_size=int(counts.shape[1]),
                entropy=round(float(usage_entropy(counts.sum(0))), 6),
                max_entropy=round(float(np.log2(counts.shape[1])), 6),
                subsets=subsets)


def draw_heatmap(ax, stats: Dict, title: str):
    """Draw one statistics dict on a matplotlib axes: rows = the subsets
    with selections (all when none has any), with their selection count
    and entropy, columns = prompts, colour = selection frequency; the title
    gets the entropy of all selections.

    Returns:
        AxesImage: The image (for a colour bar).
    """
    rows = [s for s in stats['subsets'] if s['total'] > 0] or \
        stats['subsets']
    freq = np.array([s['frequency'] for s in rows])
    image = ax.imshow(freq, aspect='auto', cmap='viridis', vmin=0)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([
        f'{"+".join(s["modalities"])} (n={s["total"]}, '
        f'H={s.get("entropy", 0):.2f})' for s in rows
    ], fontsize=7)
    ax.set_xlabel('prompt')
    if 'entropy' in stats:
        title = (f'{title}\nusage entropy {stats["entropy"]:.2f} of '
                 f'{stats["max_entropy"]:.2f} bits')
    ax.set_title(title, fontsize=9)
    return image


def plot_heatmap(stats: Dict, path: str, title: str) -> None:
    """Rows = subsets, columns = prompts, colour = selection frequency."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = [s for s in stats['subsets'] if s['total'] > 0] or \
        stats['subsets']
    fig = Figure(figsize=(max(6, 0.3 * stats['pool_size'] + 3.5),
                          max(2.5, 0.35 * len(rows) + 1.8)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    image = draw_heatmap(ax, stats, title)
    fig.colorbar(image, ax=ax, label='selection frequency')
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=100)


@HOOKS.register_module()
class PromptStatisticsHook(Hook):
    """Write how often each pool prompt is selected, per modality subset.

    Reads the :class:`PromptPool`'s ``selection_counts`` ``(NUM_SUBSETS,
    P)`` and writes
    ``prompt_stats_epoch_{N}.json`` / ``.png`` after N (1-based) epochs,
    every ``interval`` epochs, and
    ``prompt_stats_final.json`` / ``.png`` (after training) into
    ``out_dir``: a JSON with the counts and frequencies per subset and a
    heatmap with rows = subsets, columns = prompts. The prompt-usage
    entropy (bits, of every selection counted so far; log2 P = uniform
    usage) goes into the training log after every iteration as
    ``prompt_entropy``, and into the JSON and the heatmap.

    Args:
        interval (int): Write every ``interval`` training epochs; 0 writes
            only after training. Defaults to 1.
        out_dir (str, optional): Output folder; None uses the runner's log
            dir. Defaults to None.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 1,
                 out_dir: Optional[str] = None) -> None:
        if not isinstance(interval, int) or interval < 0:
            raise ValueError(f'interval must be an int >= 0, got '
                             f'{interval!r}')
        self.interval = interval
        self.out_dir = out_dir

    @staticmethod
    def _counts(runner):
        """The pool's counts summed over the processes (every rank takes
        part), ``(NUM_SUBSETS, P)``."""
        counts = find_module(runner.model,
                             PromptPool).selection_counts.detach().clone()
        all_reduce(counts, op='sum')
        return counts.cpu().numpy()

    def _write(self, runner, tag: str, epochs_done: int) -> None:
        """Sum the counts over the processes, then write on the main
        process."""
        counts = self._counts(runner)
        if is_main_process():
            self._save(runner, tag, epochs_done, counts)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        """Put the prompt-usage entropy into the training log scalars."""
        entropy = usage_entropy(self._counts(runner).sum(0))
        runner.message_hub.update_scalar('train/prompt_entropy',
                                         float(entropy))

    def _save(self, runner, tag: str, epochs_done: int,
              counts: np.ndarray) -> None:
        stats = statistics_dict(counts)
        stats.update(epochs_done=epochs_done, iter=runner.iter)
        out_dir = self.out_dir or runner.log_dir
        stem = osp.join(out_dir, f'prompt_stats_{tag}')
        atomic_write_json(stats, stem + '.json', indent=1)
        plot_heatmap(stats, stem + '.png',
                     f'prompt selection, {tag.replace("_", " ")}')
        runner.logger.info(
            f'PromptStatisticsHook: wrote {stem}.json/.png (prompt-usage '
            f'entropy {stats["entropy"]:.3f} of {stats["max_entropy"]:.3f} '
            'bits)')

    def after_train_epoch(self, runner) -> None:
        """Write the statistics every ``interval`` epochs."""
        if self.interval and self.every_n_epochs(runner, self.interval):
            self._write(runner, f'epoch_{runner.epoch + 1}', runner.epoch + 1)

    def after_train(self, runner) -> None:
        """Write the final statistics."""
        self._write(runner, 'final', runner.epoch)
