# MAFW, single-label 11-class set, 5-fold cross-validation (9,172 clips).
# Prepare with: python tools/data/mafw/prepare.py RELEASE_ROOT data/mafw
# These paths select fold 1. mmengine evaluates a config when it reads it,
# so a `fold` variable changed with --cfg-options could not move the paths;
# no such key exists (tools/train.py rejects unknown keys). Other folds:
# configs/umbenet/umbenet_mafw_fold{1..5}.py, which override the three paths.
_base_ = ['./clip16_224_pipeline.py']

dataset_type = 'MultimodalEmotionDataset'
data_root = 'data/mafw/'
# The class list, written once: label ids, prompts, metrics and plots.
classes = ('anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness',
           'surprise', 'contempt', 'anxiety', 'helplessness',
           'disappointment')
metainfo = dict(classes=classes)

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/fold1_train.json',
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
        ann_file='annotations/fold1_val.json',
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
        ann_file='annotations/fold1_test.json',
        data_root=data_root,
        metainfo=metainfo,
        pipeline={{_base_.test_pipeline}},
        test_mode=True))

val_evaluator = dict(type='UARWARMetric')
test_evaluator = val_evaluator
