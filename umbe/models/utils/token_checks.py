"""Checks of the token tensors a neck is given, shared by the necks."""
import torch


def check_modality_tokens(tokens: torch.Tensor, num_modalities: int) -> None:
    """Refuse ``(B, M, D)`` modality tokens unless M is ``num_modalities``."""
    M = tokens.shape[1]
    if M != num_modalities:
        raise ValueError(f'got {M} modality tokens, num_modalities is '
                         f'{num_modalities}')


def check_frame_tokens(tokens: torch.Tensor, max_frames: int) -> None:
    """Refuse ``(B, T, D)`` frame tokens with T above ``max_frames``."""
    T = tokens.shape[1]
    if T > max_frames:
        raise ValueError(f'{T} frames exceed max_frames={max_frames}; raise '
                         'max_frames or sample fewer frames (clip_len).')
