"""ZeroShotHead: class embeddings from CLIP text templates, no training."""
from typing import Dict, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from open_clip.tokenizer import SimpleTokenizer

from umbe.registry import MODELS

#: CLIP-style templates for facial expressions, averaged per class
FACE_TEMPLATES = (
    'a photo of a {} face.',
    'a close-up photo of a {} face.',
    'a photo of a person looking {}.',
    'a face showing {}.',
    'a video frame of a {} person.',
    'a photo of a person with a {} expression.',
)


@MODELS.register_module()
class ZeroShotHead(nn.Module):
    """CLIP zero-shot classification against averaged template texts.

    For every class, each template is filled with the class name, encoded
    by the CLIP text tower and L2-normalised; the class embedding is the
    normalised mean over the templates (CLIP's prompt ensembling). The C
    class embeddings are computed once, when the head is built (the tower
    is frozen and has its weights then), and kept as a buffer that is not
    saved in checkpoints. Logits are ``logit_scale * cos(x, class)``.

    Args:
        classes (Sequence[str]): Class names in the dataset's label order.
        text_encoder (dict): Config of the ``CLIPTextEncoder``; the same
            CLIP model as the image tower it is compared with. Defaults to
            ``ViT-L-14-quickgelu`` with the ``'openai'`` weights.
        templates (Sequence[str]): Texts with one ``{}`` for the class name.
            Defaults to :data:`FACE_TEMPLATES`.
        logit_scale (float): Scale of the cosine logits (OpenAI CLIP's
            trained value is 100). Defaults to 100.
    """

    def __init__(self,
                 classes: Sequence[str],
                 text_encoder: dict = dict(
                     type='CLIPTextEncoder',
                     model_name='ViT-L-14-quickgelu',
                     pretrained='openai'),
                 templates: Sequence[str] = FACE_TEMPLATES,
                 logit_scale: float = 100.0) -> None:
        super().__init__()
        if not classes or isinstance(classes, str):
            raise ValueError(
                f'classes must be a non-empty list of names, got {classes!r}')
        if not templates or any(t.count('{}') != 1 for t in templates):
            raise ValueError('templates must be texts with exactly one "{}" '
                             f'each, got {list(templates)!r}')
        self.classes = tuple(classes)
        self.templates = tuple(templates)
        self.logit_scale = logit_scale
        self.text_encoder = MODELS.build(text_encoder)
        self.register_buffer(
            'class_embeddings', self.encode_classes(), persistent=False)

    @torch.no_grad()
    def encode_classes(self) -> torch.Tensor:
        """Encode the templates of every class.

        Returns:
            Tensor: ``(C, E)`` L2-normalised class embeddings.
        """
        enc = self.text_encoder
        tokenizer = SimpleTokenizer(context_length=enc.context_length)
        texts = [t.format(c) for c in self.classes for t in self.templates]
        tokens = tokenizer(texts)  # (C * n, Lc)
        was_training = enc.training
        enc.eval()
        emb = F.normalize(enc(tokens), dim=-1)  # (C * n, E)
        enc.train(was_training)
        emb = emb.reshape(len(self.classes), len(self.templates), -1)
        return F.normalize(emb.mean(dim=1), dim=-1)  # (C, E)

    def scale(self) -> float:
        """The factor of the cosine logits."""
        return self.logit_scale

    def forward(self, embedding: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Compute class logits.

        Args:
            embedding (Tensor): ``(B, E)`` clip embeddings (a zero row gives
                zero logits).

        Returns:
            dict: ``logits`` ``(B, C)`` and ``class_embeddings``
            ``(1, C, E)``.
        """
        classes = self.class_embeddings.to(embedding.dtype)  # (C, E)
        logits = self.logit_scale * F.normalize(embedding, dim=-1) @ (
            classes.t())  # (B, C)
        return dict(logits=logits, class_embeddings=classes[None])
