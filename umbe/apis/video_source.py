"""Reading a video for inference: frames (decord) and its sound track."""
import os
import os.path as osp
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from umbe.datasets.transforms import LoadAudio
from umbe.datasets.utils import BadClipError
from .in_memory_transforms import AudioSegment

VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mkv', '.flv', '.webm', '.mov')


class VideoSource:
    """A video's RGB frames, decoded forward, with a small cache.

    The frame count and rate are decord's (as the training pipeline reads
    videos); the pixels are decoded with PyAV in the calling thread, in
    order: reading increasing indices, as face detection and the windows
    do, decodes each frame once and never seeks, and only the frames asked
    for are converted to RGB. Asking for a frame behind the decoder (not
    cached) reopens the file. decord's own reading kept its decoder thread
    running ahead while the caller detected faces, and the memory grew:
    +0.8 GB over the detection frames of a 60 s 640x360 video with
    ``get_batch`` (which seeks at every sparse index), still +0.87 GB with
    its forward ``next()`` in chunks of 16, +21 MB with PyAV
    (docs/inference.md, "Memory"). The frames are decord's, pixel for pixel
    (tested for every listed container).

    Args:
        path (str): The video file.
        cache_size (int): Decoded frames kept (the latest read). Defaults
            to 48.
        timings (dict, optional): ``decode`` seconds are added to it.
    """

    def __init__(self,
                 path: str,
                 cache_size: int = 48,
                 timings: Optional[Dict[str, float]] = None) -> None:
        import decord
        self.path = path
        self.timings = timings if timings is not None else {}
        if not osp.isfile(path):
            raise BadClipError(path, 'no such file; check the path')
        t0 = time.perf_counter()
        try:
            reader = decord.VideoReader(path, ctx=decord.cpu(0), num_threads=1)
            self.num_frames = len(reader)
            fps = float(reader.get_avg_fps())
            del reader  # its decoder thread ends here
            self._open()
        except Exception as err:  # decord's DECORDError, av.error.*
            raise BadClipError(
                path, f'cannot decode the video ({err}); check that it plays '
                'and re-encode it, e.g. ffmpeg -i IN -c:v libx264 OUT.mp4'
            ) from err
        if self.num_frames == 0:
            raise BadClipError(path, 'the video has no frames; re-encode it')
        self.fps = fps if np.isfinite(fps) and fps > 0 else 25.0
        self.duration = self.num_frames / self.fps
        self.cache: 'OrderedDict[int, np.ndarray]' = OrderedDict()
        self.cache_size = cache_size
        #: times the file was reopened to read behind the decoder
        self.reopens = 0
        self._add_time(t0)

    def _open(self) -> None:
        import av
        self.close()
        self._container = av.open(self.path)
        stream = self._container.streams.video[0]
        stream.thread_type = 'AUTO'
        self._frames = self._container.decode(stream)
        self._next = 0  # the frame the decoder gives next

    def close(self) -> None:
        """Close the file (a later read opens it again)."""
        container = getattr(self, '_container', None)
        if container is not None:
            frames, self._frames = self._frames, None
            frames.close()  # the decoding generator first, then the file
            container.close()
            self._container = None

    def _add_time(self, t0: float) -> None:
        self.timings['decode'] = (
            self.timings.get('decode', 0.) + time.perf_counter() - t0)

    def _decode(self, wanted: List[int]) -> None:
        """Decode the increasing frame indices ``wanted`` into the cache."""
        if wanted[0] < self._next or self._container is None:
            self._open()
            self.reopens += 1
        try:
            for i in wanted:
                while self._next < i:
                    next(self._frames)  # skipped: decoded, not converted
                    self._next += 1
                self.cache[i] = next(self._frames).to_ndarray(format='rgb24')
                self._next += 1
        except Exception as err:  # StopIteration, av.error.*
            raise BadClipError(
                self.path, f'cannot decode frame {self._next} of '
                f'{self.num_frames} ({type(err).__name__}: {err}); the file '
                'may be truncated: re-encode it') from err

    def read(self, indices: Sequence[int]) -> List[np.ndarray]:
        """Frames at ``indices`` as (H, W, 3) uint8 RGB.

        Args:
            indices (Sequence[int]): Frame indices in ``[0, num_frames)``.

        Returns:
            list[np.ndarray]: The frames, in the order asked.
        """
        t0 = time.perf_counter()
        wanted = sorted({int(i) for i in indices} - set(self.cache))
        if wanted:
            if wanted[0] < 0 or wanted[-1] >= self.num_frames:
                raise IndexError(f'{self.path}: frames {wanted[0]}..'
                                 f'{wanted[-1]} asked, the video has '
                                 f'{self.num_frames}')
            self._decode(wanted)
        frames = []
        for i in indices:
            self.cache.move_to_end(int(i))
            frames.append(self.cache[int(i)])
        while len(self.cache) > max(self.cache_size, len(indices)):
            self.cache.popitem(last=False)
        self._add_time(t0)
        return frames


def load_sound(path: str, audio: Union[str, None, AudioSegment],
               notes: List[str]) -> Optional[AudioSegment]:
    """The whole sound of a video as an :class:`AudioSegment`.

    Args:
        path (str): The video.
        audio (str | AudioSegment | None): ``'track'`` (the video's own
            track, PyAV, as ``LoadAudio`` reads it), a sound file, a
            segment, or None (no audio).
        notes (list[str]): Why the audio is missing is appended here.

    Returns:
        AudioSegment | None: None when there is no usable sound.
    """
    if audio is None:
        notes.append('audio not used (audio=None)')
        return None
    if isinstance(audio, AudioSegment):
        return audio
    try:
        if audio == 'track':
            source = LoadAudio.read_track(path)
            if source is None:
                notes.append('the video has no audio track: audio marked '
                             'missing')
                return None
        else:
            source = LoadAudio.read_wav(audio)
    except BadClipError as err:
        notes.append(f'{err}: audio marked missing')
        return None
    return AudioSegment(source[0], source[1],
                        osp.basename(path if audio == 'track' else audio))


def collect_videos(source: str) -> List[str]:
    """The videos of a file, a folder (recursive) or a ``.txt`` list.

    Args:
        source (str): A video (``VIDEO_EXTENSIONS``), a folder searched
            recursively (other files ignored), or a text file with one video
            per line (``#`` comments and blank lines skipped, relative paths
            relative to the list's folder).

    Returns:
        list[str]: Video paths (a folder's sorted). The videos of a list
        are not checked here: a missing one fails when it is read.

    Raises:
        FileNotFoundError: If ``source`` does not exist or a folder holds
            no video.
        ValueError: If a list names no video or ``source`` is another kind
            of file.
    """
    if osp.isdir(source):
        found = []
        for root, _, files in os.walk(source):
            found += [
                osp.join(root, f) for f in files
                if f.lower().endswith(VIDEO_EXTENSIONS)
            ]
        if not found:
            raise FileNotFoundError(
                f'{source}: no videos ({", ".join(VIDEO_EXTENSIONS)}) in '
                'this folder')
        return sorted(found)
    if not osp.isfile(source):
        raise FileNotFoundError(f'{source}: no such file or folder')
    if source.lower().endswith('.txt'):
        root = osp.dirname(source)
        with open(source) as f:
            lines = [ln.strip() for ln in f]
        paths = [
            ln if osp.isabs(ln) else osp.join(root, ln) for ln in lines
            if ln and not ln.startswith('#')
        ]
        if not paths:
            raise ValueError(f'{source}: the list names no videos')
        return paths
    if not source.lower().endswith(VIDEO_EXTENSIONS):
        raise ValueError(
            f'{source}: not a video ({", ".join(VIDEO_EXTENSIONS)}), a '
            'folder or a .txt list')
    return [source]
