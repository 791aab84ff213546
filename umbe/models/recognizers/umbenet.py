"""UMBEnet: the unified-modality, brain-like emotion recognizer."""
import inspect
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel

from umbe.models.utils import (FrozenTowerModule, RandomTowersError,
                               random_towers_message)
from umbe.registry import MODELS
from umbe.structures import MODALITIES, presence_matrix, subset_ids


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

    The model states its width and clip length once: ``embed_dim`` and
    ``clip_len`` are passed to the children that need them (a child config
    that sets one of them to another value is refused), and the fusion
    gets one token per name of ``MODALITIES``.

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
        embed_dim (int): D, the width of every modality token and of the
            fused embedding; the head's text tower must have it. Defaults
            to 768.
        clip_len (int): T, frames per clip (the temporal transformer's
            positions). Defaults to 16.
        key_match_weight (float): Weight of the key matching term; 0 leaves
            the term out (the keys then get no gradient, as in the public
            code). Defaults to 1.0.
        allow_random_towers (bool): Build even when a frozen CLIP tower has
            no weights (``pretrained=None``); otherwise that raises
            :class:`RandomTowersError` before any data is loaded. The demo
            configs, tests and benchmarks set it. Defaults to False.
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
                 embed_dim: int = 768,
                 clip_len: int = 16,
                 key_match_weight: float = 1.0,
                 allow_random_towers: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultimodalEmotionPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.vision_encoder = MODELS.build(vision_encoder)
        vision_dim = self.vision_encoder.embed_dim
        self.audio_encoder = MODELS.build(
            _derived(audio_encoder, 'audio_encoder', embed_dim=embed_dim))
        self.caption_encoder = MODELS.build(
            _derived(caption_encoder, 'caption_encoder',
                     embed_dim=embed_dim))
        self.face_scene = MODELS.build(
            _derived(face_scene, 'face_scene', in_dim=vision_dim,
                     embed_dim=embed_dim))
        self.temporal = MODELS.build(
            _derived(temporal, 'temporal', embed_dim=embed_dim,
                     max_frames=clip_len))
        self.fusion = MODELS.build(
            _derived(fusion, 'fusion', embed_dim=embed_dim,
                     num_modalities=len(MODALITIES)))
        self.head = MODELS.build(dict(head, classes=classes))
        text_dim = self.head.text_encoder.embed_dim
        if text_dim != embed_dim:
            raise ValueError(
                f'the head\'s text tower {self.head.text_encoder.arch} '
                f'embeds into {text_dim} dims, the model\'s embed_dim is '
                f'{embed_dim}: set embed_dim={text_dim} (the fused embedding '
                'is compared with its class embeddings)')
        self.scene_proj = (nn.Identity() if vision_dim == embed_dim else
                           nn.Linear(vision_dim, embed_dim))
        self.embed_dim = embed_dim
        self.clip_len = clip_len
        self.key_match_weight = key_match_weight
        self.classes = tuple(classes)
        if not allow_random_towers:
            self._check_towers()

    # frozen part ----------------------------------------------------------
    def frozen_towers(self) -> Dict[str, nn.Module]:
        """The towers :meth:`extract_frozen_features` runs, by attribute
        path: what a feature cache stores the output of (and hashes)."""
        return {
            'vision_encoder': self.vision_encoder,
            'caption_encoder.text_encoder': self.caption_encoder.text_encoder
        }

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
    def forward_features(self, feats: Dict[str, torch.Tensor],
                         inputs: dict) -> Dict[str, torch.Tensor]:
        """Run the trainable part from the frozen features.

        Args:
            feats (dict): Output of :meth:`extract_frozen_features`.
            inputs (dict): The preprocessor's inputs (``audio`` ``(B, S)``,
                ``frame_mask`` ``(B, T)``, ``present``).

        Returns:
            dict: The head's outputs (``logits`` ``(B, C)`` and the prompt
            terms) plus ``fused`` ``(B, D)`` and ``tokens`` ``(B, M, D)``,
            the modality tokens in ``MODALITIES`` order before the fusion.
        """
        present = presence_matrix(inputs['present'])  # (B, M)
        frame_mask = inputs['frame_mask']  # (B, T)
        coupled = self.face_scene(feats['face'], feats['scene'],
                                  present[:, MODALITIES.index('scene')],
                                  frame_mask)
        video = self.temporal(coupled['frames'], frame_mask)  # (B, D)
        tokens = dict(
            face=video,
            scene=self.scene_proj(coupled['scene']),  # (B, D)
            audio=self.audio_encoder(inputs['audio']),
            caption=self.caption_encoder.project(feats['caption']))
        tokens = torch.stack([tokens[m] for m in MODALITIES], 1)  # (B, M, D)
        fused = self.fusion(tokens, present)  # (B, D)
        out = self.head(fused, subset_ids(present))  # subsets: (B,)
        out['fused'] = fused
        out['tokens'] = tokens
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
            if 'loss_key_match' in out and self.key_match_weight:
                losses['loss_key_match'] = (self.key_match_weight *
                                            out['loss_key_match'])
            losses['top1_acc'] = (logits.argmax(1) == labels).float().mean(
            ).detach()
            return losses
        if mode == 'predict':
            scores = logits.softmax(dim=1)
            sample_losses = self._sample_losses(out, data_samples)
            for i, (sample, score) in enumerate(zip(data_samples, scores)):
                sample.set_pred_score(score.detach())
                sample.set_pred_label(score.argmax().detach())
                if sample_losses is not None:
                    sample.set_field(sample_losses[i], 'pred_loss')
            return data_samples
        raise ValueError(f'mode must be tensor, loss or predict, got {mode}')

    def _sample_losses(self, out: Dict[str, torch.Tensor],
                       data_samples: List) -> Optional[torch.Tensor]:
        """Per-sample training loss of a labelled batch, ``(B,)``: the
        sample's cross-entropy plus the batch's regularisers (the mean is
        what ``'loss'`` mode sums); None without labels. ``ValLossMetric``
        averages it (the public code's plateau schedule monitors it)."""
        if not data_samples or not all('gt_label' in s
                                       for s in data_samples):
            return None
        logits = out['logits']
        labels = torch.cat([s.gt_label.view(-1) for s in data_samples
                            ]).to(logits.device).long()  # (B,)
        loss = F.cross_entropy(logits, labels, reduction='none')  # (B,)
        if 'loss_sff_l1' in out:
            loss = loss + out['loss_sff_l1']
        if 'loss_key_match' in out and self.key_match_weight:
            loss = loss + self.key_match_weight * out['loss_key_match']
        return loss.detach()

    def _check_towers(self) -> None:
        """Refuse frozen towers that keep their random initial weights."""
        random = [
            f'{name} ({module.arch})'
            for name, module in self.named_modules()
            if isinstance(module, FrozenTowerModule) and module.frozen
            and module.weights_file is None
        ]
        if random:
            raise RandomTowersError(random_towers_message(random))


def _derived(cfg: dict, name: str, **values) -> dict:
    """``cfg`` with the values the recognizer derives, for the arguments
    its class takes (a user's module may take fewer); refuses a config that
    sets one of them to something else."""
    cfg = dict(cfg)
    cls = MODELS.get(cfg['type']) if isinstance(cfg.get('type'),
                                                str) else cfg.get('type')
    params = inspect.signature(cls).parameters if cls is not None else {}
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    for key, value in values.items():
        if cfg.get(key, value) != value:
            raise ValueError(
                f'model.{name}.{key}={cfg[key]!r}, but the recognizer derives '
                f'{key}={value!r} (from its embed_dim / clip_len, or the '
                'vision tower); remove the key from the child config')
        if key in params or takes_any:
            cfg[key] = value
    return cfg
