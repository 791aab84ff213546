from .face_scene_lstm import FaceSceneLSTM, ResidualFaceSceneLSTM
from .mean_pool_fusion_transformer import MeanPoolFusionTransformer
from .mean_pool_temporal_transformer import MeanPoolTemporalTransformer
from .modality_fusion_transformer import ModalityFusionTransformer
from .sparse_feature_fusion import (SparseFeatureFusion,
                                    WeightL1SparseFeatureFusion)
from .temporal_transformer import TemporalTransformer

__all__ = [
    'FaceSceneLSTM', 'TemporalTransformer', 'ModalityFusionTransformer',
    'SparseFeatureFusion', 'ResidualFaceSceneLSTM',
    'MeanPoolTemporalTransformer', 'MeanPoolFusionTransformer',
    'WeightL1SparseFeatureFusion'
]
