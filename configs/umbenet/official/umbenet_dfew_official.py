# What the public code's train_unimod_dfew_v.py trains (github
# Xinji-Mai/UMBEnet, commit c8f75840): JMPF of model_unimod_dfew_v_v4.py on
# DFEW (fold 1), video only. Its loader (data_prepro_dfew.py) returns the
# face frames as the scene stream too, so here the data preprocessor feeds
# the face frames twice; audio and caption are absent (masked out); no SFF
# L1 term in its loss; prompt pool of 16 prompts, top 8, prompt length 64
# (32 pool + 32 inherent); Adam 2e-4, plateau decay on the validation loss,
# batch 8 per GPU x 2 GPUs, single stage.
# Kept fixed (docs/model.md, "Official preset"): DFEW's own 7 class names
# (the public DFEW model prompts MAFW's 11 names, from a set), validation
# on a validation split, per-sample presence.
_base_ = [
    '../../_base_/models/umbenet_official.py', '../../_base_/datasets/dfew.py',
    '../../_base_/schedules/adam_plateau_loss_30e.py',
    '../../_base_/default_runtime.py'
]

# the public DFEW loader's label ids (its map of DFEW's labels 1-7), by umbe
# class name: the converter maps the public logits through it
public_label_order = ('angry', 'disgust', 'fear', 'happy', 'neutral', 'sad',
                      'surprise')

model = dict(
    classes={{_base_.classes}},
    data_preprocessor=dict(
        scene_from_face=True, keep_modalities=('face', 'scene')),
    head=dict(
        prompt_pool=dict(pool_size=16, top_k=8),
        sparse_fusion=dict(l1_weight=0.0)))

train_dataloader = dict(batch_size=8)
val_evaluator = [dict(type='UARWARMetric'), dict(type='ValLossMetric')]
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='loss', rule='less'))
