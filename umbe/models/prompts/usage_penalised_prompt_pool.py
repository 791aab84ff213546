"""UsagePenalisedPromptPool: in training, prompts chosen often lose rank."""
import torch

from umbe.registry import MODELS
from .prompt_pool import PromptPool


@MODELS.register_module()
class UsagePenalisedPromptPool(PromptPool):
    """A :class:`PromptPool` whose training selection favours rarely used
    prompts, so that usage does not collapse onto a few of them.

    The paper (and the public code's ``PromptFrequencyTable``) scales the
    similarity by a penalty from each prompt's usage; in the public code the
    penalty is computed once from the initial table (a constant ``log 2``)
    and never changes, so the selection is the plain top-k. Here the usage
    is tracked and the penalty follows it:

    - ``usage`` (float buffer ``(P,)``, saved in checkpoints): an exponential
      moving average of each prompt's share of the selections of a
      training step, ``u <- m * u + (1 - m) * s`` with
      ``s_p = (times p was chosen) / (B * k)``; it starts uniform (1 / P).
    - In training the prompts are ranked by
      ``cos(query, key_p) - weight * (P * u_p - 1)``: a prompt used as
      often as uniform selection would use it is not moved, one used more
      loses up to ``weight * (P / k - 1)`` (when the same k prompts take
      every selection), an unused one gains ``weight``. The term is added,
      not multiplied: a multiplied penalty reverses its effect on negative
      cosines, and the public code's factor ``log(max f / f_p + 1)`` grows
      without bound for an unused prompt, which would turn the selection
      into a round robin.
    - In eval the selection is the plain top-k by cosine (as
      :class:`PromptPool`), so predictions do not depend on a usage
      history. The key matching term always uses the cosines of the chosen
      prompts; the penalty only changes which prompts are chosen.

    :meth:`reset_counts` (called by ``TwoStageHook`` at the stage switch)
    also resets ``usage`` to uniform. Under DDP each process keeps its own
    ``usage`` (mmengine does not broadcast buffers by default).

    Args:
        weight (float): Penalty per unit of ``P * u_p - 1``, in cosine units;
            0 selects as :class:`PromptPool`. Defaults to 0.1.
        momentum (float): m, in [0, 1): the share of the old usage kept per
            training step (0.99: about the last 100 steps count).
            Defaults to 0.99.
        **kwargs: :class:`PromptPool`'s arguments (``pool_size``,
            ``prompt_length``, ``embed_dim``, ``key_dim``, ``top_k``,
            ``key_init_std``).
    """

    def __init__(self,
                 weight: float = 0.1,
                 momentum: float = 0.99,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not weight >= 0:
            raise ValueError(f'weight must be >= 0, got {weight!r}')
        if not 0 <= momentum < 1:
            raise ValueError(f'momentum must be in [0, 1), got {momentum!r}')
        self.weight = weight
        self.momentum = momentum
        self.register_buffer(
            'usage', torch.full((self.pool_size, ), 1 / self.pool_size))

    def penalty(self) -> torch.Tensor:
        """The term subtracted from the cosines in training, ``(P,)``."""
        return self.weight * (self.pool_size * self.usage - 1)

    def _select(self, sim: torch.Tensor) -> torch.Tensor:
        """Top-k of the penalised cosines in training (and update the
        usage), of the cosines in eval: ``(Bq, P)`` -> ``(Bq, k)``."""
        if not self.training:
            return super()._select(sim)
        scores = sim - self.penalty().to(sim.dtype)  # (Bq, P)
        ids = scores.topk(self.top_k, dim=-1).indices  # (Bq, k)
        self._update_usage(ids)
        return ids

    @torch.no_grad()
    def _update_usage(self, ids: torch.Tensor) -> None:
        """Fold one step's selection shares into ``usage``.

        Args:
            ids (Tensor): ``(Bq, k)`` long, the prompts chosen.
        """
        share = torch.bincount(ids.reshape(-1), minlength=self.pool_size)
        share = share.to(self.usage.dtype) / ids.numel()  # (P,), sums to 1
        self.usage.mul_(self.momentum).add_(share, alpha=1 - self.momentum)

    def reset_counts(self) -> None:
        """Zero ``selection_counts`` and make ``usage`` uniform again."""
        super().reset_counts()
        self.usage.fill_(1 / self.pool_size)
