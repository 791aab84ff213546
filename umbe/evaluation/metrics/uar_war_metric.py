"""UAR / WAR over a whole split, the two numbers DFER papers report."""
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from terminaltables import AsciiTable

from umbe.atomic_io import atomic_savefig, atomic_write_json
from umbe.registry import METRICS


def confusion_matrix(labels: np.ndarray, preds: np.ndarray,
                     num_classes: int) -> np.ndarray:
    """Count ``(true, predicted)`` pairs.

    Args:
        labels (np.ndarray): Ground-truth class ids, shape ``(N,)``.
        preds (np.ndarray): Predicted class ids, shape ``(N,)``.
        num_classes (int): Number of classes C.

    Returns:
        np.ndarray: int64 ``(C, C)``, rows = true class, columns = predicted.
    """
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, preds), 1)
    return matrix


def uar_war(matrix: np.ndarray) -> Dict[str, Any]:
    """WAR, UAR and per-class recall from a confusion matrix.

    WAR is the overall accuracy. UAR is the mean recall over the classes that
    have at least one ground-truth sample in the split: a class without
    samples has no defined recall (0/0), so it is left out of the mean and
    its recall is NaN, instead of counting it as 0 or 1.

    Args:
        matrix (np.ndarray): ``(C, C)`` confusion matrix, rows = true class.

    Returns:
        dict: ``war`` and ``uar`` (fractions in [0, 1]) and ``recall``
        (``(C,)`` float, NaN for classes without samples).
    """
    support = matrix.sum(axis=1)
    total = support.sum()
    if total == 0:
        raise ValueError('UARWARMetric got no samples to evaluate.')
    recall = np.full(len(matrix), np.nan)
    present = support > 0
    recall[present] = np.diag(matrix)[present] / support[present]
    return dict(
        war=float(np.trace(matrix) / total),
        uar=float(recall[present].mean()),
        recall=recall)


@METRICS.register_module()
class UARWARMetric(BaseMetric):
    """Unweighted and weighted average recall over the whole split.

    Each sample contributes its predicted and true label in :meth:`process`;
    :meth:`compute_metrics` runs once on all of them (gathered from every
    rank by :class:`mmengine.evaluator.BaseMetric`), never per batch.
    Returned values are percentages, as published tables report them:

    - ``WAR``: overall accuracy;
    - ``UAR``: mean recall of the classes present in the ground truth (a
      class without samples is left out, see :func:`uar_war`);
    - ``recall/<class>``: recall of each class (NaN without samples).

    A per-class table with the names of ``dataset_meta['classes']`` is
    printed, and the confusion matrix is saved as
    ``confusion_matrix{_tag}.png`` and ``.json`` in ``out_dir``.

    Args:
        save_confusion_matrix (bool): Whether to write the confusion matrix
            (PNG and JSON). Defaults to True.
        out_dir (str, optional): Where to write it. None means the folder of
            the current log file (the runner's ``log_dir``), or nothing is
            written when there is no log file. Defaults to None.
        tag (str): Suffix of the confusion-matrix file names, set by
            ``tools/test.py`` per modality subset. Defaults to ''.
        collect_device (str): Device used to gather results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to 'cpu'.
        prefix (str, optional): Prefix of the returned keys. Defaults to
            None.
    """
    default_prefix: Optional[str] = ''  # keys as they are: UAR, WAR

    def __init__(self,
                 save_confusion_matrix: bool = True,
                 out_dir: Optional[str] = None,
                 tag: str = '',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.save_confusion_matrix = save_confusion_matrix
        self.out_dir = out_dir
        self.tag = tag

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep the predicted and the true label of each sample.

        Args:
            data_batch (Any): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs, each with
                ``pred_score`` ``(C,)`` (or ``pred_label``) and ``gt_label``.
        """
        for sample in data_samples:
            if not isinstance(sample, dict):
                sample = sample.to_dict()
            if 'gt_label' not in sample:
                raise KeyError('UARWARMetric needs `gt_label` in every data '
                               'sample; the test split has no labels?')
            if 'pred_score' in sample:
                score = torch.as_tensor(sample['pred_score']).flatten()
                pred, num_classes = int(score.argmax()), score.numel()
            elif 'pred_label' in sample:
                pred = int(torch.as_tensor(sample['pred_label']).flatten()[0])
                num_classes = None
            else:
                raise KeyError('UARWARMetric needs `pred_score` or '
                               '`pred_label` in the model outputs.')
            label = int(torch.as_tensor(sample['gt_label']).flatten()[0])
            self.results.append(
                dict(pred=pred, label=label, num_classes=num_classes))

    def _class_names(self, results: List[dict]) -> List[str]:
        classes = (self.dataset_meta or {}).get('classes')
        if classes is not None:
            return [str(c) for c in classes]
        sizes = [r['num_classes'] for r in results if r['num_classes']]
        num = max(sizes + [max(max(r['pred'], r['label']) for r in results)
                           + 1])
        return [str(i) for i in range(num)]

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute UAR, WAR and per-class recall over all samples.

        Args:
            results (list[dict]): What :meth:`process` kept, from all ranks.

        Returns:
            dict[str, float]: ``UAR``, ``WAR`` and ``recall/<class>``, in %.
        """
        classes = self._class_names(results)
        labels = np.array([r['label'] for r in results], dtype=np.int64)
        preds = np.array([r['pred'] for r in results], dtype=np.int64)
        bad = (labels < 0) | (labels >= len(classes)) | (preds < 0) | (
            preds >= len(classes))
        if bad.any():
            raise ValueError(
                f'UARWARMetric: label/prediction out of range for the '
                f'{len(classes)} classes {classes}: labels '
                f'{sorted(set(labels[bad].tolist()))}, predictions '
                f'{sorted(set(preds[bad].tolist()))}. Check the dataset '
                'config `classes` against the model `num_classes`.')
        matrix = confusion_matrix(labels, preds, len(classes))
        scores = uar_war(matrix)
        metrics = dict(UAR=100 * scores['uar'], WAR=100 * scores['war'])
        for name, recall in zip(classes, scores['recall']):
            metrics[f'recall/{name}'] = float(100 * recall)
        self._print_table(classes, matrix, metrics)
        if self.save_confusion_matrix:
            self._save(classes, matrix)
        return metrics

    def _print_table(self, classes: List[str], matrix: np.ndarray,
                     metrics: Dict[str, float]) -> None:
        rows = [['class', 'samples', 'correct', 'recall (%)']]
        for i, name in enumerate(classes):
            recall = metrics[f'recall/{name}']
            rows.append([
                name,
                int(matrix[i].sum()),
                int(matrix[i, i]), '-' if np.isnan(recall) else
                f'{recall:.2f}'
            ])
        rows.append(['UAR', '', '', f"{metrics['UAR']:.2f}"])
        rows.append(['WAR', int(matrix.sum()),
                     int(np.trace(matrix)), f"{metrics['WAR']:.2f}"])
        title = f'UAR / WAR{" (" + self.tag + ")" if self.tag else ""}'
        table = AsciiTable(rows, title=title)
        table.inner_footing_row_border = True
        print_log('\n' + table.table, logger='current')

    def _resolve_out_dir(self) -> Optional[str]:
        if self.out_dir is not None:
            return self.out_dir
        log_file = getattr(MMLogger.get_current_instance(), '_log_file',
                           None)
        if log_file:
            return osp.dirname(log_file)
        return None

    def _save(self, classes: List[str], matrix: np.ndarray) -> None:
        out_dir = self._resolve_out_dir()
        if out_dir is None:
            return
        os.makedirs(out_dir, exist_ok=True)
        stem = osp.join(out_dir,
                        'confusion_matrix' + (f'_{self.tag}' if self.tag
                                              else ''))
        atomic_write_json(dict(classes=classes, matrix=matrix.tolist()),
                          stem + '.json')
        plot_confusion_matrix(matrix, classes, stem + '.png',
                              title=self.tag or None)
        print_log(f'Confusion matrix saved to {stem}.png', logger='current')


def plot_confusion_matrix(matrix: np.ndarray,
                          classes: Sequence[str],
                          path: str,
                          title: Optional[str] = None) -> None:
    """Draw a row-normalised confusion matrix with counts to a PNG.

    Args:
        matrix (np.ndarray): ``(C, C)`` counts, rows = true class.
        classes (Sequence[str]): The C class names.
        path (str): Output PNG path.
        title (str, optional): Figure title. Defaults to None.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    support = matrix.sum(axis=1, keepdims=True)
    rates = np.divide(
        matrix, support, out=np.zeros(matrix.shape), where=support > 0)
    size = 1.5 + 0.6 * len(classes)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(rates, cmap='Blues', vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, labels=classes, rotation=45, ha='right')
    ax.set_yticks(ticks, labels=classes)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(j, i, str(matrix[i, j]), ha='center', va='center',
                    color='white' if rates[i, j] > 0.5 else 'black',
                    fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=100)
    plt.close(fig)
