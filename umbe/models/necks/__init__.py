from .face_scene_lstm import FaceSceneLSTM
from .modality_fusion_transformer import ModalityFusionTransformer
from .sparse_feature_fusion import SparseFeatureFusion
from .temporal_transformer import TemporalTransformer

__all__ = [
    'FaceSceneLSTM', 'TemporalTransformer', 'ModalityFusionTransformer',
    'SparseFeatureFusion'
]
