"""RawAudioEncoder: a 1-D CNN over the raw waveform, trained from scratch."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer

from umbe.registry import MODELS


@MODELS.register_module()
class RawAudioEncoder(nn.Module):
    """Strided 1-D convolutions over the waveform, pooled and projected.

    Each layer is Conv1d -> norm -> ReLU; the last feature map is averaged
    over time and projected to ``embed_dim``.

    The default norm is per sample (GroupNorm with one group: each clip's
    feature map normalised over channels and time). Batch statistics would
    make a clip's embedding depend on its batch mates, mix the zeros of
    clips whose audio is missing into them, and differ between the
    processes of a multi-GPU run (SyncBatchNorm has no CPU kernel).

    Args:
        embed_dim (int): Output width. Defaults to 768.
        channels (Sequence[int]): Channels of each conv layer. Defaults to
            ``(64, 128, 128, 256, 256, 512)`` (6 layers).
        kernel_sizes (Sequence[int]): Kernel size per layer. Defaults to
            ``(80, 9, 9, 9, 9, 9)``.
        strides (Sequence[int]): Stride per layer. Defaults to
            ``(4, 4, 4, 4, 4, 4)``.
        norm_cfg (dict, optional): mmcv norm layer config; None for no norm.
            Defaults to ``dict(type='GN', num_groups=1)``.
    """

    def __init__(self,
                 embed_dim: int = 768,
                 channels: Sequence[int] = (64, 128, 128, 256, 256, 512),
                 kernel_sizes: Sequence[int] = (80, 9, 9, 9, 9, 9),
                 strides: Sequence[int] = (4, 4, 4, 4, 4, 4),
                 norm_cfg: Optional[dict] = dict(type='GN', num_groups=1)
                 ) -> None:
        super().__init__()
        if not len(channels) == len(kernel_sizes) == len(strides):
            raise ValueError(
                f'channels {channels}, kernel_sizes {kernel_sizes} and '
                f'strides {strides} must have the same length')
        layers = []
        in_ch = 1
        for ch, k, s in zip(channels, kernel_sizes, strides):
            layers.append(
                nn.Conv1d(in_ch, ch, k, stride=s, padding=k // 2,
                          bias=norm_cfg is None))
            if norm_cfg is not None:
                layers.append(build_norm_layer(norm_cfg, ch)[1])
            layers.append(nn.ReLU(inplace=True))
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
