# The demo UMBEnet with the paper's frozen image tower, sized like the full
# model's: in umbenet_dfew.py the frozen ViT-L/14 is 97.4 % of a clip's
# FLOPs (3327 of 3415 GFLOPs, tools/analysis/benchmark.py); here a frozen
# random-init ViT (patch 4 on the 32-px frames, width 128, 5 layers) is
# 1.38 of 1.42 GFLOPs per clip (97.5 %). umbenet_demo.py instead trains a
# tiny tower (0.05 GFLOPs), which suits a quick demo but not a test of
# what the frozen-feature cache saves.
# Trained from the cache: umbenet_demo_cached.py (the same model);
# tools/analysis/benchmark_epochs.py compares the two epoch by epoch.
_base_ = ['./umbenet_demo.py']

model = dict(
    vision_encoder=dict(
        model_name='demo-frozen-vit',
        frozen=True,
        arch_cfg=dict(
            vision_cfg=dict(patch_size=4, width=128, layers=5,
                            head_width=32))))
