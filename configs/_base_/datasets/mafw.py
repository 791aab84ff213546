# MAFW, single-label 11-class set, 5-fold cross-validation (9,172 clips).
# Prepare with: python tools/data/mafw/prepare.py RELEASE_ROOT data/mafw
# These paths select fold 1. mmengine evaluates a config when it reads it,
# so a `fold` variable changed with --cfg-options could not move the paths;
# no such key exists (tools/train.py rejects unknown keys). Other folds:
# configs/umbenet/umbenet_mafw_fold{1..5}.py, which override the three paths.
_base_ = ['./multimodal_emotion.py']

data_root = 'data/mafw/'
# The class list, written once: label ids, prompts, metrics and plots.
classes = ('anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness',
           'surprise', 'contempt', 'anxiety', 'helplessness', 'disappointment')
metainfo = dict(classes=classes)
# named when an annotation file is missing
prepare_command = 'python tools/data/mafw/prepare.py RELEASE_ROOT data/mafw'

train_dataloader = dict(
    dataset=dict(
        ann_file='annotations/fold1_train.json',
        data_root=data_root,
        metainfo=metainfo,
        prepare_command=prepare_command))
val_dataloader = dict(
    dataset=dict(
        ann_file='annotations/fold1_val.json',
        data_root=data_root,
        metainfo=metainfo,
        prepare_command=prepare_command))
test_dataloader = dict(
    dataset=dict(
        ann_file='annotations/fold1_test.json',
        data_root=data_root,
        metainfo=metainfo,
        prepare_command=prepare_command))
