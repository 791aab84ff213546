"""Evaluation on subsets of the modalities (missing-modality robustness).

One test run per subset: the data preprocessor keeps only the subset's
modalities (``set_keep_modalities``; the model masks the others out) and the
runner's test loop evaluates. ``tools/test.py --modalities`` and
``tools/analysis/missing_modality_ablation.py`` both use
:func:`evaluate_modality_subsets`.
"""
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.model import is_model_wrapper
from terminaltables import AsciiTable

from umbe.atomic_io import atomic_write_json, atomic_write_text
from umbe.structures import expand_modalities, nonempty_subsets


def parse_subsets(value: Optional[str],
                  groups: Sequence[str]) -> Optional[List[Tuple[str, ...]]]:
    """The subsets a ``--modalities`` value asks for.

    Args:
        value (str, optional): ``'all-subsets'`` or a comma-separated list
            of modality names (``'video,audio'``); None asks for none.
        groups (Sequence[str]): The modality groups the test pipeline loads
            (``PipelineSettings.groups``), enumerated by ``'all-subsets'``.

    Returns:
        list[tuple[str]] | None: The subsets, each as the names given.
    """
    if value is None:
        return None
    if value == 'all-subsets':
        return nonempty_subsets(groups)
    subset = tuple(m.strip() for m in value.split(',') if m.strip())
    expand_modalities(subset, '--modalities')  # raises on a bad name
    return [subset]


def subset_tag(subset: Sequence[str]) -> str:
    """``'video+audio'``: the subset's name in tables and file names."""
    return '+'.join(subset)


def evaluate_modality_subsets(runner,
                              subsets: Sequence[Sequence[str]],
                              restrict_to: Optional[Sequence[str]] = None,
                              dump: Optional[str] = None
                              ) -> 'OrderedDict[str, Optional[Dict]]':
    """Test a built runner once per modality subset.

    Args:
        runner (Runner): With a test loop and a model whose data
            preprocessor has ``set_keep_modalities``.
        subsets (Sequence[Sequence[str]]): Subsets of modality names.
        restrict_to (Sequence[str], optional): Modalities the model may use
            at all (a unimodal baseline): each subset is intersected with
            them, and a subset left empty is not evaluated (None in the
            result). Defaults to None.
        dump (str, optional): The ``DumpResults`` path; each subset gets
            ``<stem>_<tag><ext>``. Defaults to None.

    Returns:
        OrderedDict[str, dict | None]: Per subset tag, the test metrics.
    """
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    preprocessor = model.data_preprocessor
    if not hasattr(preprocessor, 'set_keep_modalities'):
        raise AttributeError(
            f'{type(preprocessor).__name__} has no set_keep_modalities; '
            'subset evaluation needs umbe\'s MultimodalEmotionPreprocessor')
    allowed = None if restrict_to is None else set(
        expand_modalities(restrict_to, 'restrict_to'))
    results = OrderedDict()
    for subset in subsets:
        tag = subset_tag(subset)
        kept = expand_modalities(subset)
        if allowed is not None:
            kept = tuple(m for m in kept if m in allowed)
            if not kept:
                results[tag] = None
                continue
        preprocessor.set_keep_modalities(kept)
        for metric in runner.test_loop.evaluator.metrics:
            if hasattr(metric, 'tag'):
                metric.tag = tag
            if dump is not None and hasattr(metric, 'out_file_path'):
                stem, ext = osp.splitext(dump)
                metric.out_file_path = f'{stem}_{tag}{ext}'
        results[tag] = dict(runner.test())
    return results


def subset_report(results: Dict[str, Optional[Dict]],
                  out_dir: Optional[str] = None) -> str:
    """The per-subset table (UAR, WAR), written as JSON and markdown.

    Args:
        results (dict): Output of :func:`evaluate_modality_subsets`.
        out_dir (str, optional): Where ``modality_subsets.json`` / ``.md``
            go; None writes nothing. Defaults to None.

    Returns:
        str: The table as text.
    """
    header = ['modalities', 'UAR (%)', 'WAR (%)']
    body = [[tag, '-', '-'] if m is None else
            [tag, f"{m['UAR']:.2f}", f"{m['WAR']:.2f}"]
            for tag, m in results.items()]
    table = AsciiTable([header] + body, title='Modality subsets').table
    if out_dir is not None:
        os.makedirs(out_dir, exist_ok=True)
        atomic_write_json(dict(results),
                          osp.join(out_dir, 'modality_subsets.json'),
                          indent=2)
        lines = ['| ' + ' | '.join(header) + ' |', '|---|---|---|']
        lines += ['| ' + ' | '.join(row) + ' |' for row in body]
        atomic_write_text('\n'.join(lines) + '\n',
                          osp.join(out_dir, 'modality_subsets.md'))
    return table
