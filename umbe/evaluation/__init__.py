from .metrics import UARWARMetric

__all__ = ['UARWARMetric']
