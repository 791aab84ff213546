"""Live sources for :mod:`.stream`: a camera, a file played live, a URL.

A source yields, in arrival order, :class:`StreamFrame` (a video frame, its
index and stream time; the RGB pixels are made only when asked for, so that
frames the stream does not need cost no conversion) and :class:`StreamAudio`
(a chunk of mono samples). Stream time is ``frame index / fps`` (the
source's nominal frame rate), the same clock :func:`.windows.frame_span`
uses for a video file.

- a camera index (``'0'``): OpenCV's ``cv2.VideoCapture``; no sound.
- a file: PyAV, video and sound, **played at its own frame rate** (each
  frame is released at its time after the start, as a camera would), so a
  file tests the stream as it runs live.
- an ``rtsp://``, ``http(s)://``, ``udp://``... URL: PyAV (FFmpeg), video
  and sound, as fast as the network delivers.
"""
import os.path as osp
import time
from typing import Callable, Iterator, NamedTuple, Optional, Union

import numpy as np

from umbe.datasets.utils import to_mono


class StreamFrame(NamedTuple):
    """A video frame of a stream.

    Attributes:
        index (int): Frame number from 0.
        time (float): Stream seconds, ``index / fps``.
        arrival (float): ``time.perf_counter()`` when it arrived.
        rgb (Callable): ``rgb() -> (H, W, 3) uint8`` RGB pixels.
    """
    index: int
    time: float
    arrival: float
    rgb: Callable[[], np.ndarray]


class StreamAudio(NamedTuple):
    """A chunk of the stream's sound.

    Attributes:
        samples (np.ndarray): float32 mono samples.
        rate (int): Their rate in Hz.
    """
    samples: np.ndarray
    rate: int


def audio_frame_to_mono(frame) -> np.ndarray:
    """A PyAV audio frame as float32 mono samples in [-1, 1].

    Planar and packed layouts are averaged over their channels with
    :func:`umbe.datasets.utils.to_mono`, as ``LoadAudio.read_track`` does;
    integer samples are scaled by their type's maximum.
    """
    data = frame.to_ndarray()
    scale = (
        float(np.iinfo(data.dtype).max) if np.issubdtype(
            data.dtype, np.integer) else 1.0)
    if frame.format.is_planar:  # (C, S)
        wave = to_mono(data, channel_axis=0)
    else:  # packed: (1, S * C)
        wave = to_mono(
            data.reshape(-1, len(frame.layout.channels)), channel_axis=1)
    return wave / scale if scale != 1.0 else wave


class StreamSource:
    """What :class:`.stream.StreamRecognizer` reads (see the subclasses).

    Attributes:
        name (str): For messages and the output (file name, URL, camera).
        fps (float): Nominal frame rate.
        live (bool): Whether frames come at their own pace (a camera, a
            URL, a file played live); False: as fast as they decode.
    """
    name = 'stream'
    fps = 25.0
    live = True

    def __iter__(self) -> Iterator[Union[StreamFrame, StreamAudio]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or connection."""


class AVStreamSource(StreamSource):
    """A file or URL through PyAV: video frames and, if present, sound.

    Args:
        url (str): A file path or a URL FFmpeg opens.
        realtime (bool, optional): Release each frame at its own time (a
            file played live). Defaults to True for a file, False for a URL
            (the network paces it).
        speed (float): Playback speed of a realtime file (1: its own frame
            rate). Defaults to 1.
    """

    def __init__(self,
                 url: str,
                 realtime: Optional[bool] = None,
                 speed: float = 1.0) -> None:
        import av
        self.name = url
        is_file = osp.isfile(url)
        self.realtime = is_file if realtime is None else realtime
        self.live = self.realtime or not is_file
        if speed <= 0:
            raise ValueError(f'speed must be > 0, got {speed}')
        self.speed = speed
        try:
            self.container = av.open(url, timeout=10.0)
        except Exception as err:  # av.error.*: missing, refused, not media
            raise ValueError(f'cannot open the stream {url} ({err})') from err
        if not self.container.streams.video:
            self.container.close()
            raise ValueError(f'{url}: no video stream')
        self.video = self.container.streams.video[0]
        self.video.thread_type = 'AUTO'
        self.audio = (
            self.container.streams.audio[0]
            if self.container.streams.audio else None)
        rate = self.video.average_rate or self.video.guessed_rate
        self.fps = float(rate) if rate else 25.0
        self.has_audio = self.audio is not None

    def __iter__(self) -> Iterator[Union[StreamFrame, StreamAudio]]:
        streams = [self.video] + ([self.audio] if self.audio else [])
        index, start = 0, time.perf_counter()
        for packet in self.container.demux(*streams):
            for frame in packet.decode():
                if packet.stream.type == 'audio':
                    rate = frame.sample_rate or self.audio.rate
                    yield StreamAudio(audio_frame_to_mono(frame), int(rate))
                    continue
                t = index / self.fps
                if self.realtime:
                    wait = start + t / self.speed - time.perf_counter()
                    if wait > 0:
                        time.sleep(wait)
                yield StreamFrame(
                    index,
                    t,
                    time.perf_counter(),
                    lambda f=frame: f.to_ndarray(format='rgb24'))
                index += 1

    def close(self) -> None:
        self.container.close()


class CameraSource(StreamSource):
    """A camera through OpenCV's ``cv2.VideoCapture`` (video only).

    Args:
        index (int): The camera index (0: the first).
    """

    def __init__(self, index: int) -> None:
        import cv2
        self.name = f'camera {index}'
        self.capture = cv2.VideoCapture(index)
        if not self.capture.isOpened():
            raise ValueError(f'cannot open camera {index} (cv2.VideoCapture'
                             f'({index})); check that it is connected and '
                             'not used by another program')
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and np.isfinite(fps) and fps > 0 else 30.
        self.has_audio = False

    def __iter__(self) -> Iterator[StreamFrame]:
        import cv2
        index = 0
        while True:
            ok, bgr = self.capture.read()
            if not ok:
                return
            yield StreamFrame(
                index,
                index / self.fps,
                time.perf_counter(),
                lambda b=bgr: cv2.cvtColor(b, cv2.COLOR_BGR2RGB))
            index += 1

    def close(self) -> None:
        self.capture.release()


def open_stream_source(source: str,
                       realtime: Optional[bool] = None,
                       speed: float = 1.0) -> StreamSource:
    """The source a ``--source`` names.

    Args:
        source (str): A camera index (``'0'``), a file, or a URL
            (``rtsp://``, ``http://``, ...).
        realtime (bool, optional): For a file or URL, see
            :class:`AVStreamSource`. Defaults to None.
        speed (float): Playback speed of a realtime file. Defaults to 1.

    Returns:
        StreamSource: The opened source.
    """
    if source.isdigit():
        return CameraSource(int(source))
    if '://' in source or osp.isfile(source):
        return AVStreamSource(source, realtime, speed)
    raise ValueError(f'--source {source}: not a camera index, a file or a '
                     'URL (rtsp://, http://, ...)')
