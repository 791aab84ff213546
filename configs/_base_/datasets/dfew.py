# DFEW, 5-fold cross-validation over its 11,697 single-labelled clips.
# Prepare with: python tools/data/dfew/prepare.py RELEASE_ROOT data/dfew
# These paths select fold 1. mmengine evaluates a config when it reads it,
# so a `fold` variable changed with --cfg-options could not move the paths;
# no such key exists (tools/train.py rejects unknown keys). Other folds:
# configs/umbenet/umbenet_dfew_fold{1..5}.py, which override the three paths.
_base_ = ['./multimodal_emotion.py']

data_root = 'data/dfew/'
# The class list, written once: label ids, prompts, metrics and plots.
classes = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')
metainfo = dict(classes=classes)
# named when an annotation file is missing
prepare_command = 'python tools/data/dfew/prepare.py RELEASE_ROOT data/dfew'

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
