# BASELINE: CLIP ViT-L/14 zero-shot on FERV39K (test split of the dataset
# config), before any training: python tools/test.py THIS_FILE none
# (configs/_base_/models/zero_shot_clip.py; docs/research_tools.md).
_base_ = [
    '../../_base_/models/zero_shot_clip.py',
    '../../_base_/datasets/ferv39k.py', '../../_base_/default_runtime.py'
]

model = dict(classes={{_base_.classes}})
