"""Writing and printing :func:`infer_video` results: JSON, CSV and tables.

The formats are those of ``tools/infer.py --out`` (docs/inference.md): a
JSON document with every video, or a CSV row per video, person and window.
"""
import csv
import os
import os.path as osp
from typing import List, Sequence, Tuple

from terminaltables import AsciiTable

from umbe.atomic_io import atomic_write, atomic_write_json
from umbe.datasets.utils import BadClipError

#: the file types results are written to
RESULT_EXTENSIONS = ('.json', '.csv')
#: the CSV columns before and after the per-class probabilities
CSV_COLUMNS = ('video', 'person', 'window', 'start', 'end', 'face_found',
               'modalities', 'pred_class', 'smoothed_class')
CSV_LAST_COLUMNS = ('note', )


def result_persons(result: dict) -> List[dict]:
    """The timelines of a result: ``persons``, or the main face alone.

    Args:
        result (dict): From :func:`infer_video`.

    Returns:
        list[dict]: Per person ``person``, ``windows`` and ``overall``.
    """
    if result.get('persons'):
        return result['persons']
    return [
        dict(person=0, windows=result['windows'], overall=result['overall'])
    ]


def json_ready(result: dict) -> dict:
    """The result without the in-memory keys (tracks, video reader)."""
    return {k: v for k, v in result.items() if not k.startswith('_')}


def failure_reason(err: Exception) -> str:
    """What to report for a video that failed: the message, with the error
    type unless it is a :class:`BadClipError` (which names the file)."""
    if isinstance(err, BadClipError):
        return str(err)
    return f'{type(err).__name__}: {err}'


def format_result(result: dict) -> str:
    """Per person the window table and the overall label, then the notes.

    Args:
        result (dict): From :func:`infer_video`.

    Returns:
        str: Lines for the terminal.
    """
    lines = []
    for person in result_persons(result):
        rows = [[
            'window (s)', 'face', 'modalities', 'top-1', 'smoothed', 'note'
        ]]
        for w in person['windows']:
            top = '-' if w['scores'] is None else (
                f'{w["pred_class"]} {w["scores"][w["pred_class"]]:.2f}')
            rows.append([
                f'{w["start"]:.2f}-{w["end"]:.2f}',
                'yes' if w['face_found'] else 'no', '+'.join(w['modalities'])
                or '-', top,
                w.get('smoothed_class') or '-', w['note']
            ])
        title = osp.basename(result['video'])
        if result.get('persons'):
            title += f' person {person["person"]}'
        lines.append(AsciiTable(rows, title=title).table)
        overall = person['overall']
        if overall is None:
            lines.append('overall: no scored window')
        else:
            top = overall['pred_class']
            lines.append(f'overall: {top} ({overall["scores"][top]:.2f}, '
                         f'mean of {overall["num_windows"]} window(s))')
    lines += [f'note: {note}' for note in result['notes']]
    return '\n'.join(lines)


def write_results_json(path: str, results: Sequence[dict],
                       failures: Sequence[Tuple[str, str]], config: str,
                       checkpoint: str, classes: Sequence[str]) -> None:
    """Write every result and failure as one JSON document.

    Args:
        path (str): The ``.json`` file.
        results (Sequence[dict]): :func:`infer_video` results.
        failures (Sequence[tuple]): ``(video, reason)`` of failed videos.
        config (str): The config file (recorded).
        checkpoint (str): The checkpoint file (recorded).
        classes (Sequence[str]): Class names in label order.
    """
    atomic_write_json(
        dict(
            config=config,
            checkpoint=checkpoint,
            classes=list(classes),
            videos=[json_ready(r) for r in results],
            failures=[dict(video=p, error=e) for p, e in failures]),
        path,
        indent=1)


def write_results_csv(path: str, results: Sequence[dict],
                      classes: Sequence[str],
                      failures: Sequence[Tuple[str, str]] = ()) -> None:
    """One row per video, person and window with every class probability,
    then one row per failed video (empty window fields, the reason in
    ``note``, prefixed ``failed: ``).

    Args:
        path (str): The ``.csv`` file.
        results (Sequence[dict]): :func:`infer_video` results.
        classes (Sequence[str]): Class names in label order (the
            ``p_<class>`` columns).
        failures (Sequence[tuple]): ``(video, reason)`` of failed videos.
            Defaults to ().
    """
    width = len(CSV_COLUMNS) + len(classes)
    with atomic_write(path, newline='') as f:
        writer = csv.writer(f)
        writer.writerow(
            list(CSV_COLUMNS) + [f'p_{c}'
                                 for c in classes] + list(CSV_LAST_COLUMNS))
        for result in results:
            for person in result_persons(result):
                for w in person['windows']:
                    probs = [
                        '' if w['scores'] is None else f'{w["scores"][c]:.6f}'
                        for c in classes
                    ]
                    writer.writerow([
                        result['video'], person['person'], w['index'],
                        w['start'], w['end'],
                        int(w['face_found']), '+'.join(
                            w['modalities']), w['pred_class'] or '',
                        w.get('smoothed_class') or ''
                    ] + probs + [w['note']])
        for video, reason in failures:
            writer.writerow([video] + [''] * (width - 1) +
                            [f'failed: {reason}'])


def write_results(path: str, results: Sequence[dict],
                  failures: Sequence[Tuple[str, str]], config: str,
                  checkpoint: str, classes: Sequence[str]) -> None:
    """Write results as JSON or CSV, by the file's extension.

    Args:
        path (str): A ``.json`` or ``.csv`` file (its folder is created).
        results (Sequence[dict]): :func:`infer_video` results.
        failures (Sequence[tuple]): ``(video, reason)`` of failed videos.
        config (str): The config file (JSON only).
        checkpoint (str): The checkpoint file (JSON only).
        classes (Sequence[str]): Class names in label order.
    """
    if not path.endswith(RESULT_EXTENSIONS):
        raise ValueError(f'{path}: results are written to a .json or .csv '
                         'file')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if path.endswith('.json'):
        write_results_json(path, results, failures, config, checkpoint,
                           classes)
    else:
        write_results_csv(path, results, classes, failures)
