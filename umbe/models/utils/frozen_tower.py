"""The freezing rule shared by the CLIP tower encoders."""
import torch.nn as nn


class FrozenTowerModule(nn.Module):
    """A module wrapping ``self.tower`` that may be frozen.

    Freezing lives here, once: subclasses set ``self.tower`` and
    ``self.frozen`` and call :meth:`_freeze` at the end of ``__init__``; a
    frozen tower has no gradients and stays in eval mode through
    ``train()``.
    """

    def _freeze(self) -> None:
        """Stop gradients and keep eval mode when frozen."""
        if self.frozen:
            self.tower.eval()
            for param in self.tower.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'FrozenTowerModule':
        """Set train mode, keeping a frozen tower in eval mode."""
        super().train(mode)
        self._freeze()
        return self
