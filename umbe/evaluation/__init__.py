from .metrics import UARWARMetric
from .modality_subsets import (evaluate_modality_subsets, parse_subsets,
                               subset_report, subset_tag)

__all__ = [
    'UARWARMetric', 'evaluate_modality_subsets', 'parse_subsets',
    'subset_report', 'subset_tag'
]
