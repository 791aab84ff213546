# The public code's schedule: Adam lr 2e-4, weight decay 1e-6, betas
# (0.9, 0.999), 30 epochs, ReduceLROnPlateau on the validation LOSS (mode
# min, x0.3, patience 2, threshold 0.001 relative), validation after every
# epoch. The loss is ValLossMetric's `loss` (add it to val_evaluator).
_base_ = ['./adam_plateau_30e.py']

param_scheduler = [
    dict(
        type='ReduceOnPlateauLR',
        monitor='loss',
        rule='less',
        factor=0.3,
        patience=2,
        threshold=0.001,
        by_epoch=True)
]
