# umbenet_mafw.py on fold 1: only the annotation files change.
_base_ = ['./umbenet_mafw.py']

train_dataloader = dict(
    dataset=dict(ann_file='annotations/fold1_train.json'))
val_dataloader = dict(
    dataset=dict(ann_file='annotations/fold1_val.json'))
test_dataloader = dict(
    dataset=dict(ann_file='annotations/fold1_test.json'))
