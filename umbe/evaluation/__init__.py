from .metrics import UARWARMetric, ValLossMetric
from .modality_subsets import (evaluate_modality_subsets, parse_subsets,
                               subset_report, subset_tag)

__all__ = [
    'UARWARMetric', 'ValLossMetric', 'evaluate_modality_subsets',
    'parse_subsets', 'subset_report', 'subset_tag'
]
