"""FlattenAudioEncoder: the public code's raw-waveform CNN."""
from typing import Sequence

import torch
import torch.nn as nn

from umbe.registry import MODELS


@MODELS.register_module()
class FlattenAudioEncoder(nn.Module):
    """Strided 1-D convolutions, flattened and projected.

    The public code's ``AudioEncoder``: each layer is Conv1d (with bias) ->
    ReLU; the last feature map is flattened (channels × remaining samples,
    so the input length is fixed), passed through Linear layers without an
    activation between them, then LayerNorm. At the defaults (110,250
    samples) the map is 512 × 5 and the Linears are 2560 -> 1536 -> 768.

    Args:
        embed_dim (int): Output width. Defaults to 768.
        num_samples (int): S, the waveform length every clip has. Defaults
            to 110250 (5 s at 22.05 kHz).
        channels (Sequence[int]): Channels of each conv layer. Defaults to
            ``(16, 32, 64, 128, 256, 512)``.
        kernel_size (int): Kernel of every conv layer. Defaults to 15.
        stride (int): Stride of every conv layer. Defaults to 5.
        padding (int): Padding of every conv layer. Defaults to 1.
        hidden_dims (Sequence[int]): Widths of the Linear layers before the
            last one. Defaults to ``(1536,)``.
    """

    def __init__(self,
                 embed_dim: int = 768,
                 num_samples: int = 110250,
                 channels: Sequence[int] = (16, 32, 64, 128, 256, 512),
                 kernel_size: int = 15,
                 stride: int = 5,
                 padding: int = 1,
                 hidden_dims: Sequence[int] = (1536, )) -> None:
        super().__init__()
        layers = []
        in_ch, length = 1, num_samples
        for ch in channels:
            layers += [
                nn.Conv1d(in_ch, ch, kernel_size, stride=stride,
                          padding=padding),
                nn.ReLU()
            ]
            length = (length + 2 * padding - kernel_size) // stride + 1
            if length < 1:
                raise ValueError(
                    f'{num_samples} samples are too few for {len(channels)} '
                    f'conv layers (kernel {kernel_size}, stride {stride}, '
                    f'padding {padding}); use fewer layers or more samples')
            in_ch = ch
        self.convs = nn.Sequential(*layers)
        dims = [in_ch * length, *hidden_dims, embed_dim]
        self.fc = nn.Sequential(
            *[nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.ln = nn.LayerNorm(embed_dim)
        self.num_samples = num_samples
        self.embed_dim = embed_dim

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        """Encode waveforms.

        Args:
            audio (Tensor): ``(B, S)`` mono waveform samples.

        Returns:
            Tensor: ``(B, D)`` audio embeddings.
        """
        if audio.shape[-1] != self.num_samples:
            raise ValueError(
                f'FlattenAudioEncoder takes {self.num_samples} samples, got '
                f'{audio.shape[-1]}; set num_samples to the pipeline\'s '
                'audio length')
        x = self.convs(audio[:, None, :])  # (B, C, S')
        return self.ln(self.fc(x.flatten(1)))  # (B, D)
