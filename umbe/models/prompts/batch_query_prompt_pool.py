"""BatchQueryPromptPool: the public code's one selection per batch."""
import torch
import torch.nn.functional as F

from umbe.registry import MODELS
from .prompt_pool import PromptPool


@MODELS.register_module()
class BatchQueryPromptPool(PromptPool):
    """A :class:`PromptPool` queried once per batch with the mean query.

    The Dual-Stream head then runs one prompt prefix through the text tower
    instead of B (about B times cheaper there), but every sample of a batch
    shares one prompt and a sample's prediction depends on its batch mates.
    Arguments as :class:`PromptPool`.
    """

    selects_per_sample = False

    def _queries(self, query: torch.Tensor) -> torch.Tensor:
        """Mean of the normalised queries, ``(B, K)`` -> ``(1, K)``."""
        return F.normalize(
            F.normalize(query, dim=-1).mean(dim=0, keepdim=True), dim=-1)
