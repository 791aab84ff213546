# UMBEnet recipe (SPEC.md): Adam lr 2e-4, weight decay 1e-6, 30 epochs,
# ReduceLROnPlateau x0.3 with patience 2 on the validation UAR, validation
# after every epoch, batch 8 per GPU x 2 GPUs.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=2e-4, weight_decay=1e-6))

param_scheduler = [
    dict(
        type='ReduceOnPlateauLR',
        monitor='UAR',
        rule='greater',
        factor=0.3,
        patience=2,
        by_epoch=True)
]

# --auto-scale-lr scales lr by (total batch) / base_batch_size.
auto_scale_lr = dict(enable=False, base_batch_size=16)
