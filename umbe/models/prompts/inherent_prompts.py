"""InherentPrompts: M learnable context tokens shared by every class."""
import torch
import torch.nn as nn

from umbe.registry import MODELS


@MODELS.register_module()
class InherentPrompts(nn.Module):
    """CoOp-style shared context tokens (the "knowledge" stream).

    Args:
        num_tokens (int): M. Defaults to 32.
        embed_dim (int): Token width (the text tower's width). Defaults to
            768.
    """

    def __init__(self, num_tokens: int = 32, embed_dim: int = 768) -> None:
        super().__init__()
        self.tokens = nn.Parameter(torch.empty(num_tokens, embed_dim))
        nn.init.normal_(self.tokens, std=0.02)
        self.num_tokens = num_tokens

    def forward(self) -> torch.Tensor:
        """Return the context tokens.

        Returns:
            Tensor: ``(M, D)``.
        """
        return self.tokens
