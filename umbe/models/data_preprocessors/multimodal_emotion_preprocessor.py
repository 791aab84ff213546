"""MultimodalEmotionPreprocessor: batch the per-sample modality dict."""
import copy
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.model import BaseDataPreprocessor
from open_clip.constants import OPENAI_DATASET_MEAN, OPENAI_DATASET_STD

from umbe.registry import MODELS
from umbe.structures import MODALITIES, expand_modalities


def _stack(value) -> torch.Tensor:
    """Stack a list of per-sample arrays (pseudo_collate) or pass a batch."""
    if isinstance(value, torch.Tensor):
        return value
    return torch.stack([torch.as_tensor(np.asarray(v)) if not isinstance(
        v, torch.Tensor) else v for v in value])


@MODELS.register_module()
class MultimodalEmotionPreprocessor(BaseDataPreprocessor):
    """Stack, normalise and mask the modalities of a batch.

    Output ``inputs``: ``face``/``scene`` float ``(B, T, 3, H, W)``
    normalised with ``mean``/``std``, ``audio`` ``(B, S)``, ``caption`` long
    ``(B, Lc)``, ``frame_mask`` bool ``(B, T)`` and ``present`` ``{modality:
    bool (B,)}`` (from the data samples).

    Args:
        mean (Sequence[float]): Pixel mean (0-255 scale). Defaults to CLIP's.
        std (Sequence[float]): Pixel std (0-255 scale). Defaults to CLIP's.
        keep_modalities (Sequence[str], optional): Modalities to keep; every
            other one is marked absent, in training and testing. ``'video'``
            means face and scene. None keeps all. Defaults to None.
        modality_augments (list[dict], optional): Configs (built with
            ``MODELS``) of callables ``(present, training) -> present``
            applied in training only, in order. Defaults to None.
        non_blocking (bool): Copy the batch to the GPU asynchronously (with
            the loaders' ``pin_memory=True``, the copy overlaps the step).
            Defaults to True.
        scene_from_face (bool): Feed the face frames as the scene stream
            too (their presence included), as the public DFEW loader does.
            Defaults to False.
    """

    def __init__(self,
                 mean: Sequence[float] = tuple(
                     255 * m for m in OPENAI_DATASET_MEAN),
                 std: Sequence[float] = tuple(
                     255 * s for s in OPENAI_DATASET_STD),
                 keep_modalities: Optional[Sequence[str]] = None,
                 modality_augments: Optional[List[dict]] = None,
                 non_blocking: bool = True,
                 scene_from_face: bool = False) -> None:
        super().__init__(non_blocking)
        self.scene_from_face = scene_from_face
        self.register_buffer('mean', torch.tensor(mean).view(1, 1, 3, 1, 1),
                             False)
        self.register_buffer('std', torch.tensor(std).view(1, 1, 3, 1, 1),
                             False)
        self.set_keep_modalities(keep_modalities)
        self.set_modality_augments(modality_augments)

    def set_keep_modalities(
            self, names: Optional[Union[str, Sequence[str]]]) -> None:
        """Keep only these modalities (``'video'`` = face + scene); None
        keeps all. Used by ``tools/test.py --modalities`` and subset
        evaluation."""
        self.keep_modalities = None if names is None else expand_modalities(
            names, 'keep_modalities')

    def set_modality_augments(
            self, augments: Optional[List[Union[dict, Callable]]]) -> None:
        """Replace the training-time augments (configs are built with
        ``MODELS``); the two-stage hook swaps them at the switch."""
        self.modality_augments = [
            MODELS.build(copy.deepcopy(cfg)) if isinstance(cfg, dict) else cfg
            for cfg in (augments or [])
        ]

    def forward(self, data: dict, training: bool = False) -> dict:
        """Batch one collated batch.

        Args:
            data (dict): ``inputs`` (dict of per-sample lists or stacked
                tensors) and ``data_samples`` (list of ActionDataSample with
                ``present`` and ``frame_mask``).
            training (bool): Whether the batch is for training.

        Returns:
            dict: ``inputs`` (as described above) and ``data_samples``.
        """
        data = self.cast_data(data)
        raw = data['inputs']
        samples = data.get('data_samples')
        if not isinstance(raw, dict) or samples is None:
            raise TypeError('MultimodalEmotionPreprocessor expects inputs as '
                            'a dict per modality and data samples; pack them'
                            ' with PackMultimodalInputs.')
        inputs = {}
        for key in ('face', 'scene'):
            source = 'face' if self.scene_from_face else key
            x = _stack(raw[source]).to(self.device).float()  # (B,T,3,H,W)
            inputs[key] = (x - self.mean) / self.std
        inputs['caption'] = _stack(raw['caption']).to(self.device).long()
        inputs.update(self._audio_and_masks(raw, samples, training))
        return dict(inputs=inputs, data_samples=samples)

    def _audio_and_masks(self, raw: dict, samples: list,
                         training: bool) -> Dict[str, object]:
        """What pixel and cached batches share: ``audio`` ``(B, S)``,
        ``frame_mask`` bool ``(B, T)`` and ``present`` ``{modality: bool
        (B,)}`` with ``keep_modalities`` and, in training, the
        ``modality_augments`` applied."""
        present = self._presence(samples)
        if training:
            for augment in self.modality_augments:
                present = augment(present, training)
        return dict(
            audio=_stack(raw['audio']).to(self.device).float(),
            frame_mask=_stack([
                torch.as_tensor(np.asarray(s.frame_mask)) for s in samples
            ]).to(self.device).bool(),
            present=present)

    def _presence(self, samples: list) -> Dict[str, torch.Tensor]:
        """Presence flags ``{modality: bool (B,)}``, keep_modalities applied.
        """
        present = {}
        for m in MODALITIES:
            source = 'face' if self.scene_from_face and m == 'scene' else m
            flags = [bool(s.present[source]) for s in samples]
            if self.keep_modalities is not None and (
                    m not in self.keep_modalities):
                flags = [False] * len(samples)
            present[m] = torch.tensor(flags, device=self.device)
        return present
