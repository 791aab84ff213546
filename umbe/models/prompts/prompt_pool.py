"""PromptPool: a pool of learnable prompts chosen by key-query cosine."""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from umbe.registry import MODELS
from umbe.structures import NUM_SUBSETS
from .prompt_aggregation import aggregate_prompt_pool


@MODELS.register_module()
class PromptPool(nn.Module):
    """P prompts of L tokens with P learnable keys, top-k per sample.

    Each sample's query (its fused embedding) selects the k prompts whose
    keys are most cosine-similar; the L2P matching term ``1 - cos(query,
    key)`` over the selected keys gives the keys a gradient; the query is
    detached there (as in L2P, whose query encoder is frozen), so the term
    moves keys towards queries and never drags the fused embedding towards
    the keys. Cost: per-sample
    selection gives every sample its own prompt, so the Dual-Stream head
    runs B prompt prefixes through the text tower, each followed by the C
    class-name suffixes (one for :class:`BatchQueryPromptPool`, which
    selects once per batch as the public code does, at the price of one
    prompt shared by unrelated samples).

    The pool owns its statistics and their use: ``selection_counts`` (long
    ``(NUM_SUBSETS, P)``) counts, in training, how often each prompt was
    selected per modality subset (row = the subset bitmask of
    :mod:`umbe.structures.modalities`); :meth:`aggregate` is the stage-2
    aggregation of two-stage training and :meth:`reset_counts` starts the
    statistics afresh. Hooks find the pool by its type.

    Args:
        pool_size (int): P. Defaults to 32.
        prompt_length (int): L. Defaults to 32.
        embed_dim (int): Token width (the text tower's width). Defaults to
            768.
        key_dim (int, optional): Width of keys and queries; None = embed_dim.
            Defaults to None.
        top_k (int): k. Defaults to 5.
        key_init_std (float, optional): Start the keys normal with this
            std (the public code: 0.02); None starts them uniform in
            [-1, 1]. Defaults to None.
    """

    #: Whether every sample gets its own selection (False: one per batch).
    selects_per_sample = True

    def __init__(self,
                 pool_size: int = 32,
                 prompt_length: int = 32,
                 embed_dim: int = 768,
                 key_dim: Optional[int] = None,
                 top_k: int = 5,
                 key_init_std: Optional[float] = None) -> None:
        super().__init__()
        if not 0 < top_k <= pool_size:
            raise ValueError(f'top_k={top_k} must be in [1, pool_size='
                             f'{pool_size}]')
        key_dim = key_dim or embed_dim
        self.prompts = nn.Parameter(
            torch.empty(pool_size, prompt_length, embed_dim))
        self.keys = nn.Parameter(torch.empty(pool_size, key_dim))
        nn.init.normal_(self.prompts, std=0.02)
        if key_init_std is None:
            nn.init.uniform_(self.keys, -1, 1)
        else:
            nn.init.normal_(self.keys, std=key_init_std)
        self.register_buffer(
            'selection_counts',
            torch.zeros(NUM_SUBSETS, pool_size, dtype=torch.long))
        self.pool_size = pool_size
        self.prompt_length = prompt_length
        self.top_k = top_k

    def _queries(self, query: torch.Tensor) -> torch.Tensor:
        """Normalised queries, ``(B, K)`` -> ``(Bq, K)``."""
        return F.normalize(query, dim=-1)

    def forward(self,
                query: torch.Tensor,
                subset_ids: Optional[torch.Tensor] = None
                ) -> Dict[str, torch.Tensor]:
        """Select prompts.

        Args:
            query (Tensor): ``(B, K)`` queries (fused embeddings).
            subset_ids (Tensor, optional): ``(B,)`` long modality-subset
                bitmask per sample, counted in training. Defaults to None.

        Returns:
            dict: ``prompts`` ``(Bq, k, L, D)``, ``ids`` ``(Bq, k)`` long,
            ``loss_key_match`` the mean ``1 - cos`` of the selected keys
            (scalar); Bq = B here, 1 for a batch-level query.
        """
        q = self._queries(query.detach())  # (Bq, K)
        keys = F.normalize(self.keys, dim=-1)  # (P, K)
        sim = q @ keys.t()  # (Bq, P)
        ids = self._select(sim)  # (Bq, k)
        top_sim = sim.gather(-1, ids)  # (Bq, k), the cosines of the chosen
        prompts = self.prompts[ids]  # (Bq, k, L, D)
        if self.training and subset_ids is not None:
            self.count_selections(ids.expand(query.shape[0], -1), subset_ids)
        return dict(
            prompts=prompts,
            ids=ids,
            loss_key_match=(1 - top_sim).mean())

    def _select(self, sim: torch.Tensor) -> torch.Tensor:
        """The top-k prompts by cosine: ``(Bq, P)`` -> ``(Bq, k)`` long.

        Subclasses change the selection here (e.g.
        :class:`UsagePenalisedPromptPool` in training); the matching term
        always uses the cosines of the prompts chosen.
        """
        return sim.topk(self.top_k, dim=-1).indices

    @torch.no_grad()
    def count_selections(self, ids: torch.Tensor,
                         subset_ids: torch.Tensor) -> None:
        """Add selections to ``selection_counts``.

        Args:
            ids (Tensor): ``(B, k)`` long, the prompts each sample chose.
            subset_ids (Tensor): ``(B,)`` long, each sample's subset bitmask.
        """
        flat = subset_ids[:, None] * self.pool_size + ids  # (B, k)
        self.selection_counts.view(-1).index_add_(
            0, flat.reshape(-1), torch.ones_like(flat.reshape(-1)))

    @torch.no_grad()
    def aggregate(self,
                  selection_counts: Optional[torch.Tensor] = None,
                  activation_ratio: float = 0.5,
                  keep: float = 0.1) -> Dict:
        """Stage-2 aggregation of the prompts and keys, in place.

        The rule is :func:`umbe.models.prompts.prompt_aggregation.
        aggregate_prompt_pool` (and docs/two_stage.md).

        Args:
            selection_counts (Tensor, optional): ``(NUM_SUBSETS, P)`` counts
                to aggregate from (e.g. summed over processes); None uses
                the pool's own. Defaults to None.
            activation_ratio (float): Activation threshold as a multiple of
                the mean count. Defaults to 0.5.
            keep (float): Share of a re-initialised prompt's own values.
                Defaults to 0.1.

        Returns:
            dict: The report of :func:`aggregate_prompt_pool`.
        """
        counts = (self.selection_counts
                  if selection_counts is None else selection_counts)
        return aggregate_prompt_pool(self.prompts.data, self.keys.data,
                                     counts.detach().cpu(), activation_ratio,
                                     keep)

    def reset_counts(self) -> None:
        """Zero ``selection_counts``."""
        self.selection_counts.zero_()
