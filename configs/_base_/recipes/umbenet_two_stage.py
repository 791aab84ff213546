# Two-stage prompt training (UMBEnet, Fig. 4) with modality dropout.
# Stage 1 (epochs [0, stage1_epochs)): each training sample shows one of its
# present modalities (BatchUnimodalSample in the data preprocessor).
# Stage 2 (from epoch stage1_epochs on): the prompt pool is aggregated from
# the stage-1 selection statistics (docs/two_stage.md) and training goes on
# with every available modality, scene/audio/caption dropped independently.
# The hook sets the preprocessor's modality_augments for each stage (this
# file cannot hold a `model` key: mmengine forbids a key in two bases).
# Leaf configs inherit this after the schedule; a different stage length is
# a new custom_hooks list (lists are replaced, not merged), e.g.
#   custom_hooks = [dict(type='TwoStageHook', switch_at=5, ...), ...]
custom_imports = dict(imports=['umbe.engine'], allow_failed_imports=False)

stage1_epochs = 10  # of the schedule's 30; the paper gives no split

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
