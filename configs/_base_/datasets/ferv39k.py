# FERV39k, the fixed All_scenes split (31,088 train / 7,847 test); val is
# carved from train_All. Video only: the release has no audio.
# Prepare with: python tools/data/ferv39k/prepare.py RELEASE_ROOT data/ferv39k
_base_ = ['./clip16_224_pipeline.py']

dataset_type = 'MultimodalEmotionDataset'
data_root = 'data/ferv39k/'
# The class list, written once: label ids, prompts, metrics and plots.
classes = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')
metainfo = dict(classes=classes)

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/train.json',
        data_root=data_root,
        metainfo=metainfo,
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/val.json',
        data_root=data_root,
        metainfo=metainfo,
        pipeline={{_base_.val_pipeline}},
        test_mode=True))
test_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/test.json',
        data_root=data_root,
        metainfo=metainfo,
        pipeline={{_base_.test_pipeline}},
        test_mode=True))

val_evaluator = dict(type='UARWARMetric')
test_evaluator = val_evaluator
