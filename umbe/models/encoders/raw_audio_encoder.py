"""RawAudioEncoder: a 1-D CNN over the raw waveform, trained from scratch."""
from typing import Sequence

import torch
import torch.nn as nn

from umbe.registry import MODELS


@MODELS.register_module()
class RawAudioEncoder(nn.Module):
    """Strided 1-D convolutions over the waveform, pooled and projected.

    Each layer is Conv1d -> BatchNorm1d -> ReLU; the last feature map is
    averaged over time and projected to ``embed_dim``.

    Args:
        embed_dim (int): Output width. Defaults to 768.
        channels (Sequence[int]): Channels of each conv layer. Defaults to
            ``(64, 128, 128, 256, 256, 512)`` (6 layers).
        kernel_sizes (Sequence[int]): Kernel size per layer. Defaults to
            ``(80, 9, 9, 9, 9, 9)``.
        strides (Sequence[int]): Stride per layer. Defaults to
            ``(4, 4, 4, 4, 4, 4)``.
    """

    def __init__(self,
                 embed_dim: int = 768,
                 channels: Sequence[int] = (64, 128, 128, 256, 256, 512),
                 kernel_sizes: Sequence[int] = (80, 9, 9, 9, 9, 9),
                 strides: Sequence[int] = (4, 4, 4, 4, 4, 4)) -> None:
        super().__init__()
        if not len(channels) == len(kernel_sizes) == len(strides):
            raise ValueError(
                f'channels {channels}, kernel_sizes {kernel_sizes} and '
                f'strides {strides} must have the same length')
        layers = []
        in_ch = 1
        for ch, k, s in zip(channels, kernel_sizes, strides):
            layers += [
                nn.Conv1d(in_ch, ch, k, stride=s, padding=k // 2,
                          bias=False),
                nn.BatchNorm1d(ch),
                nn.ReLU(inplace=True)
            ]
            in_ch = ch
        self.convs = nn.Sequential(*layers)
        self.proj = nn.Linear(in_ch, embed_dim)
        self.embed_dim = embed_dim

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        """Encode waveforms.

        Args:
            audio (Tensor): ``(B, S)`` mono waveform samples.

        Returns:
            Tensor: ``(B, D)`` audio embeddings.
        """
        x = self.convs(audio[:, None, :])  # (B, C, S')
        return self.proj(x.mean(dim=-1))  # (B, D)
