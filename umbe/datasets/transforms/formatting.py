"""Packing of a loaded clip into model inputs and a data sample."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

from umbe.registry import TRANSFORMS
from umbe.structures import MODALITIES

#: results key holding each modality's array after the loaders
_SOURCE_KEYS = dict(
    face='face', scene='scene', audio='audio', caption='caption_tokens')
_DTYPES = dict(
    face=torch.uint8, scene=torch.uint8, audio=torch.float32,
    caption=torch.int64)


@TRANSFORMS.register_module()
class PackMultimodalInputs(BaseTransform):
    """Pack the loaded modalities per docs/architecture.md.

    Output ``inputs`` is a dict with ``face``/``scene`` uint8 (T, 3, H, W),
    ``audio`` float32 (S,) and ``caption`` int64 (Lc,); ``data_samples`` is
    an :class:`ActionDataSample` with ``gt_label``, ``frame_mask`` bool (T,),
    ``present`` (``{modality: bool}`` for every name in ``MODALITIES``) and
    the metainfo keys in ``meta_keys``.

    A modality that no loader produced raises, naming the transform that is
    missing from the pipeline (never a silently absent key).

    Args:
        meta_keys (Sequence[str]): Keys of ``results`` copied into the
            metainfo. Defaults to ('filename', 'clip_id').
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('filename', 'clip_id')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        """Pack the results.

        Args:
            results (dict): Output of the loaders.

        Returns:
            dict: ``inputs`` (dict of tensors) and ``data_samples``.
        """
        loaders = dict(face='LoadFaceSceneFrames',
                       scene='LoadFaceSceneFrames', audio='LoadAudio',
                       caption='TokenizeCaption')
        inputs, present = {}, {}
        for modality in MODALITIES:
            value = results.get(_SOURCE_KEYS[modality])
            if not isinstance(value, np.ndarray):
                raise KeyError(
                    f'PackMultimodalInputs: no "{modality}" array in the '
                    f'results; put {loaders[modality]} before it in the '
                    'pipeline')
            inputs[modality] = torch.from_numpy(
                np.ascontiguousarray(value)).to(_DTYPES[modality])
            present[modality] = bool(
                results.get('present', {}).get(modality, False))

        data_sample = ActionDataSample()
        if 'label' in results:
            data_sample.set_gt_label(results['label'])
        data_sample.frame_mask = torch.from_numpy(
            np.asarray(results['frame_mask'], dtype=bool))
        data_sample.present = present
        data_sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
