"""SparseFeatureFusion: gated sum of the selected pool prompts."""
from typing import Dict

import torch
import torch.nn as nn

from umbe.registry import MODELS


@MODELS.register_module()
class SparseFeatureFusion(nn.Module):
    """Sum k prompts with a sigmoid gate per token and an L1 gate penalty.

    Args:
        embed_dim (int): Prompt token width. Defaults to 768.
        l1_weight (float): λ of the L1 penalty on the gates. Defaults to 0.01.
    """

    def __init__(self, embed_dim: int = 768, l1_weight: float = 0.01) -> None:
        super().__init__()
        self.gate = nn.Linear(embed_dim, 1)
        self.l1_weight = l1_weight

    def forward(self, prompts: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Fuse prompts.

        Args:
            prompts (Tensor): ``(B, k, L, D)`` selected prompts (B may be 1
                for a batch-level query).

        Returns:
            dict: ``prompt`` ``(B, L, D)`` the fused prompt, ``gates``
            ``(B, k, L)``, ``loss_sff_l1`` λ·:meth:`l1_penalty` (here the
            mean |gate|) and ``gate_density``
            the share of gates above 0.5 (logged only).
        """
        gates = torch.sigmoid(self.gate(prompts))  # (B, k, L, 1)
        fused = (gates * prompts).sum(dim=1)  # (B, L, D)
        gates = gates.squeeze(-1)  # (B, k, L)
        return dict(
            prompt=fused,
            gates=gates,
            loss_sff_l1=self.l1_weight * self.l1_penalty(gates),
            gate_density=(gates > 0.5).float().mean().detach())

    def l1_penalty(self, gates: torch.Tensor) -> torch.Tensor:
        """The L1 term before λ: the mean |gate|.

        Args:
            gates (Tensor): ``(B, k, L)`` gate values.

        Returns:
            Tensor: A scalar.
        """
        return gates.abs().mean()


@MODELS.register_module()
class WeightL1SparseFeatureFusion(SparseFeatureFusion):
    """SFF with the public code's penalty: λ·Σ|weights of the gate's
    Linear| (its bias not counted), whatever the gate values.

    The term does not depend on the data: its gradient is λ·sign(w) on the
    gate weights. At λ=0.01 and D=768 it is about 10³ times the mean-gate
    penalty of :class:`SparseFeatureFusion`.

    Args: as :class:`SparseFeatureFusion`.
    """

    def l1_penalty(self, gates: torch.Tensor) -> torch.Tensor:
        """Σ|w| over the gate Linear's weight ``(1, D)``."""
        return self.gate.weight.abs().sum()
