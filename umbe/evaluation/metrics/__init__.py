from .uar_war_metric import UARWARMetric

__all__ = ['UARWARMetric']
