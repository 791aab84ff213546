"""Loading of a clip's audio: a wav file or the video's own track."""
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import MMLogger

from umbe.registry import TRANSFORMS
from ..utils import BadClipError, resample_audio, to_mono


@TRANSFORMS.register_module()
class LoadAudio(BaseTransform):
    """Load a mono waveform at a fixed rate and length.

    Source: the record's ``audio`` wav (read with soundfile); when the record
    has no ``audio`` key, the audio track of the video ``filename`` (decoded
    with PyAV); ``audio: None`` means the clip is known to have no sound.
    The waveform is mixed to mono, resampled to ``sample_rate`` (any source
    rate) and cut or zero padded to ``duration`` seconds.

    Missing audio (``audio: None``, or a video without an audio track) gives
    zeros and ``present['audio']`` False. Silent audio (peak below
    ``silence_threshold``) is marked absent too, with a counted warning. An
    unreadable wav raises :class:`BadClipError` naming the file.

    Required keys: ``audio`` or ``filename``. Added keys: ``audio``
    (float32 (S,), S = sample_rate * duration; the record's path moves to
    ``audio_path``), ``audio_length`` (real samples before padding),
    ``present['audio']``.

    Args:
        sample_rate (int): Output rate in Hz. Defaults to 22050.
        duration (float): Output length in seconds. Defaults to 5.0.
        silence_threshold (float): Peak amplitude under which the audio
            counts as silent. Defaults to 1e-4.
    """

    #: silent clips met by this process (a counter for logs and tests)
    num_silent = 0

    def __init__(self,
                 sample_rate: int = 22050,
                 duration: float = 5.0,
                 silence_threshold: float = 1e-4) -> None:
        if not isinstance(sample_rate, int) or sample_rate <= 0:
            raise ValueError(
                f'sample_rate must be a positive int, got {sample_rate!r}')
        if duration <= 0:
            raise ValueError(f'duration must be > 0, got {duration!r}')
        self.sample_rate = sample_rate
        self.duration = duration
        self.num_samples = int(round(sample_rate * duration))
        self.silence_threshold = silence_threshold

    @staticmethod
    def read_wav(path: str) -> Tuple[np.ndarray, int]:
        """Read a sound file as mono float32.

        Args:
            path (str): The file.

        Returns:
            tuple: waveform (S,) and its sample rate.
        """
        import soundfile as sf
        try:
            wave, rate = sf.read(path, dtype='float32', always_2d=True)
        except Exception as err:  # soundfile.LibsndfileError and OSError
            raise BadClipError(
                path, f'cannot read this audio file ({err}); replace it, or '
                'set "audio": null in the record to mark the clip silent'
            ) from err
        return to_mono(wave, channel_axis=1), int(rate)  # (S, C) -> (S,)

    @staticmethod
    def read_track(path: str) -> Optional[Tuple[np.ndarray, int]]:
        """Decode the audio track of a video with PyAV.

        Args:
            path (str): The video.

        Returns:
            tuple | None: waveform (S,) and its rate, or None when the video
            has no audio track.
        """
        import av
        try:
            with av.open(path) as container:
                if not container.streams.audio:
                    return None
                stream = container.streams.audio[0]
                chunks = []
                for frame in container.decode(stream):
                    data = frame.to_ndarray()
                    if frame.format.is_planar:  # (C, S)
                        chunks.append(to_mono(data, channel_axis=0))
                    else:  # packed: (1, S * C)
                        chunks.append(
                            to_mono(
                                data.reshape(-1, len(frame.layout.channels)),
                                channel_axis=1))
                rate = stream.rate or stream.codec_context.sample_rate
        except BadClipError:
            raise
        except Exception as err:  # av.error.* for corrupt containers
            raise BadClipError(
                path, f'cannot decode the audio track ({err}); re-encode the '
                'video or give the record an "audio" wav') from err
        if not chunks:
            return None
        wave = np.concatenate(chunks).astype(np.float32)
        if np.issubdtype(chunks[0].dtype, np.integer):
            wave /= float(np.iinfo(chunks[0].dtype).max)
        return wave, int(rate)

    def read_source(self, results: Dict) -> Optional[Tuple[np.ndarray, int]]:
        """The record's waveform and rate: its ``audio`` wav (the path moves
        to ``audio_path``) or its video's track; None without sound."""
        if 'audio' in results and not isinstance(results['audio'],
                                                 np.ndarray):
            path = results['audio_path'] = results['audio']
            return self.read_wav(path) if path else None
        if results.get('filename'):
            return self.read_track(results['filename'])
        return None

    def fit(self, wave: np.ndarray) -> Tuple[np.ndarray, int]:
        """The model's input from a resampled waveform: the first
        ``num_samples`` samples, zero-padded.

        Args:
            wave (np.ndarray): ``(S0,)`` samples at ``sample_rate``.

        Returns:
            tuple: float32 ``(num_samples,)`` and the valid length (0 for a
            silent clip, whose samples are then all zero).
        """
        out = np.zeros(self.num_samples, np.float32)
        length = min(wave.size, self.num_samples)
        out[:length] = wave[:length]
        if length == 0 or np.abs(out).max() < self.silence_threshold:
            return np.zeros(self.num_samples, np.float32), 0
        return out, length

    def transform(self, results: Dict) -> Dict:
        """Load the audio.

        Args:
            results (dict): The record.

        Returns:
            dict: ``results`` with ``audio`` and ``present['audio']``.
        """
        present = results.setdefault('present', {})
        source = self.read_source(results)
        out, length = np.zeros(self.num_samples, np.float32), 0
        if source is not None:
            wave, rate = source
            out, length = self.fit(
                resample_audio(wave, rate, self.sample_rate))
            if length == 0:
                LoadAudio.num_silent += 1
                name = results.get('audio_path') or results.get('filename')
                MMLogger.get_current_instance().warning(
                    f'silent audio in {osp.basename(str(name))}: marked '
                    f'absent ({LoadAudio.num_silent} silent clip(s) so far)')
        results['audio'] = out
        results['audio_length'] = length
        present['audio'] = length > 0
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(sample_rate={self.sample_rate}, '
                f'duration={self.duration})')
