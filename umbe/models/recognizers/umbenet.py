"""UMBEnet: the unified-modality, brain-like emotion recognizer."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel

from umbe.registry import MODELS
from umbe.structures import MODALITIES


@MODELS.register_module()
class UMBEnet(BaseModel):
    """UMBEnet (Mai et al., arXiv 2407.15590), missing-modality robust.

    Frozen part (``extract_frozen_features``): the CLIP image tower on the
    face and scene frames and the caption's CLIP text tower. Trainable part
    (``forward_features``): face–scene LSTM, temporal transformer, audio CNN,
    caption projection, fusion transformer over the tokens of
    ``MODALITIES`` (missing ones masked out of attention), prompt pool,
    SFF, inherent prompts and the Dual-Stream head. A feature cache may pass
    the frozen features as ``inputs['frozen_features']``.

    ``forward(inputs, data_samples, mode)``: ``'tensor'`` returns the logits
    ``(B, C)``; ``'loss'`` a dict with ``loss_cls``, ``loss_sff_l1``,
    ``loss_key_match`` (summed by mmengine) and the logged-only
    ``top1_acc``, ``gate_density``; ``'predict'`` the data samples with
    ``pred_score`` ``(C,)`` and ``pred_label``.

    Args:
        classes (Sequence[str]): Class names in label order (from the dataset
            config); passed to the head.
        vision_encoder (dict): ``CLIPVisionEncoder`` config.
        audio_encoder (dict): ``RawAudioEncoder`` config.
        caption_encoder (dict): ``CaptionEncoder`` config.
        face_scene (dict): ``FaceSceneLSTM`` config.
        temporal (dict): ``TemporalTransformer`` config.
        fusion (dict): ``ModalityFusionTransformer`` config.
        head (dict): ``DualStreamHead`` config (without ``classes``).
        key_match_weight (float): Weight of the key matching term.
            Defaults to 1.0.
        data_preprocessor (dict, optional): Defaults to
            ``MultimodalEmotionPreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 classes: Sequence[str],
                 vision_encoder: dict,
                 audio_encoder: dict,
                 caption_encoder: dict,
                 face_scene: dict,
                 temporal: dict,
                 fusion: dict,
                 head: dict,
                 key_match_weight: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultimodalEmotionPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.vision_encoder = MODELS.build(vision_encoder)
        self.audio_encoder = MODELS.build(audio_encoder)
        self.caption_encoder = MODELS.build(caption_encoder)
        self.face_scene = MODELS.build(face_scene)
        self.temporal = MODELS.build(temporal)
        self.fusion = MODELS.build(fusion)
        self.head = MODELS.build(dict(head, classes=classes))
        dims = {
            'vision': self.vision_encoder.embed_dim,
            'audio': self.audio_encoder.embed_dim,
            'caption': self.caption_encoder.embed_dim,
            'text head': self.head.text_encoder.embed_dim,
        }
        width = self.face_scene.embed_dim
        if any(d != width for k, d in dims.items() if k != 'vision'):
            raise ValueError(f'token widths differ: {dims}, face_scene '
                             f'{width}; set every embed_dim to one width.')
        self.scene_proj = (nn.Identity() if dims['vision'] == width else
                           nn.Linear(dims['vision'], width))
        self.key_match_weight = key_match_weight
        self.classes = tuple(classes)

    # frozen part ----------------------------------------------------------
    def extract_frozen_features(self, inputs: dict) -> Dict[str, torch.Tensor]:
        """Run the CLIP towers (no grad when they are frozen).

        Args:
            inputs (dict): The preprocessor's inputs (``face``, ``scene``
                ``(B, T, 3, H, W)``, ``caption`` ``(B, Lc)``).

        Returns:
            dict: ``face``, ``scene`` ``(B, T, Dv)`` frame embeddings and
            ``caption`` ``(B, E)`` caption text embeddings.
        """
        B, T = inputs['face'].shape[:2]
        frames = torch.cat([inputs['face'], inputs['scene']]).flatten(0, 1)
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.vision_encoder.frozen):
            emb = self.vision_encoder(frames).reshape(2, B, T, -1)
        text_enc = self.caption_encoder.text_encoder
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not text_enc.frozen):
            caption = self.caption_encoder.encode_tokens(inputs['caption'])
        return dict(face=emb[0], scene=emb[1], caption=caption)

    # trainable part -------------------------------------------------------
    @staticmethod
    def presence_matrix(present: Dict[str, torch.Tensor]) -> torch.Tensor:
        """``{modality: (B,)}`` -> bool ``(B, M)`` in ``MODALITIES`` order."""
        return torch.stack([present[m].bool() for m in MODALITIES], dim=1)

    def forward_features(self, feats: Dict[str, torch.Tensor],
                         inputs: dict) -> Dict[str, torch.Tensor]:
        """Run the trainable part from the frozen features.

        Args:
            feats (dict): Output of :meth:`extract_frozen_features`.
            inputs (dict): The preprocessor's inputs (``audio`` ``(B, S)``,
                ``frame_mask`` ``(B, T)``, ``present``).

        Returns:
            dict: The head's outputs (``logits`` ``(B, C)`` and the prompt
            terms) plus ``fused`` ``(B, D)``.
        """
        present = self.presence_matrix(inputs['present'])  # (B, M)
        frame_mask = inputs['frame_mask']  # (B, T)
        frames = self.face_scene(feats['face'], feats['scene'],
                                 present[:, MODALITIES.index('scene')])
        video = self.temporal(frames, frame_mask)  # (B, D)
        weights = frame_mask.to(feats['scene'].dtype)[..., None]  # (B, T, 1)
        scene = (feats['scene'] * weights).sum(1) / weights.sum(1).clamp(
            min=1)  # (B, Dv)
        tokens = dict(
            face=video,
            scene=self.scene_proj(scene),
            audio=self.audio_encoder(inputs['audio']),
            caption=self.caption_encoder.project(feats['caption']))
        tokens = torch.stack([tokens[m] for m in MODALITIES], 1)  # (B, M, D)
        fused = self.fusion(tokens, present)  # (B, D)
        bits = 2**torch.arange(len(MODALITIES), device=present.device)
        subset_ids = (present.long() * bits).sum(dim=1)  # (B,)
        out = self.head(fused, subset_ids)
        out['fused'] = fused
        return out

    def _run(self, inputs: dict) -> Dict[str, torch.Tensor]:
        feats = inputs.get('frozen_features')
        if feats is None:
            feats = self.extract_frozen_features(inputs)
        return self.forward_features(feats, inputs)

    def forward(self,
                inputs: dict,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """See the class docstring for the modes.

        Args:
            inputs (dict): The preprocessor's inputs, B samples.
            data_samples (list[ActionDataSample], optional): B samples with
                ``gt_label`` for ``'loss'``.
            mode (str): ``'tensor'``, ``'loss'`` or ``'predict'``.
        """
        out = self._run(inputs)
        logits = out['logits']  # (B, C)
        if mode == 'tensor':
            return logits
        if mode == 'loss':
            labels = torch.cat([s.gt_label.view(-1) for s in data_samples
                                ]).to(logits.device).long()  # (B,)
            losses = dict(loss_cls=F.cross_entropy(logits, labels))
            if 'loss_sff_l1' in out:
                losses['loss_sff_l1'] = out['loss_sff_l1']
                losses['gate_density'] = out['gate_density']
            if 'loss_key_match' in out:
                losses['loss_key_match'] = (self.key_match_weight *
                                            out['loss_key_match'])
            losses['top1_acc'] = (logits.argmax(1) == labels).float().mean(
            ).detach()
            return losses
        if mode == 'predict':
            scores = logits.softmax(dim=1)
            for sample, score in zip(data_samples, scores):
                sample.set_pred_score(score.detach())
                sample.set_pred_label(score.argmax().detach())
            return data_samples
        raise ValueError(f'mode must be tensor, loss or predict, got {mode}')
