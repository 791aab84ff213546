"""DualStreamHead: class embeddings from prompted CLIP text sequences."""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from open_clip.tokenizer import SimpleTokenizer

from umbe.registry import MODELS


@MODELS.register_module()
class DualStreamHead(nn.Module):
    """Classify fused embeddings against prompted class texts.

    For every class c the sequence ``[SOS] + pool prompt (L) + inherent
    prompts (M) + tokens of "<class name>." + [EOS]`` goes through the CLIP
    text tower; logits are ``logit_scale * cos(fused, class embedding)``.
    The pool prompt is the :class:`SparseFeatureFusion` of the prompts the
    :class:`PromptPool` selects for the sample's fused embedding (the
    "experience" stream); the inherent prompts are shared (the "knowledge"
    stream). The class-name token ids are built once, here.

    Args:
        classes (Sequence[str]): Class names in the dataset's label order.
        text_encoder (dict): Config of the ``CLIPTextEncoder``. Defaults to
            a frozen ``ViT-L-14-quickgelu`` text tower.
        prompt_pool (dict, optional): Config of the prompt pool; None drops
            the experience stream. Defaults to ``dict(type='PromptPool')``.
        inherent_prompts (dict, optional): Config of the inherent prompts;
            None drops the knowledge stream. Defaults to
            ``dict(type='InherentPrompts')``.
        sparse_fusion (dict, optional): Config of the prompt fusion; None
            averages the k selected prompts. Defaults to
            ``dict(type='SparseFeatureFusion')``.
        logit_scale (float): Scale of the cosine logits. Defaults to 100.
    """

    def __init__(self,
                 classes: Sequence[str],
                 text_encoder: dict = dict(
                     type='CLIPTextEncoder', model_name='ViT-L-14-quickgelu'),
                 prompt_pool: Optional[dict] = dict(type='PromptPool'),
                 inherent_prompts: Optional[dict] = dict(
                     type='InherentPrompts'),
                 sparse_fusion: Optional[dict] = dict(
                     type='SparseFeatureFusion'),
                 logit_scale: float = 100.0) -> None:
        super().__init__()
        if not classes or isinstance(classes, str):
            raise ValueError(
                f'classes must be a non-empty list of names, got {classes!r};'
                ' set `classes` in the dataset base config and pass it to '
                'the model (model.classes).')
        self.classes = tuple(classes)
        self.text_encoder = MODELS.build(text_encoder)
        width = self.text_encoder.width
        self.prompt_pool = self._build(prompt_pool, embed_dim=width,
                                       key_dim=self.text_encoder.embed_dim)
        self.inherent_prompts = self._build(inherent_prompts, embed_dim=width)
        self.sparse_fusion = (self._build(sparse_fusion, embed_dim=width)
                              if self.prompt_pool is not None else None)
        self.logit_scale = logit_scale
        self.prefix_len = 1 + (self.prompt_pool.prompt_length
                               if self.prompt_pool is not None else 0) + (
                                   self.inherent_prompts.num_tokens if
                                   self.inherent_prompts is not None else 0)
        self._build_class_tokens()

    @staticmethod
    def _build(cfg: Optional[dict], **widths) -> Optional[nn.Module]:
        """Build a sub-module, filling the widths its config leaves out."""
        if cfg is None:
            return None
        cfg = dict(cfg)
        for key, value in widths.items():
            cfg.setdefault(key, value)
        return MODELS.build(cfg)

    def _build_class_tokens(self) -> None:
        """Tokenize "<class name>." + [EOS] once per class list."""
        tokenizer = SimpleTokenizer()
        names = [tokenizer.encode(f'{c}.') for c in self.classes]
        suffix_len = max(len(n) for n in names) + 1
        total = self.prefix_len + suffix_len
        if total > self.text_encoder.context_length:
            raise ValueError(
                f'[SOS] + prompts ({self.prefix_len - 1}) + the longest class'
                f' name + [EOS] is {total} tokens, over the context length '
                f'{self.text_encoder.context_length}; shorten the prompts.')
        suffix = torch.zeros(len(names), suffix_len, dtype=torch.long)
        for c, ids in enumerate(names):
            suffix[c, :len(ids)] = torch.tensor(ids)
            suffix[c, len(ids)] = tokenizer.eot_token_id
        self.register_buffer('suffix_ids', suffix, persistent=False)
        self.register_buffer(
            'eot_index',
            torch.tensor([self.prefix_len + len(n) for n in names]),
            persistent=False)
        self.register_buffer(
            'sos_id', torch.tensor([tokenizer.sot_token_id]),
            persistent=False)

    def class_tokens(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """The class-name token ids after the prompts and their EOT
        positions in the full sequence.

        Returns:
            tuple[Tensor, Tensor]: ``(C, S)`` long ids ("<class>." + [EOS],
            zero padded) and ``(C,)`` long EOT positions.
        """
        return self.suffix_ids, self.eot_index

    def scale(self) -> Union[float, torch.Tensor]:
        """The factor of the cosine logits."""
        return self.logit_scale

    def class_embeddings(self,
                         pool_prompt: Optional[torch.Tensor]) -> torch.Tensor:
        """Encode the C class sequences for each pool prompt.

        The sequences of one pool prompt share ``[SOS] + pool prompt +
        inherent prompts``; the text tower runs that prefix once and the C
        class-name suffixes after it
        (:meth:`CLIPTextEncoder.encode_shared_prefix`), which gives the
        embeddings of the C full sequences to rounding at a fraction of the
        cost (``Bq·(P + C·S)`` tokens instead of ``Bq·C·(P + S)``).

        Args:
            pool_prompt (Tensor, optional): ``(Bq, L, W)`` fused pool
                prompts, or None without the experience stream.

        Returns:
            Tensor: ``(Bq, C, E)`` L2-normalised class embeddings (Bq = 1
            without a pool prompt).
        """
        enc = self.text_encoder
        Bq = 1 if pool_prompt is None else pool_prompt.shape[0]
        suffix_ids, eot_index = self.class_tokens()  # (C, S), (C,)
        sos = enc.embed_tokens(self.sos_id)  # (1, W)
        W = sos.shape[-1]
        parts = [sos.expand(Bq, 1, W)]
        if pool_prompt is not None:
            parts.append(pool_prompt)
        if self.inherent_prompts is not None:
            parts.append(self.inherent_prompts()[None].expand(Bq, -1, W))
        prefix = torch.cat(parts, dim=1)  # (Bq, P, W)
        emb = enc.encode_shared_prefix(prefix, enc.embed_tokens(suffix_ids),
                                       eot_index)  # (Bq, C, E)
        return F.normalize(emb, dim=-1)

    def forward(self,
                fused: torch.Tensor,
                subset_ids: Optional[torch.Tensor] = None
                ) -> Dict[str, torch.Tensor]:
        """Compute class logits.

        Args:
            fused (Tensor): ``(B, E)`` L2-normalised fused embeddings.
            subset_ids (Tensor, optional): ``(B,)`` long modality-subset
                bitmasks for the pool's statistics. Defaults to None.

        Returns:
            dict: ``logits`` ``(B, C)``, ``class_embeddings``
            ``(Bq, C, E)`` (L2-normalised; the logits are ``scale() *``
            their cosines with ``fused``); with a prompt pool also
            ``prompt_ids`` ``(Bq, k)``, ``loss_key_match``, and with SFF
            ``loss_sff_l1`` and ``gate_density``.
        """
        out = {}
        pool_prompt = None
        if self.prompt_pool is not None:
            sel = self.prompt_pool(fused, subset_ids)
            out['prompt_ids'] = sel['ids']
            out['loss_key_match'] = sel['loss_key_match']
            if self.sparse_fusion is not None:
                sff = self.sparse_fusion(sel['prompts'])
                pool_prompt = sff['prompt']  # (Bq, L, W)
                out['loss_sff_l1'] = sff['loss_sff_l1']
                out['gate_density'] = sff['gate_density']
            else:
                pool_prompt = sel['prompts'].mean(dim=1)  # (Bq, L, W)
        class_emb = self.class_embeddings(pool_prompt)  # (Bq, C, E)
        out['class_embeddings'] = class_emb
        fused = F.normalize(fused, dim=-1)
        out['logits'] = self.scale() * torch.einsum(
            'be,bce->bc', fused, class_emb.expand(fused.shape[0], -1, -1))
        return out
