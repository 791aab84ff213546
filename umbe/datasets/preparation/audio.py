"""Audio extraction from the source clips with PyAV."""
import os
import os.path as osp
import tempfile
from typing import Tuple

import av
import numpy as np
import soundfile as sf

#: Outcomes of :func:`extract_audio`.
AUDIO_OK, AUDIO_EXISTS, AUDIO_NONE, AUDIO_CORRUPT = ('extracted', 'exists',
                                                     'no_audio', 'corrupt')


def wav_is_valid(path: str, sample_rate: int) -> bool:
    """Whether ``path`` is a readable, non-empty mono wav at ``sample_rate``.

    Args:
        path (str): The wav file.
        sample_rate (int): The expected rate in Hz.

    Returns:
        bool: True for a finished extraction that can be kept.
    """
    try:
        info = sf.info(path)
    except (RuntimeError, OSError, sf.LibsndfileError):
        return False
    return (info.samplerate == sample_rate and info.channels == 1
            and info.frames > 0)


def decode_audio(video: str, sample_rate: int) -> np.ndarray:
    """Decode the first audio stream of a video as mono float32.

    Args:
        video (str): The clip.
        sample_rate (int): The output rate in Hz.

    Returns:
        np.ndarray: ``(S,)`` samples in [-1, 1]; empty when the clip has no
        audio stream.

    Raises:
        av.error.FFmpegError: When the clip cannot be opened or decoded.
    """
    with av.open(video) as container:
        if not container.streams.audio:
            return np.zeros(0, np.float32)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(
            format='flt', layout='mono', rate=sample_rate)
        chunks = []
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, np.float32)
    return np.concatenate(chunks).astype(np.float32)


def extract_audio(video: str, wav: str, sample_rate: int) -> Tuple[str, str]:
    """Extract a clip's audio to a mono wav once, atomically.

    A valid wav already at ``wav`` is kept (idempotent re-runs); a partial
    or foreign one is replaced. The samples go to a temporary file first,
    which then replaces ``wav``.

    Args:
        video (str): The source clip.
        wav (str): The destination wav.
        sample_rate (int): The rate in Hz.

    Returns:
        tuple[str, str]: The outcome (``'extracted'``, ``'exists'``,
        ``'no_audio'`` or ``'corrupt'``) and a message for the failure list.
    """
    if wav_is_valid(wav, sample_rate):
        return AUDIO_EXISTS, ''
    try:
        samples = decode_audio(video, sample_rate)
    except (av.error.FFmpegError, OSError, ValueError) as e:
        return AUDIO_CORRUPT, f'{video}: cannot be decoded ({e})'
    if samples.size == 0:
        return AUDIO_NONE, f'{video}: no audio track'
    folder = osp.dirname(osp.abspath(wav))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix='.wav.tmp', dir=folder)
    os.close(fd)
    try:
        sf.write(tmp, samples, sample_rate, subtype='PCM_16', format='WAV')
        os.replace(tmp, wav)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return AUDIO_OK, ''


def extract_audio_task(task: tuple) -> Tuple[str, str]:
    """:func:`extract_audio` on one ``(video, wav, sample_rate)`` tuple.

    A picklable entry point for ``mmengine.track_parallel_progress``.
    """
    return extract_audio(*task)
