"""CLIPTextEncoder: open_clip's text tower, also fed spliced embeddings."""
from typing import Optional

import torch
import torch.nn as nn
from open_clip.model import _build_text_tower

from umbe.models.utils.attention_masks import (shared_prefix_mask,
                                               shared_prefix_positions)
from umbe.models.utils.clip_weights import (load_tower_weights,
                                            resolve_clip_cfg,
                                            resolve_pretrained)
from umbe.models.utils.frozen_tower import FrozenTowerModule
from umbe.models.utils.sequence_first import set_sequence_first
from umbe.registry import MODELS


@MODELS.register_module()
class CLIPTextEncoder(FrozenTowerModule):
    """open_clip's text tower.

    ``forward`` encodes token ids; ``encode_embeddings`` runs the same tower
    from token embeddings (with prompt vectors spliced in) and the EOT
    positions, in ``CLIP.encode_text``'s order; ``encode_shared_prefix``
    encodes many sequences that share a prefix with the prefix run once.
    The tower's transformer runs sequence-first
    (:func:`umbe.models.utils.set_sequence_first`).

    Args:
        model_name (str): open_clip model name. Defaults to
            ``'ViT-L-14-quickgelu'``.
        pretrained (str, optional): A local CLIP weight file or an open_clip
            pretrained tag of ``model_name`` (see :class:`CLIPVisionEncoder`);
            None keeps random weights. Defaults to None.
        arch_cfg (dict, optional): open_clip model config used instead of
            ``model_name``'s. Defaults to None.
        frozen (bool): Freeze the tower. Defaults to True.
        frozen_dtype (str, optional): Storage dtype of the frozen tower (see
            :class:`CLIPVisionEncoder`). Defaults to None (float32).
    """

    def __init__(self,
                 model_name: str = 'ViT-L-14-quickgelu',
                 pretrained: Optional[str] = None,
                 arch_cfg: Optional[dict] = None,
                 frozen: bool = True,
                 frozen_dtype: Optional[str] = None) -> None:
        super().__init__()
        cfg, self.arch = resolve_clip_cfg(model_name, arch_cfg)
        self.tower = _build_text_tower(
            cfg['embed_dim'], cfg['text_cfg'],
            quick_gelu=cfg.get('quick_gelu', False))
        if getattr(self.tower, 'cls_emb', None) is not None or (
                self.tower.pool_type != 'argmax'):
            raise ValueError(f'{self.arch}: CLIPTextEncoder supports CLIP '
                             'text towers pooled at the EOT token (argmax).')
        set_sequence_first(self.tower.transformer)
        self.embed_dim = cfg['embed_dim']
        self.width = self.tower.width
        self.context_length = self.tower.context_length
        self.weights_file = resolve_pretrained(pretrained, model_name,
                                               self.arch)
        if self.weights_file is not None:
            load_tower_weights(self.tower, self.weights_file, 'text',
                               self.arch)
        self.set_frozen(frozen)
        self.set_frozen_dtype(frozen_dtype)

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
        with self.precision(x.device.type):
            x = tower.transformer(x, attn_mask=mask)  # (N, L, W)
            x = tower.ln_final(x)
            x = x[torch.arange(x.shape[0], device=x.device), eot_index]
            return self.float_output(self._project(x))  # (N, D)

    def encode_shared_prefix(self, prefix: torch.Tensor, suffix: torch.Tensor,
                             eot_index: torch.Tensor) -> torch.Tensor:
        """Encode the sequences ``[prefix b, suffix c]`` for every b and c,
        each prefix run once.

        Gives what :meth:`encode_embeddings` gives for the Bq×C concatenated
        sequences (up to floating-point rounding): the causal mask makes a
        prefix token's output independent of what follows, so the C
        suffixes of a prefix are packed after it in one sequence of
        ``P + C·S`` tokens, each suffix masked from the others
        (:func:`umbe.models.utils.attention_masks.shared_prefix_mask`) and
        positioned as in its own sequence. The tower runs ``Bq·(P + C·S)``
        tokens instead of ``Bq·C·(P + S)``.

        Args:
            prefix (Tensor): ``(Bq, P, W)`` token embeddings shared by the
                C sequences of each b.
            suffix (Tensor): ``(C, S, W)`` token embeddings that follow each
                prefix (the same for every b).
            eot_index (Tensor): ``(C,)`` long, the EOT position of each
                sequence ``[prefix, suffix c]`` (in ``[P, P + S)``); the
                tokens after the last EOT are not run.

        Returns:
            Tensor: ``(Bq, C, D)`` projected text embeddings (not
            normalised).
        """
        tower = self.tower
        Bq, P, W = prefix.shape
        C = suffix.shape[0]
        S = int(eot_index.max()) + 1 - P  # cut after the last EOT
        if S < 1 or int(eot_index.min()) < P:
            raise ValueError(f'EOT positions {eot_index.tolist()} must lie in '
                             f'the suffix, after the {P} prefix tokens')
        if P + S > self.context_length:
            raise ValueError(f'{P + S} tokens exceed the context length '
                             f'{self.context_length} of {self.arch}')
        suffix = suffix[:, :S].to(prefix.dtype)
        x = torch.cat([prefix, suffix.reshape(1, C * S, W).expand(Bq, -1, -1)],
                      dim=1)  # (Bq, P + C*S, W)
        pos = shared_prefix_positions(P, C, S, device=x.device)
        x = x + tower.positional_embedding[pos].to(x.dtype)
        mask = shared_prefix_mask(P, C, S, x.dtype, x.device)
        eot = P + torch.arange(C, device=x.device) * S + (eot_index - P)
        with self.precision(x.device.type):
            x = tower.transformer(x, attn_mask=mask)  # (Bq, P + C*S, W)
            x = tower.ln_final(x[:, eot])  # (Bq, C, W)
            return self.float_output(self._project(x))

    def _project(self, x: torch.Tensor) -> torch.Tensor:
        """``text_projection`` of the pooled tokens, ``(..., W)`` ->
        ``(..., D)``."""
        tower = self.tower
        if isinstance(tower.text_projection, nn.Linear):
            return tower.text_projection(x)
        if tower.text_projection is not None:
            return x @ tower.text_projection
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
