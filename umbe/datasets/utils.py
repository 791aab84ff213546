"""Helpers shared by umbe's dataset, transforms and data tools.

Kept in one place: natural sorting of frame files, image listing, the clip
error type that the dataset can turn into a logged skip, and an offline
windowed-sinc resampler (scipy is not a dependency of umbe).
"""
import math
import os
import os.path as osp
import re
from typing import List, Sequence

import numpy as np

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')

_LAST_NUMBER = re.compile(r'(\d+)(?!.*\d)')


class BadClipError(RuntimeError):
    """A clip's media could not be read (corrupt, truncated or empty).

    Args:
        path (str): The file or folder that failed.
        reason (str): What went wrong and how to fix it.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f'{path}: {reason}')


def natural_sort_key(path: str) -> tuple:
    """Sort key ordering files by the last number in their stem.

    ``'2.jpg'`` comes before ``'10.jpg'`` and ``'img_00009.png'`` before
    ``'img_00010.png'``; stems without a number sort after numbered ones, by
    name.

    Args:
        path (str): A file name or path.

    Returns:
        tuple: The key.
    """
    stem = osp.splitext(osp.basename(path))[0]
    match = _LAST_NUMBER.search(stem)
    if match is None:
        return (1, 0, stem)
    return (0, int(match.group(1)), stem)


def list_images(folder: str) -> List[str]:
    """List the image files of a folder in natural order.

    Args:
        folder (str): The folder.

    Returns:
        list[str]: Full paths, sorted with :func:`natural_sort_key`.
    """
    names = [
        name for name in os.listdir(folder)
        if name.lower().endswith(IMAGE_EXTENSIONS)
    ]
    return [osp.join(folder, name) for name in sorted(names,
                                                        key=natural_sort_key)]


def uniform_indices(num_frames: int, clip_len: int) -> np.ndarray:
    """Pick ``min(num_frames, clip_len)`` sorted indices spread uniformly.

    Each index is the centre of one of ``clip_len`` equal segments of the
    clip; a clip shorter than ``clip_len`` gives all its frames.

    Args:
        num_frames (int): Frames in the source.
        clip_len (int): Frames wanted.

    Returns:
        np.ndarray: int64 indices, increasing.
    """
    if num_frames <= clip_len:
        return np.arange(num_frames, dtype=np.int64)
    return ((np.arange(clip_len) + 0.5) * num_frames / clip_len).astype(
        np.int64)


def resample_audio(wave: np.ndarray,
                   orig_rate: int,
                   target_rate: int,
                   half_width: int = 16) -> np.ndarray:
    """Resample a mono waveform with a Hann-windowed sinc (polyphase).

    Args:
        wave (np.ndarray): float waveform of shape (S,).
        orig_rate (int): Its sample rate in Hz.
        target_rate (int): The wanted rate in Hz.
        half_width (int): Zero crossings of the sinc on each side.
            Defaults to 16.

    Returns:
        np.ndarray: float32 waveform of shape (ceil(S * target / orig),).
    """
    wave = np.asarray(wave, dtype=np.float32)
    if orig_rate == target_rate or wave.size == 0:
        return wave.copy()
    g = math.gcd(int(orig_rate), int(target_rate))
    up, down = int(target_rate) // g, int(orig_rate) // g
    cutoff = min(1.0, up / down)  # of the input Nyquist; < 1 when shrinking
    width = int(math.ceil(half_width / cutoff))
    offsets = np.arange(-width + 1, width + 1)  # taps around floor(t)
    # one kernel per phase: fractional position phase / up of the output
    frac = np.arange(up)[:, None] / up
    dist = frac - offsets[None, :]  # (up, taps), t - k in input samples
    kernel = cutoff * np.sinc(cutoff * dist)
    kernel *= 0.5 * (1 + np.cos(np.pi * np.clip(dist / width, -1, 1)))
    kernel /= kernel.sum(axis=1, keepdims=True)
    kernel = kernel.astype(np.float32)

    num_out = int(math.ceil(wave.size * up / down))
    padded = np.pad(wave, (width, width + 1 + down))
    windows = np.lib.stride_tricks.sliding_window_view(
        padded, offsets.size)  # (S', taps), a view
    out = np.empty(num_out, dtype=np.float32)
    # outputs n0, n0 + up, n0 + 2 up, ... share a phase and step the input
    # by `down` samples: one strided matrix-vector product per phase
    for n0 in range(min(up, num_out)):
        base, phase = divmod(n0 * down, up)
        rows = windows[base + 1::down][:len(range(n0, num_out, up))]
        out[n0::up] = rows @ kernel[phase]
    return out


def to_mono(wave: np.ndarray, channel_axis: int = -1) -> np.ndarray:
    """Average the channels of a waveform.

    Args:
        wave (np.ndarray): (S,) or a 2-D array with channels on
            ``channel_axis``.
        channel_axis (int): The channel axis of a 2-D array. Defaults to -1.

    Returns:
        np.ndarray: float32 (S,).
    """
    wave = np.asarray(wave, dtype=np.float32)
    if wave.ndim == 2:
        wave = wave.mean(axis=channel_axis)
    return wave


def join_root(root: str, path: str) -> str:
    """``os.path.join`` of a data root and a record path (None-safe).

    Args:
        root (str): The data root (may be empty).
        path (str): A relative or absolute path.

    Returns:
        str: The joined path.
    """
    return osp.join(root, path) if root else path


__all__: Sequence[str] = [
    'IMAGE_EXTENSIONS', 'BadClipError', 'natural_sort_key', 'list_images',
    'uniform_indices', 'resample_audio', 'to_mono', 'join_root'
]
