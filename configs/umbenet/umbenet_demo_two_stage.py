# The demo UMBEnet (umbenet_demo.py) with the two-stage prompt training
# recipe (configs/_base_/recipes/umbenet_two_stage.py): stage 1 (epochs
# [0, 5)) shows each sample through one of its modalities, stage 2 (epochs
# [5, 30)) all of them with scene / audio / caption dropped at 0.3 each.
# The schedule is the demo's (constant lr, cosine decay over the last 10
# epochs). Results: docs/two_stage.md.
_base_ = ['./umbenet_demo.py', '../_base_/recipes/umbenet_two_stage.py']

stage1_epochs = 5
