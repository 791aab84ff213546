# Two-stage prompt training (UMBEnet, Fig. 4) with modality dropout.
# Stage 1 (epochs [0, stage1_epochs)): each training sample shows one of its
# present modalities (BatchUnimodalSample in the data preprocessor).
# Stage 2 (from epoch stage1_epochs on): the prompt pool is aggregated from
# the stage-1 selection statistics (docs/two_stage.md) and training goes on
# with every available modality, scene/audio/caption dropped independently.
# The hook sets the preprocessor's modality_augments for each stage (this
# file cannot hold a `model` key: mmengine forbids a key in two bases).
# Leaf configs inherit this after the schedule; a different stage length is
# one line, `stage1_epochs = N` (TwoStageHook reads it when the run starts).
stage1_epochs = 10  # of the schedule's 30; the paper gives no split

custom_hooks = [
    dict(
        type='TwoStageHook',
        by_epoch=True,
        stage1_augments=[dict(type='BatchUnimodalSample')],
        stage2_augments=[
            dict(
                type='BatchModalityDropout',
                drop_probs=dict(scene=0.3, audio=0.3, caption=0.3))
        ]),
    dict(type='PromptStatisticsHook', interval=5),
]
