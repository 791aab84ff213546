# The dataloaders and evaluators that every umbe dataset config shares:
# MultimodalEmotionDataset on JSON list annotations, the full-size pipelines,
# pseudo_collate, batch 8 per GPU, persistent workers and pinned memory
# (page-locked batches copy to the GPU asynchronously; on a CPU-only machine
# PyTorch warns once and skips it), UAR/WAR. A dataset config inherits this
# and gives its class list, data_root and annotation files.
# mmengine evaluates this file on its own, so a variable set again in a
# child (data_root, metainfo, a pipeline) does not reach the dicts below:
# the child sets the dataloader keys themselves.
_base_ = ['./clip16_224_pipeline.py']

dataset_type = 'MultimodalEmotionDataset'

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/train.json',
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/val.json',
        pipeline={{_base_.val_pipeline}},
        test_mode=True))
test_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/test.json',
        pipeline={{_base_.test_pipeline}},
        test_mode=True))

val_evaluator = dict(type='UARWARMetric')
test_evaluator = val_evaluator
