# The demo UMBEnet trained and tested from the frozen-feature cache
# (docs/feature_cache.md). Build the cache first:
#   python tools/cache_features.py configs/umbenet/umbenet_demo_cached.py
# The CLIP image tower and the caption's text tower are frozen here (a
# trainable tower cannot be cached); the head's text tower stays trainable.
_base_ = ['./umbenet_demo.py']

# default_runtime's FeatureCacheCheckHook refuses a cache whose towers or
# preprocessing differ from the model's.

config_file = 'configs/umbenet/umbenet_demo_cached.py'
cache_root = 'data/demo/feature_cache/umbenet_demo_cached'

model = dict(
    data_preprocessor=dict(type='CachedFeaturePreprocessor'),
    vision_encoder=dict(frozen=True),
    caption_encoder=dict(text_encoder=dict(frozen=True)))

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CachedFeatureDataset',
        cache_dir=cache_root + '/train',
        source={{_base_.train_dataloader.dataset}},
        pipeline=[],  # presence-only transforms (ModalityDropout) go here
        num_views=1,  # K cached views per train clip, see the docs
        metainfo={{_base_.metainfo}},
        config=config_file,
        split='train'))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CachedFeatureDataset',
        cache_dir=cache_root + '/val',
        source={{_base_.val_dataloader.dataset}},
        metainfo={{_base_.metainfo}},
        config=config_file,
        split='val',
        test_mode=True))
test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CachedFeatureDataset',
        cache_dir=cache_root + '/test',
        source={{_base_.test_dataloader.dataset}},
        metainfo={{_base_.metainfo}},
        config=config_file,
        split='test',
        test_mode=True))
