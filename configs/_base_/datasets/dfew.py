# DFEW, 5-fold cross-validation over its 11,697 single-labelled clips.
# Prepare with: python tools/data/dfew/prepare.py RELEASE_ROOT data/dfew
# `fold` picks fold{fold}_{train,val,test}.json; mmengine evaluates the
# paths below when the file is read, so `--cfg-options fold=N` does NOT move
# them: use configs/umbenet/umbenet_dfew_fold{N}.py, which set them again.
_base_ = ['./clip16_224_pipeline.py']

dataset_type = 'MultimodalEmotionDataset'
data_root = 'data/dfew/'
# The class list, written once: label ids, prompts, metrics and plots.
classes = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')
fold = 1

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=f'annotations/fold{fold}_train.json',
        data_root=data_root,
        metainfo=dict(classes=classes),
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=f'annotations/fold{fold}_val.json',
        data_root=data_root,
        metainfo=dict(classes=classes),
        pipeline={{_base_.val_pipeline}},
        test_mode=True))
test_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=f'annotations/fold{fold}_test.json',
        data_root=data_root,
        metainfo=dict(classes=classes),
        pipeline={{_base_.test_pipeline}},
        test_mode=True))

val_evaluator = dict(type='UARWARMetric')
test_evaluator = val_evaluator
