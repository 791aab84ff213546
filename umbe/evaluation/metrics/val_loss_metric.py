"""ValLossMetric: the mean training loss over a split (what the public
code's plateau schedule and checkpointing monitor)."""
from typing import Dict, List, Sequence

from mmengine.evaluator import BaseMetric

from umbe.registry import METRICS


@METRICS.register_module()
class ValLossMetric(BaseMetric):
    """Average each sample's ``pred_loss`` over the split.

    ``UMBEnet`` writes ``pred_loss`` in ``'predict'`` mode for labelled
    samples: the sample's cross-entropy plus the batch's regularisers, so the
    mean over the split is the training loss on it (the public code logs
    the same as ``val_loss``, a per-batch mean weighted by batch size).

    Result key: ``loss`` (e.g. ``ReduceOnPlateauLR(monitor='loss',
    rule='less')``, ``CheckpointHook(save_best='loss', rule='less')``).

    Args:
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the result key. Defaults to None.
    """

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Collect the per-sample losses of a batch."""
        for sample in data_samples:
            if not isinstance(sample, dict):
                sample = sample.to_dict()
            if 'pred_loss' not in sample:
                raise KeyError(
                    'ValLossMetric needs pred_loss in the predictions '
                    '(UMBEnet writes it for samples with gt_label)')
            self.results.append(float(sample['pred_loss']))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        """The mean loss."""
        if not results:
            raise ValueError('ValLossMetric got no samples to evaluate.')
        return dict(loss=sum(results) / len(results))
