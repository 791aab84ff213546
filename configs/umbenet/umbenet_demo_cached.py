# umbenet_demo_frozen.py trained and tested from the frozen-feature cache
# (docs/feature_cache.md): the same model, its frozen image tower and
# caption text tower run once per clip instead of every step. Build the
# cache first:
#   python tools/cache_features.py configs/umbenet/umbenet_demo_cached.py
# The head's text tower is not cached (the prompts pass through it).
# Epoch time and val UAR/WAR against the uncached twin:
#   python tools/analysis/benchmark_epochs.py \
#       configs/umbenet/umbenet_demo_frozen.py \
#       configs/umbenet/umbenet_demo_cached.py
_base_ = ['./umbenet_demo_frozen.py']

# default_runtime's FeatureCacheCheckHook refuses a cache whose towers or
# preprocessing differ from the model's.

config_file = 'configs/umbenet/umbenet_demo_cached.py'
cache_root = 'data/demo/feature_cache/umbenet_demo_cached'

model = dict(
    data_preprocessor=dict(type='CachedFeaturePreprocessor'),
    caption_encoder=dict(text_encoder=dict(frozen=True)))

# A cached clip is a few memory-mapped rows (0.07 ms to read): worker
# processes would only add their inter-process copies and take CPU from the
# training step, so the cached loaders run in the main process.
cached_loader = dict(num_workers=0, persistent_workers=False)
# `source` is the split's uncached dataset (its pipeline keys the cache)
cached_dataset = dict(
    _delete_=True,
    type='CachedFeatureDataset',
    metainfo={{_base_.metainfo}},
    config=config_file)
train_dataloader = dict(
    **cached_loader,
    dataset=dict(
        **cached_dataset,
        cache_dir=cache_root + '/train',
        source={{_base_.train_dataloader.dataset}},
        pipeline=[],  # presence-only transforms (ModalityDropout) go here
        num_views=1,  # K cached views per train clip, see the docs
        split='train'))
val_dataloader = dict(
    **cached_loader,
    dataset=dict(
        **cached_dataset,
        cache_dir=cache_root + '/val',
        source={{_base_.val_dataloader.dataset}},
        split='val',
        test_mode=True))
test_dataloader = dict(
    **cached_loader,
    dataset=dict(
        **cached_dataset,
        cache_dir=cache_root + '/test',
        source={{_base_.test_dataloader.dataset}},
        split='test',
        test_mode=True))
