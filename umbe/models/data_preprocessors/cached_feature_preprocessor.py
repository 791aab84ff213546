"""CachedFeaturePreprocessor: batch samples of the frozen-feature cache."""
from umbe.registry import MODELS
from .multimodal_emotion_preprocessor import (MultimodalEmotionPreprocessor,
                                              _stack)


@MODELS.register_module()
class CachedFeaturePreprocessor(MultimodalEmotionPreprocessor):
    """Batch ``CachedFeatureDataset`` samples; pixel batches as the parent.

    A batch whose ``inputs`` hold ``frozen_features`` (per sample
    ``face``/``scene`` float ``(T, Dv)``, ``caption`` ``(E,)``) gives
    ``inputs`` with ``frozen_features`` (``face``/``scene`` ``(B, T, Dv)``,
    ``caption`` ``(B, E)``), ``audio`` ``(B, S)``, ``frame_mask`` bool
    ``(B, T)`` and ``present`` ``{modality: bool (B,)}``; ``UMBEnet`` then
    skips its frozen towers. ``keep_modalities`` and ``modality_augments``
    act as in the parent. Any other batch is handled by the parent, so one
    model serves cached training and uncached testing.

    Args: as :class:`MultimodalEmotionPreprocessor`.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        """Batch one collated batch.

        Args:
            data (dict): ``inputs`` and ``data_samples`` (with ``present``
                and ``frame_mask``).
            training (bool): Whether the batch is for training.

        Returns:
            dict: ``inputs`` (as described above) and ``data_samples``.
        """
        raw = data.get('inputs')
        if not (isinstance(raw, dict) and 'frozen_features' in raw):
            return super().forward(data, training)
        data = self.cast_data(data)
        raw, samples = data['inputs'], data['data_samples']
        feats = {
            key: _stack(value).to(self.device).float()
            for key, value in raw['frozen_features'].items()
        }  # face/scene (B, T, Dv), caption (B, E)
        inputs = dict(frozen_features=feats,
                      **self._audio_and_masks(raw, samples, training))
        return dict(inputs=inputs, data_samples=samples)
