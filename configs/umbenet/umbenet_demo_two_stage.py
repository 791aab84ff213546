# The demo UMBEnet (umbenet_demo.py) with the two-stage prompt training
# recipe (configs/_base_/recipes/umbenet_two_stage.py): stage 1 (epochs
# [0, 5)) shows each sample through one of its modalities, stage 2 (epochs
# [5, 30)) all of them with scene / audio / caption dropped at 0.3 each.
# The schedule is the demo's (constant lr, cosine decay over the last 10
# epochs). Results: docs/two_stage.md.
_base_ = ['./umbenet_demo.py', '../_base_/recipes/umbenet_two_stage.py']

stage1_epochs = 5

custom_hooks = [
    dict(
        type='TwoStageHook',
        switch_at=stage1_epochs,
        by_epoch=True,
        pool_path='head.prompt_pool',
        stage1_augments=[dict(type='BatchUnimodalSample')],
        stage2_augments=[
            dict(
                type='BatchModalityDropout',
                drop_probs=dict(scene=0.3, audio=0.3, caption=0.3))
        ]),
    dict(type='PromptStatisticsHook', interval=5,
         pool_path='head.prompt_pool'),
]
