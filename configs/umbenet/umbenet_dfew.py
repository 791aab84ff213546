# UMBEnet on DFEW, fold 1 of the official 5-fold protocol (folds 2-5:
# umbenet_dfew_fold{2..5}.py), with the paper's recipe:
# two-stage prompt training,
# full-size model, Adam 2e-4 with plateau decay, 30 epochs, batch 8 per GPU
# (SPEC trains on 2 GPUs: tools/dist_train.sh CONFIG 2).
_base_ = [
    '../_base_/models/umbenet.py', '../_base_/datasets/dfew.py',
    '../_base_/schedules/adam_plateau_30e.py', '../_base_/default_runtime.py',
    '../_base_/recipes/umbenet_two_stage.py'
]
# Two-stage recipe (docs/two_stage.md): stage 1 = epochs [0, 10) unimodal,
# stage 2 = epochs [10, 30) all modalities with dropout (p = 0.3 for scene,
# audio and caption); the lengths are `stage1_epochs` of the recipe and the
# schedule's `max_epochs`: set either here (or with --cfg-options).

model = dict(classes={{_base_.classes}})
train_dataloader = dict(batch_size=8)
