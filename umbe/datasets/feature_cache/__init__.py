"""The frozen-feature cache: format, keys, writer and reader, one room.

See docs/feature_cache.md. ``tools/cache_features.py`` runs the writer;
``CachedFeatureDataset`` reads; ``FeatureCacheCheckHook`` (engine) checks a
cache against the model a run trains.
"""
from .cached_feature_dataset import CachedFeatureDataset
from .format import (CACHE_VERSION, CLIPS, MANIFEST, FeatureCacheArrays,
                     StaleCacheError, read_manifest, rebuild_command,
                     write_manifest)
from .keys import (PRESENCE_TRANSFORMS, SOURCE_COMPONENTS,
                   cacheable_pipeline, check_components, check_frozen,
                   check_model, make_key, model_components,
                   presence_pipeline, source_components, weights_sha1)
from .writer import DEFAULT_TRAIN_VIEWS, cache_split, split_target

__all__ = [
    'CachedFeatureDataset', 'CACHE_VERSION', 'CLIPS', 'MANIFEST',
    'FeatureCacheArrays', 'StaleCacheError', 'read_manifest',
    'rebuild_command', 'write_manifest', 'PRESENCE_TRANSFORMS',
    'SOURCE_COMPONENTS', 'cacheable_pipeline', 'check_components',
    'check_frozen', 'check_model', 'make_key', 'model_components',
    'presence_pipeline', 'source_components', 'weights_sha1',
    'DEFAULT_TRAIN_VIEWS', 'cache_split', 'split_target'
]
