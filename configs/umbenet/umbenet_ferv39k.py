# UMBEnet on FERV39k, the fixed All_scenes split (video only), with the
# paper's recipe:
# full-size model, Adam 2e-4 with plateau decay, 30 epochs, batch 8 per GPU
# (SPEC trains on 2 GPUs: tools/dist_train.sh CONFIG 2).
_base_ = [
    '../_base_/models/umbenet.py', '../_base_/datasets/ferv39k.py',
    '../_base_/schedules/adam_plateau_30e.py', '../_base_/default_runtime.py'
]

model = dict(classes={{_base_.classes}})
train_dataloader = dict(batch_size=8)
