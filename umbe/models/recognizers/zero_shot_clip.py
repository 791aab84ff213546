"""ZeroShotCLIP: an emotion readout before any training (a baseline)."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from umbe.models.utils import (FrozenTowerModule, RandomTowersError,
                               random_towers_message)
from umbe.registry import MODELS
from umbe.structures import MODALITIES


@MODELS.register_module()
class ZeroShotCLIP(BaseModel):
    """CLIP zero-shot emotion recognition from the face frames: a baseline
    that needs no training and no checkpoint, not UMBEnet.

    Each real frame of the face stream goes through the CLIP image tower
    and is L2-normalised; the clip embedding is the normalised mean over
    the real frames (``frame_mask``). A clip whose face is absent uses its
    scene frames the same way; with neither, the embedding is zero and all
    logits are 0 (uniform scores). The :class:`ZeroShotHead` compares it
    with the template-averaged class texts of the same CLIP model. Audio
    and caption do not enter the logits (CLIP has no audio tower; a caption
    against the class texts is a text-text cosine on another scale); the
    caption is encoded by the head's text tower for the modality tokens.

    The interface is :class:`UMBEnet`'s, so ``tools/test.py``,
    ``tools/infer.py`` and ``tools/extract_features.py`` run it:
    ``extract_frozen_features`` / ``forward_features``, and ``forward`` with
    modes ``'tensor'`` (logits ``(B, C)``), ``'predict'`` (``pred_score``,
    ``pred_label``) and ``'loss'`` (``loss_cls``, the cross-entropy, for
    validation only: nothing here trains).

    Args:
        classes (Sequence[str]): Class names in label order.
        vision_encoder (dict): ``CLIPVisionEncoder`` config.
        head (dict): ``ZeroShotHead`` config (without ``classes``); its text
            tower must be the image tower's CLIP model.
        allow_random_towers (bool): Build with towers that have no weights
            (``pretrained=None``; tests). Defaults to False.
        data_preprocessor (dict, optional): Defaults to
            ``MultimodalEmotionPreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    #: predicts with the weights its config loads (``tools/*`` accept the
    #: checkpoint ``none``)
    runs_untrained = True

    def __init__(self,
                 classes: Sequence[str],
                 vision_encoder: dict,
                 head: dict,
                 allow_random_towers: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultimodalEmotionPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.vision_encoder = MODELS.build(vision_encoder)
        self.head = MODELS.build(dict(head, classes=classes))
        text_dim = self.head.text_encoder.embed_dim
        if text_dim != self.vision_encoder.embed_dim:
            raise ValueError(
                f'the image tower {self.vision_encoder.arch} embeds into '
                f'{self.vision_encoder.embed_dim} dims, the text tower '
                f'{self.head.text_encoder.arch} into {text_dim}: zero-shot '
                'needs both towers of one CLIP model')
        self.classes = tuple(classes)
        self.embed_dim = text_dim
        if not allow_random_towers:
            random = [
                f'{name} ({m.arch})' for name, m in self.named_modules()
                if isinstance(m, FrozenTowerModule) and m.weights_file is None
            ]
            if random:
                raise RandomTowersError(random_towers_message(random))

    def frozen_towers(self) -> Dict[str, torch.nn.Module]:
        """The towers :meth:`extract_frozen_features` runs (all of them)."""
        return {
            'vision_encoder': self.vision_encoder,
            'head.text_encoder': self.head.text_encoder
        }

    @torch.no_grad()
    def extract_frozen_features(self, inputs: dict) -> Dict[str, torch.Tensor]:
        """Run the CLIP towers.

        Args:
            inputs (dict): The preprocessor's inputs (``face``, ``scene``
                ``(B, T, 3, H, W)``, ``caption`` ``(B, Lc)``).

        Returns:
            dict: ``face``, ``scene`` ``(B, T, E)`` L2-normalised frame
            embeddings and ``caption`` ``(B, E)`` (normalised).
        """
        B, T = inputs['face'].shape[:2]
        frames = torch.cat([inputs['face'], inputs['scene']]).flatten(0, 1)
        emb = F.normalize(self.vision_encoder(frames), dim=-1)
        emb = emb.reshape(2, B, T, -1)  # (2, B, T, E)
        caption = F.normalize(self.head.text_encoder(inputs['caption']),
                              dim=-1)  # (B, E)
        return dict(face=emb[0], scene=emb[1], caption=caption)

    def forward_features(self, feats: Dict[str, torch.Tensor],
                         inputs: dict) -> Dict[str, torch.Tensor]:
        """Pool the frames and classify.

        Args:
            feats (dict): Output of :meth:`extract_frozen_features`.
            inputs (dict): ``frame_mask`` ``(B, T)`` and ``present``.

        Returns:
            dict: ``logits`` ``(B, C)``, ``class_embeddings`` ``(1, C, E)``,
            ``fused`` ``(B, E)`` (the clip embedding, normalised; zero
            without face and scene) and ``tokens`` ``(B, M, E)`` (face and
            scene frame means, the caption embedding, zeros for audio).
        """
        weights = inputs['frame_mask'].to(feats['face'].dtype)[..., None]
        count = weights.sum(1).clamp(min=1)  # (B, 1)
        face = F.normalize((feats['face'] * weights).sum(1) / count, dim=-1)
        scene = F.normalize((feats['scene'] * weights).sum(1) / count,
                            dim=-1)  # (B, E)
        present = inputs['present']
        has_face = present['face'].to(face.device)[:, None]  # (B, 1)
        has_scene = present['scene'].to(face.device)[:, None]
        fused = torch.where(has_face, face,
                            torch.where(has_scene, scene,
                                        torch.zeros_like(face)))  # (B, E)
        tokens = dict(face=face, scene=scene, caption=feats['caption'],
                      audio=torch.zeros_like(face))
        out = self.head(fused)
        out['fused'] = fused
        out['tokens'] = torch.stack([tokens[m] for m in MODALITIES],
                                    1)  # (B, M, E)
        return out

    def forward(self,
                inputs: dict,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """See the class docstring for the modes.

        Args:
            inputs (dict): The preprocessor's inputs, B samples.
            data_samples (list[ActionDataSample], optional): B samples.
            mode (str): ``'tensor'``, ``'loss'`` or ``'predict'``.
        """
        feats = inputs.get('frozen_features')
        if feats is None:
            feats = self.extract_frozen_features(inputs)
        logits = self.forward_features(feats, inputs)['logits']  # (B, C)
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            labels = torch.cat([s.gt_label.view(-1) for s in data_samples
                                ]).to(logits.device).long()  # (B,)
            return dict(loss_cls=F.cross_entropy(logits, labels))
        if mode == 'predict':
            for sample, score in zip(data_samples, logits.softmax(dim=1)):
                sample.set_pred_score(score)
                sample.set_pred_label(score.argmax())
            return data_samples
        raise ValueError(f'mode must be tensor, loss or predict, got {mode}')
