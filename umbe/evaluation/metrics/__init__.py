from .uar_war_metric import UARWARMetric
from .val_loss_metric import ValLossMetric

__all__ = ['UARWARMetric', 'ValLossMetric']
