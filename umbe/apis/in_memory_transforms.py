"""In-memory sources for the registered loading transforms.

Inference feeds frames and audio that live in memory (decoded video frames,
tracked face crops, a slice of the video's sound track) through the config's
own test pipeline. The two loaders below subclass the registered
``LoadFaceSceneFrames`` and ``LoadAudio`` and only change where the pixels
and samples come from: frame sampling, resizing, padding, resampling,
cutting and the silence check are the parents' code, so inference and
training preprocessing cannot drift apart.

A record for these loaders uses the dataset's keys with in-memory values:
``frame_dir`` / ``scene_dir`` a :class:`FrameSequence` (RGB frames) and
``audio`` an :class:`AudioSegment` (or None: no sound). Plain paths still
work, exactly as in the dataset.
"""
from collections.abc import Sequence as SequenceABC
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from umbe.datasets.transforms import LoadAudio, LoadFaceSceneFrames
from umbe.datasets.utils import BadClipError


class FrameSequence(SequenceABC):
    """A lazily read sequence of RGB frames with a name for messages.

    Args:
        name (str): What the frames are (a file and a time span), used in
            error messages.
        length (int): Number of frames.
        read (Callable): ``read(indices) -> list of (H, W, 3) uint8 RGB``;
            called once per clip with all the indices the sampler picked.
        keys (Sequence, optional): One hashable key per frame naming what
            it shows (:mod:`.frame_embeddings`: a video frame, or a frame
            and a face box): frames with equal keys are equal, so their
            tower embeddings can be reused. None: no reuse.
            Defaults to None.

    Attributes:
        last_ids (list[int] | None): The indices of the last :meth:`read`,
            which tell what the pipeline sampled.
    """

    def __init__(self,
                 name: str,
                 length: int,
                 read: Callable[[Sequence[int]], List[np.ndarray]],
                 keys: Optional[Sequence] = None) -> None:
        self.name = name
        self.length = int(length)
        self._read = read
        if keys is not None and len(keys) != self.length:
            raise ValueError(f'{name}: {len(keys)} keys for {self.length} '
                             'frames')
        self.keys = None if keys is None else list(keys)
        self.last_ids: Optional[List[int]] = None

    def read(self, indices: Sequence[int]) -> List[np.ndarray]:
        """The frames at ``indices`` (remembered in :attr:`last_ids`)."""
        self.last_ids = [int(i) for i in indices]
        return self._read(self.last_ids)

    @classmethod
    def from_arrays(cls,
                    frames: Sequence[np.ndarray],
                    name: str = 'frames') -> 'FrameSequence':
        """Wrap frames already in memory.

        Args:
            frames (Sequence[np.ndarray]): (H, W, 3) uint8 RGB frames.
            name (str): Name for messages. Defaults to 'frames'.

        Returns:
            FrameSequence: The sequence.
        """
        frames = list(frames)
        for i, frame in enumerate(frames):
            if not (isinstance(frame, np.ndarray) and frame.ndim == 3
                    and frame.shape[2] == 3):
                raise ValueError(
                    f'{name}: frame {i} must be an (H, W, 3) RGB array, got '
                    f'{getattr(frame, "shape", type(frame).__name__)}')
        return cls(name, len(frames), lambda ids: [frames[i] for i in ids])

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> np.ndarray:
        return self._read([index])[0]

    def __str__(self) -> str:
        return self.name


class AudioSegment(tuple):
    """A mono waveform in memory: ``(wave, rate)`` with a name.

    Args:
        wave (np.ndarray): float waveform (S,) in [-1, 1].
        rate (int): Its sample rate in Hz.
        name (str): Name for messages. Defaults to 'audio'.
        offset (int): Index of ``wave[0]`` in the whole sound (a stream
            keeps only its latest samples). Defaults to 0.
    """

    def __new__(cls,
                wave: np.ndarray,
                rate: int,
                name: str = 'audio',
                offset: int = 0):
        obj = super().__new__(cls, (np.asarray(wave, np.float32), int(rate)))
        obj.name = name
        obj.offset = int(offset)
        return obj

    def __str__(self) -> str:
        return self.name


class InMemoryFaceSceneFrames(LoadFaceSceneFrames):
    """``LoadFaceSceneFrames`` that also reads :class:`FrameSequence` sources.

    Same arguments and outputs as :class:`LoadFaceSceneFrames`.
    """

    def _image_source(self, folder):
        if isinstance(folder, FrameSequence):
            if len(folder) == 0:
                raise BadClipError(str(folder), 'no frames to sample')
            return folder
        return super()._image_source(folder)

    def _read_images(self, paths, indices: np.ndarray) -> List[np.ndarray]:
        if isinstance(paths, FrameSequence):
            frames = paths.read([int(i) for i in indices])
            return [np.ascontiguousarray(f) for f in frames]
        return super()._read_images(paths, indices)


class InMemoryAudio(LoadAudio):
    """``LoadAudio`` that also reads an :class:`AudioSegment` as ``audio``.

    Same arguments and outputs as :class:`LoadAudio` (resampling, cutting,
    padding and the silence check are the parent's).
    """

    def read_wav(self, path):  # overrides the parent's staticmethod
        if isinstance(path, AudioSegment):
            wave, rate = path
            return wave.reshape(-1), rate
        return LoadAudio.read_wav(path)


#: registered loader -> its in-memory variant
IN_MEMORY_LOADERS: Dict[str, type] = dict(
    LoadFaceSceneFrames=InMemoryFaceSceneFrames, LoadAudio=InMemoryAudio)


def make_record(faces: Optional[FrameSequence],
                scenes: Optional[FrameSequence],
                audio: Optional[AudioSegment],
                caption: Optional[str] = None,
                filename: Optional[str] = None,
                clip_id: Optional[str] = None) -> dict:
    """A pipeline record from in-memory sources.

    Args:
        faces (FrameSequence, optional): Face crops; None marks the face
            absent.
        scenes (FrameSequence, optional): Full frames, the same length as
            ``faces``.
        audio (AudioSegment, optional): The sound; None marks it absent.
        caption (str, optional): Caption text. Defaults to None.
        filename (str, optional): Kept in the metainfo. Defaults to None.
        clip_id (str, optional): Kept in the metainfo. Defaults to None.

    Returns:
        dict: The record.
    """
    if faces is not None and scenes is not None and len(faces) != len(scenes):
        raise ValueError(f'{faces} has {len(faces)} frames but {scenes} has '
                         f'{len(scenes)}; give both at the same time points')
    record = dict(audio=audio, caption=caption)
    if faces is not None:
        record['frame_dir'] = faces
    if scenes is not None:
        record['scene_dir'] = scenes
    if filename is not None:
        record['filename'] = filename
    record['clip_id'] = clip_id or str(faces or scenes or filename)
    return record
