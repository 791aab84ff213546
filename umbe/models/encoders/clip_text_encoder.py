"""CLIPTextEncoder: open_clip's text tower, also fed spliced embeddings."""
from typing import Optional

import torch
import torch.nn as nn
from open_clip.model import _build_text_tower

from umbe.models.utils.clip_weights import (load_tower_weights,
                                            resolve_clip_cfg,
                                            resolve_pretrained)
from umbe.models.utils.frozen_tower import FrozenTowerModule
from umbe.registry import MODELS


@MODELS.register_module()
class CLIPTextEncoder(FrozenTowerModule):
    """open_clip's text tower.

    ``forward`` encodes token ids; ``encode_embeddings`` runs the same tower
    from token embeddings (with prompt vectors spliced in) and the EOT
    positions, in ``CLIP.encode_text``'s order.

    Args:
        model_name (str): open_clip model name. Defaults to
            ``'ViT-L-14-quickgelu'``.
        pretrained (str, optional): A local CLIP weight file or an open_clip
            pretrained tag of ``model_name`` (see :class:`CLIPVisionEncoder`);
            None keeps random weights. Defaults to None.
        arch_cfg (dict, optional): open_clip model config used instead of
            ``model_name``'s. Defaults to None.
        frozen (bool): Freeze the tower. Defaults to True.
    """

    def __init__(self,
                 model_name: str = 'ViT-L-14-quickgelu',
                 pretrained: Optional[str] = None,
                 arch_cfg: Optional[dict] = None,
                 frozen: bool = True) -> None:
        super().__init__()
        cfg, self.arch = resolve_clip_cfg(model_name, arch_cfg)
        self.tower = _build_text_tower(
            cfg['embed_dim'], cfg['text_cfg'],
            quick_gelu=cfg.get('quick_gelu', False))
        if getattr(self.tower, 'cls_emb', None) is not None or (
                self.tower.pool_type != 'argmax'):
            raise ValueError(f'{self.arch}: CLIPTextEncoder supports CLIP '
                             'text towers pooled at the EOT token (argmax).')
        self.embed_dim = cfg['embed_dim']
        self.width = self.tower.width
        self.context_length = self.tower.context_length
        self.weights_file = resolve_pretrained(pretrained, model_name,
                                               self.arch)
        if self.weights_file is not None:
            load_tower_weights(self.tower, self.weights_file, 'text',
                               self.arch)
        self.set_frozen(frozen)

    def embed_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """Look up token embeddings.

        Args:
            tokens (Tensor): ``(..., L)`` token ids.

        Returns:
            Tensor: ``(..., L, W)`` embeddings, W = the tower's width.
        """
        return self.tower.token_embedding(tokens)

    def encode_embeddings(self, embeddings: torch.Tensor,
                          eot_index: torch.Tensor) -> torch.Tensor:
        """Encode token embeddings, pooled at the EOT positions.

        Args:
            embeddings (Tensor): ``(N, L, W)`` token embeddings, L at most
                the context length. The causal mask makes a sequence cut
                after its last EOT give the same result as a full-length one.
            eot_index (Tensor): ``(N,)`` long, the EOT position per sequence.

        Returns:
            Tensor: ``(N, D)`` projected text embeddings (not normalised).
        """
        tower = self.tower
        L = embeddings.shape[1]
        if L > self.context_length:
            raise ValueError(f'{L} tokens exceed the context length '
                             f'{self.context_length} of {self.arch}')
        x = embeddings + tower.positional_embedding[:L].to(embeddings.dtype)
        mask = tower.attn_mask[:L, :L]
        x = tower.transformer(x, attn_mask=mask)  # (N, L, W)
        x = tower.ln_final(x)
        x = x[torch.arange(x.shape[0], device=x.device), eot_index]  # (N, W)
        if isinstance(tower.text_projection, nn.Linear):
            x = tower.text_projection(x)
        elif tower.text_projection is not None:
            x = x @ tower.text_projection
        return x

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Encode token ids like ``CLIP.encode_text``.

        Args:
            tokens (Tensor): ``(N, L)`` long token ids (open_clip tokenizer,
                EOT = the largest id of each row).

        Returns:
            Tensor: ``(N, D)`` projected text embeddings (not normalised).
        """
        if tokens.shape[-1] != self.context_length:
            raise ValueError(
                f'{self.arch} takes {self.context_length} tokens, got '
                f'{tokens.shape[-1]}; tokenize with that context length.')
        eot_index = tokens.argmax(dim=-1)
        return self.encode_embeddings(self.embed_tokens(tokens), eot_index)
