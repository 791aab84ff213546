# umbenet_mafw.py on fold 5: only the annotation files change.
_base_ = ['./umbenet_mafw.py']

train_dataloader = dict(
    dataset=dict(ann_file='annotations/fold5_train.json'))
val_dataloader = dict(
    dataset=dict(ann_file='annotations/fold5_val.json'))
test_dataloader = dict(
    dataset=dict(ann_file='annotations/fold5_test.json'))
