"""Mean ± std of test UAR/WAR over the folds of a k-fold protocol.

The logic behind ``tools/analysis/kfold_summary.py``. Each work dir is the
work dir of one fold (one training run) in which ``tools/test.py`` was run
on a checkpoint. The runner writes the test metrics of each run to
``WORK_DIR/<timestamp>/<timestamp>.json`` and the checkpoint it loaded to
the log beside it (``Load checkpoint from ...``): a checkpoint named
``best_*`` gives a best-epoch result (chosen on the validation split), any
other (``epoch_N.pth``) a last-epoch result. The newest result of each kind
per work dir is used. The tables put the published numbers of SPEC.md
beside ours; published peers select their checkpoints on the test fold, so
compare them with care.
"""
import glob
import json
import os.path as osp
import re
import statistics
from collections import OrderedDict
from typing import Dict, List, Optional

from terminaltables import AsciiTable

#: Published UAR / WAR in % (SPEC.md); None where a paper gives no number.
PUBLISHED = {
    'dfew': [('UMBEnet (paper)', 64.55, 73.93),
             ('MMA-DFER (audio-visual)', 66.01, 77.51)],
    'ferv39k': [('UMBEnet (paper)', 44.01, 52.10),
                ('FineCLIPER', 45.22, 53.98)],
    'mafw': [('UMBEnet (paper)', 46.92, 57.25), ('FineCLIPER', 45.01, 56.91),
             ('MMA-DFER', None, 58.52)],
}
#: Folds of each protocol.
NUM_FOLDS = dict(dfew=5, ferv39k=1, mafw=5)
KINDS = OrderedDict(last='last epoch', best='best epoch (val UAR)')
_CHECKPOINT = re.compile(r'Load checkpoint from (\S+)')


def checkpoint_kind(checkpoint: Optional[str]) -> str:
    """``'best'`` for a ``best_*`` checkpoint, else ``'last'``."""
    if checkpoint and osp.basename(checkpoint).startswith('best'):
        return 'best'
    return 'last'


def read_test_results(work_dir: str) -> Dict[str, dict]:
    """The newest test result of each kind (last/best epoch) in a work dir.

    Args:
        work_dir (str): The work dir of one fold.

    Returns:
        dict: kind -> dict(UAR, WAR, checkpoint, file).
    """
    found = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', '*.json'))):
        stamp = osp.basename(osp.dirname(path))
        if osp.splitext(osp.basename(path))[0] != stamp:
            continue
        try:
            with open(path) as f:
                metrics = json.load(f)
        except (ValueError, OSError):
            continue  # a training log (JSON lines) or a partial file
        if not isinstance(metrics, dict) or not {'UAR', 'WAR'} <= set(
                metrics):
            continue
        checkpoint = None
        log = osp.join(osp.dirname(path), f'{stamp}.log')
        if osp.isfile(log):
            with open(log, errors='replace') as f:
                match = _CHECKPOINT.search(f.read())
            checkpoint = match.group(1) if match else None
        # sorted by timestamp: a newer result replaces an older one
        found[checkpoint_kind(checkpoint)] = dict(
            UAR=float(metrics['UAR']),
            WAR=float(metrics['WAR']),
            checkpoint=checkpoint,
            file=path)
    return found


def guess_dataset(work_dirs: List[str]) -> Optional[str]:
    """The dataset named in the work dirs (``umbenet_dfew_fold2``)."""
    names = {
        name
        for name in PUBLISHED for d in work_dirs
        if name in osp.basename(osp.normpath(d)).lower()
    }
    return names.pop() if len(names) == 1 else None


def mean_std(values: List[float]) -> str:
    """``'mean ± std'`` (sample std over folds; 0 for one fold)."""
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f'{statistics.mean(values):.2f} ± {std:.2f}'


def summarize_folds(work_dirs: List[str],
                    dataset: Optional[str] = None) -> dict:
    """Collect the per-fold results and their mean and std.

    Args:
        work_dirs (list[str]): One work dir per fold.
        dataset (str, optional): A key of ``PUBLISHED`` (the protocol and
            the published numbers). Defaults to None.

    Returns:
        dict: ``dataset``, ``folds`` (work dir -> kind -> result) and
        ``summary`` (kind -> dict(n, UAR_mean, UAR_std, WAR_mean, WAR_std)).
    """
    folds = OrderedDict((d, read_test_results(d)) for d in work_dirs)
    summary = OrderedDict()
    for kind in KINDS:
        runs = [r[kind] for r in folds.values() if kind in r]
        if not runs:
            continue
        entry = dict(n=len(runs))
        for key in ('UAR', 'WAR'):
            values = [r[key] for r in runs]
            entry[f'{key}_mean'] = statistics.mean(values)
            entry[f'{key}_std'] = (
                statistics.stdev(values) if len(values) > 1 else 0.0)
            entry[f'{key}_text'] = mean_std(values)
        summary[kind] = entry
    return dict(dataset=dataset, folds=folds, summary=summary)


def kfold_tables(result: dict) -> str:
    """The per-fold table and the summary table beside the published ones.

    Args:
        result (dict): Output of :func:`summarize_folds`.

    Returns:
        str: The tables, a warning per kind with another number of folds
        than the protocol's, and a note on the published peers.
    """
    dataset = result['dataset']
    rows = [['work dir'] + [f'{KINDS[k]} UAR / WAR' for k in KINDS]]
    for work_dir, runs in result['folds'].items():
        rows.append([work_dir] + [
            f'{runs[k]["UAR"]:.2f} / {runs[k]["WAR"]:.2f}'
            if k in runs else '-' for k in KINDS
        ])
    text = [AsciiTable(rows, ' test results per fold ').table]
    rows = [['method', 'folds', 'UAR %', 'WAR %']]
    for kind, entry in result['summary'].items():
        rows.append([
            f'ours, {KINDS[kind]}',
            str(entry['n']), entry['UAR_text'], entry['WAR_text']
        ])
    for name, uar, war in PUBLISHED.get(dataset, []):
        rows.append([
            name, 'published', '-' if uar is None else f'{uar:.2f}',
            '-' if war is None else f'{war:.2f}'
        ])
    title = f' {dataset or "?"}: mean ± std over folds '
    text.append(AsciiTable(rows, title).table)
    expected = NUM_FOLDS.get(dataset)
    for kind, entry in result['summary'].items():
        if expected and entry['n'] != expected:
            text.append(f'WARNING: {entry["n"]} folds with a {KINDS[kind]} '
                        f'result; the {dataset} protocol has {expected}.')
    if dataset in PUBLISHED:
        text.append('Published peers select checkpoints on the test fold; '
                    'our best epoch is selected on the validation split.')
    return '\n'.join(text)
