"""The public UMBEnet code's audio preprocessing: trimmed, centred, padded."""
from typing import Tuple

import numpy as np
from umbe.registry import TRANSFORMS
from .audio_loading import LoadAudio


def trim_silence(wave: np.ndarray,
                 top_db: float = 20.0,
                 frame_length: int = 2048,
                 hop_length: int = 512) -> Tuple[np.ndarray, Tuple[int, int]]:
    """Cut leading and trailing silence, as ``librosa.effects.trim`` does.

    Frames of ``frame_length`` samples every ``hop_length`` (the signal
    zero padded by half a frame on both sides) are silent when their mean
    power is ``top_db`` below the loudest frame's; the result runs from the
    first non-silent frame's start to the last one's end.

    Args:
        wave (np.ndarray): ``(S,)`` mono samples.
        top_db (float): Threshold below the peak frame, in dB. Defaults to
            20.
        frame_length (int): Defaults to 2048.
        hop_length (int): Defaults to 512.

    Returns:
        tuple: The trimmed ``(S',)`` waveform and its ``(start, end)`` in
        ``wave``.
    """
    if wave.size == 0:
        return wave, (0, 0)
    pad = frame_length // 2
    padded = np.pad(wave.astype(np.float64), pad)
    count = 1 + (padded.size - frame_length) // hop_length
    power = np.array([
        np.mean(padded[i * hop_length:i * hop_length + frame_length]**2)
        for i in range(count)
    ])  # (F,)
    amin = 1e-10
    db = 10 * np.log10(np.maximum(amin, power)) - 10 * np.log10(
        max(amin, power.max()))
    loud = np.flatnonzero(db > -top_db)
    if loud.size == 0:
        return wave[:0], (0, 0)
    start = int(loud[0] * hop_length)
    end = int(min(wave.size, (loud[-1] + 1) * hop_length))
    return wave[start:end], (start, end)


@TRANSFORMS.register_module()
class LoadTrimmedAudio(LoadAudio):
    """Load audio the way the public UMBEnet MAFW loader does.

    Mono at ``sample_rate``; silence trimmed (:func:`trim_silence`, 20 dB);
    the centred ``clip_duration`` seconds kept, or zeros appended up to
    them; scaled by ``scale``; then padded to ``duration`` seconds with the
    clip centred, the left side filled with its first sample and the right
    side with its last (the public ``RandomPadding(train=False)``).

    Missing or silent audio gives zeros and ``present['audio']`` False (the
    public loader feeds random noise instead). Sources as
    :class:`LoadAudio`, of which this is a variant (the pipeline readers see
    an audio loader of ``duration`` seconds).

    Required keys: ``audio`` or ``filename``. Added keys: ``audio`` float32
    ``(S,)``, S = sample_rate * duration, ``audio_length`` (samples of the
    clip before the outer padding), ``present['audio']``.

    Args:
        sample_rate (int): Defaults to 22050.
        clip_duration (float): Seconds kept around the centre. Defaults to
            3.0.
        duration (float): Output length in seconds. Defaults to 5.0
            (110,250 samples).
        top_db (float): Silence threshold below the peak. Defaults to 20.
        scale (float): Factor on the samples. Defaults to 32768.
        silence_threshold (float): Peak amplitude (before ``scale``) under
            which the audio counts as silent. Defaults to 1e-4.
    """

    def __init__(self,
                 sample_rate: int = 22050,
                 clip_duration: float = 3.0,
                 duration: float = 5.0,
                 top_db: float = 20.0,
                 scale: float = 32768.0,
                 silence_threshold: float = 1e-4) -> None:
        if clip_duration > duration:
            raise ValueError(f'clip_duration {clip_duration} s is longer '
                             f'than duration {duration} s')
        super().__init__(sample_rate, duration, silence_threshold)
        self.clip_samples = int(round(sample_rate * clip_duration))
        self.top_db = top_db
        self.scale = scale

    def clip(self, wave: np.ndarray) -> np.ndarray:
        """Trim, centre, pad and scale a waveform at ``sample_rate``.

        Args:
            wave (np.ndarray): ``(S0,)`` samples.

        Returns:
            np.ndarray: float32 ``(S,)``.
        """
        wave, _ = trim_silence(wave, self.top_db)
        n = self.clip_samples
        if wave.size > n:
            start = wave.size // 2 - n // 2
            wave = wave[start:start + n]
        elif wave.size < n:
            wave = np.pad(wave, (0, n - wave.size))
        wave = wave.astype(np.float32) * np.float32(self.scale)
        left = int(round(0.5 * (self.num_samples - n)))
        out = np.empty(self.num_samples, np.float32)
        out[:left] = wave[0]
        out[left:left + n] = wave
        out[left + n:] = wave[-1]
        return out

    def fit(self, wave: np.ndarray) -> Tuple[np.ndarray, int]:
        """``clip`` of a waveform with sound; a silent one is absent.

        Returns:
            tuple: float32 ``(num_samples,)`` and ``clip_samples`` (0 and
            zeros for a silent clip).
        """
        if not wave.size or np.abs(wave).max() < self.silence_threshold:
            return np.zeros(self.num_samples, np.float32), 0
        return self.clip(wave), self.clip_samples

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(sample_rate={self.sample_rate}, '
                f'clip_samples={self.clip_samples}, '
                f'num_samples={self.num_samples})')
