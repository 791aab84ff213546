"""Emotions on a live stream: a rolling window, one prediction per stride.

:class:`StreamRecognizer` runs the machinery of :func:`.infer_video` on
frames as they arrive: windows planned and sampled from one time grid
(:func:`.windows.clip_frames`), the same records (:func:`.window_records.
person_window_records`), the same test pipeline and an embedding cache that
encodes each frame once (:class:`.frame_embeddings.FrozenFeatureEncoder`).
What differs is only what a stream cannot know: the face is tracked
causally (:meth:`.face_tracking.FaceTracker.update`, one detection step at a
time, the main face kept while its track lives), and the timeline is smoothed
over the windows before, not around, each one.

Threads and latency: a reader thread takes frames from the source as they
come (a file is played at its own frame rate) and keeps only those the
stream needs (detection frames, ``det_fps`` per second, and the clip frames
of the windows); the calling thread detects faces, tracks them and predicts
a window as soon as its last frame and the next face detection are in (a
detection step later than its end: ``1 / det_fps`` s). The reader's queue
holds at most one window and a stride of stream time (older frames are
dropped, and counted), so memory and latency are bounded. When the model is
slower than real time, several windows are ready at once: the newest is
predicted, the others are dropped, and the next output line says how many
(``dropped``); nothing falls behind silently.
"""
import collections
import os.path as osp
import threading
import time
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

import numpy as np
import torch

from umbe.datasets import pipeline_settings
from umbe.structures import expand_modalities
from .face_tracking import FaceTrack, FaceTracker, max_gap_frames
from .frame_embeddings import FrozenFeatureEncoder, pipeline_reuses_frames
from .in_memory_transforms import AudioSegment
from .pipeline import build_inference_pipeline, clip_seconds
from .predict import predict_records
from .stream_sources import StreamAudio, StreamFrame, StreamSource
from .visualization import COLOURS, draw_face
from .window_records import FacePolicy, fill_window_rows, person_window_records
from .windows import VideoWindow, clip_frames, frame_span

#: a frame index no stream reaches (frame_span's bound for a stream)
_ENDLESS = 1 << 62


def preview_image(rgb: np.ndarray, state: dict, top_k: int = 3) -> np.ndarray:
    """A frame of the live preview: the main face's box and the top
    smoothed emotions of the latest window, drawn as on the annotated video.

    Args:
        rgb (np.ndarray): (H, W, 3) frame (not changed).
        state (dict): The ``state`` ``on_frame`` gets (``box``, ``last``).
        top_k (int): Emotions shown. Defaults to 3.

    Returns:
        np.ndarray: The drawn copy.
    """
    img = np.ascontiguousarray(rgb).copy()
    last = state.get('last') or {}
    scores = last.get('smoothed_scores') or {}
    lines = [
        f'{name} {prob:.2f}'
        for name, prob in sorted(scores.items(), key=lambda kv: -kv[1])[:top_k]
    ]
    if last.get('dropped'):
        lines.append(f'({last["dropped"]} dropped)')
    draw_face(img, state.get('box'), lines, COLOURS[0])
    return img


class StreamPlan:
    """The windows of a stream and the frames they need.

    Window ``k`` spans ``[k * stride, k * stride + window)`` seconds; its
    clip samples the stream's time grid like a video's window
    (:func:`.windows.clip_frames`).

    Args:
        fps (float): Frame rate.
        window (float): Window seconds.
        stride (float): Seconds between window starts.
        clip_len (int): T, frames per clip.
        det_fps (float): Face detections per second (<= 0: every frame).
    """

    def __init__(self, fps: float, window: float, stride: float, clip_len: int,
                 det_fps: float) -> None:
        if window <= 0 or stride <= 0:
            raise ValueError(f'window and stride must be > 0 seconds, got '
                             f'window={window!r}, stride={stride!r}')
        self.fps, self.length, self.stride = fps, window, stride
        self.clip_len = clip_len
        self.det_step = 1 if det_fps <= 0 else max(1, round(fps / det_fps))
        self._windows: Dict[int, VideoWindow] = {}

    def window(self, k: int) -> VideoWindow:
        """Window ``k``."""
        if k not in self._windows:
            if len(self._windows) > 64:
                self._windows = {
                    i: w
                    for i, w in self._windows.items() if i >= k - 8
                }
            start = k * self.stride
            end = start + self.length
            first, stop = frame_span(start, end, self.fps, _ENDLESS)
            self._windows[k] = VideoWindow(
                k, start, end, first, stop,
                clip_frames(start, self.length, first, stop, self.fps,
                            self.clip_len))
        return self._windows[k]

    def windows_at(self, frame: int) -> List[int]:
        """The windows whose span holds ``frame``."""
        t = frame / self.fps
        last = int(np.floor(t / self.stride)) + 1
        first = max(0, int(np.floor((t - self.length) / self.stride)) - 1)
        return [
            k for k in range(first, last + 1)
            if self.window(k).first_frame <= frame < self.window(k).stop_frame
        ]

    def is_detection(self, frame: int) -> bool:
        """Whether faces are detected on ``frame``."""
        return frame % self.det_step == 0

    def is_clip_frame(self, frame: int) -> bool:
        """Whether a window's clip samples ``frame``."""
        return any(
            frame in self.window(k).frames for k in self.windows_at(frame))


class FrameStore:
    """The clip frames a stream keeps until its windows are predicted.

    It reads like a :class:`.video_source.VideoSource` (``path``, ``fps``,
    ``read(indices)``), so the windows' records are made by the same code.
    """

    def __init__(self, name: str, fps: float) -> None:
        self.path, self.fps = name, fps
        self.frames: Dict[int, np.ndarray] = {}

    def read(self, indices: Sequence[int]) -> List[np.ndarray]:
        return [self.frames[int(i)] for i in indices]

    def forget_before(self, frame: int) -> None:
        for i in [i for i in self.frames if i < frame]:
            del self.frames[i]


class AudioBuffer:
    """The latest samples of a stream's sound (an :class:`AudioSegment`)."""

    def __init__(self) -> None:
        self.chunks: List[np.ndarray] = []
        self.rate: Optional[int] = None
        self.offset = 0  # index of the first kept sample
        self.total = 0  # samples received

    def add(self, audio: StreamAudio) -> None:
        if self.rate is None:
            self.rate = audio.rate
        self.chunks.append(audio.samples)
        self.total += audio.samples.size

    def covers(self, seconds: float) -> bool:
        """Whether the sound up to ``seconds`` has arrived."""
        return self.rate is not None and self.total >= int(seconds * self.rate)

    def segment(self, name: str) -> Optional[AudioSegment]:
        if self.rate is None:
            return None
        wave = np.concatenate(self.chunks) if self.chunks else np.zeros(0)
        self.chunks = [wave]
        return AudioSegment(wave, self.rate, name, self.offset)

    def forget_before(self, seconds: float) -> None:
        if self.rate is None:
            return
        cut = int(seconds * self.rate) - self.offset
        if cut > 0:
            wave = np.concatenate(self.chunks) if self.chunks else np.zeros(
                0, np.float32)
            self.chunks = [wave[cut:]]
            self.offset += min(cut, wave.size)


class _Queued(NamedTuple):
    """A frame the reader kept: the frame, its pixels, what it is for."""
    frame: StreamFrame
    rgb: np.ndarray
    detect: bool
    clip: bool


class _Reader(threading.Thread):
    """Takes a source's frames as they come and queues the needed ones.

    The queue holds at most ``max_span`` stream seconds of frames: older
    ones are dropped (``dropped_frames``).
    """

    def __init__(self, source: StreamSource, plan: StreamPlan,
                 max_span: float) -> None:
        super().__init__(daemon=True, name='umbe-stream-reader')
        self.source, self.plan, self.max_span = source, plan, max_span
        self.queue: collections.deque = collections.deque()
        self.ready = threading.Condition()
        self.stop = threading.Event()
        self.done = False
        self.error: Optional[BaseException] = None
        self.dropped_frames = 0
        self.last: Optional[StreamFrame] = None

    def _put(self, item) -> None:
        with self.ready:
            self.queue.append(item)
            if isinstance(item, _Queued):
                frames = [x for x in self.queue if isinstance(x, _Queued)]
                while frames[-1].frame.time - frames[0].frame.time > (
                        self.max_span):
                    oldest = frames.pop(0)
                    del self.queue[next(i for i, x in enumerate(self.queue)
                                        if x is oldest)]
                    self.dropped_frames += 1
            self.ready.notify()

    def run(self) -> None:
        try:
            for item in self.source:
                if self.stop.is_set():
                    break
                if isinstance(item, StreamAudio):
                    self._put(item)
                    continue
                self.last = item
                det = self.plan.is_detection(item.index)
                clip = self.plan.is_clip_frame(item.index)
                if det or clip:
                    self._put(_Queued(item, item.rgb(), det, clip))
            last = self.last
            if last is not None and not self.plan.is_detection(last.index):
                # as offline, faces are detected on the last frame too
                self._put(
                    _Queued(last, last.rgb(), True,
                            self.plan.is_clip_frame(last.index)))
        except BaseException as err:  # handed to the consumer
            self.error = err
        finally:
            self.source.close()
            with self.ready:
                self.done = True
                self.ready.notify()

    def get(self, timeout: float = 0.5):
        """The next item, None when there is none yet, ``StopIteration``
        at the end."""
        with self.ready:
            if not self.queue and not self.done:
                self.ready.wait(timeout)
            if self.queue:
                return self.queue.popleft()
            if self.done:
                return StopIteration
            return None


class StreamRecognizer:
    """Predict emotions on a live stream, window by window.

    Args:
        model (nn.Module): From :func:`init_recognizer` (UMBEnet).
        window (float, optional): Window seconds. Defaults to the config's
            clip length (its ``LoadAudio`` duration).
        stride (float, optional): Seconds between predictions. Defaults to
            half the window.
        detector (Callable, optional): ``RGB frame -> boxes``
            (:func:`.face_detectors.build_face_detector`). Defaults to the
            Haar cascade.
        det_fps (float): Face detections per second. Defaults to 5.0.
        margin (float): Face crop margin per side. Defaults to 0.25.
        min_face_ratio (float): Share of a window's detection frames that
            must hold the face. Defaults to 0.5.
        no_face (str): ``'skip'`` or ``'scene'``, as in
            :func:`.infer_video`. Defaults to 'skip'.
        modalities (Sequence[str], optional): Modalities to use. Defaults
            to all the stream has.
        caption (str, optional): A caption for the whole stream.
        smooth (int): Windows in the trailing mean of
            ``smoothed_scores`` (the window and the ones before it).
            Defaults to 3.
        encoder (FrozenFeatureEncoder, optional): Defaults to a new one.
    """

    def __init__(self,
                 model: torch.nn.Module,
                 window: Optional[float] = None,
                 stride: Optional[float] = None,
                 detector: Optional[Callable] = None,
                 det_fps: float = 5.0,
                 margin: float = 0.25,
                 min_face_ratio: float = 0.5,
                 no_face: str = 'skip',
                 modalities: Optional[Sequence[str]] = None,
                 caption: Optional[str] = None,
                 smooth: int = 3,
                 encoder: Optional[FrozenFeatureEncoder] = None) -> None:
        from .face_detectors import HaarFaceDetector
        self.model = model
        self.pipeline = build_inference_pipeline(model.cfg)
        self.settings = pipeline_settings(self.pipeline.transforms)
        self.window = window or clip_seconds(self.settings)
        self.stride = stride or self.window / 2
        self.detector = detector or HaarFaceDetector()
        self.det_fps = det_fps
        self.modalities = modalities
        keep = None if modalities is None else expand_modalities(modalities)
        self.keep = keep
        self.policy = FacePolicy(
            use_face=keep is None or 'face' in keep,
            no_face=no_face,
            margin=margin,
            min_face_ratio=min_face_ratio)
        self.caption = caption
        if smooth < 1:
            raise ValueError(f'smooth must be >= 1, got {smooth}')
        self.smooth = smooth
        self.encoder = encoder or FrozenFeatureEncoder(
            model,
            cache_size=4096 if pipeline_reuses_frames(self.pipeline) else 0)
        self.classes = list(model.classes)

    # ------------------------------------------------------------ running
    def run(self,
            source: StreamSource,
            emit: Callable[[dict], None],
            stop: Optional[threading.Event] = None,
            max_seconds: Optional[float] = None,
            on_frame: Optional[Callable[[np.ndarray, dict], None]] = None,
            log: Optional[Callable[[str], None]] = None) -> dict:
        """Read ``source`` until it ends (or ``stop`` is set, or
        ``max_seconds`` of stream time), calling ``emit`` once per window.

        Args:
            source (StreamSource): From :func:`.stream_sources.
                open_stream_source`.
            emit (Callable): Gets each window's result dict (see
                docs/inference.md, "Live streams").
            stop (threading.Event, optional): Set it to stop.
            max_seconds (float, optional): Stop after this much stream time.
            on_frame (Callable, optional): ``on_frame(rgb, state)`` for each
                frame the stream keeps (a live preview); ``state`` holds
                ``box`` (the main face) and ``last`` (the latest result).
            log (Callable, optional): Gets messages (dropped windows).

        Returns:
            dict: ``windows`` emitted, ``dropped_windows``,
            ``dropped_frames``, ``stream_seconds``, ``wall_seconds``,
            ``windows_per_second``, ``latency`` (``mean``, ``median``,
            ``p95``, ``max`` seconds), ``model_seconds_per_window``.
        """
        plan = StreamPlan(source.fps, self.window, self.stride,
                          self.settings.clip_len, self.det_fps)
        state = _StreamState(self, source, plan)
        reader = _Reader(source, plan, self.window + self.stride)
        wall0 = time.perf_counter()
        reader.start()
        try:
            while True:
                if stop is not None and stop.is_set():
                    break
                item = reader.get()
                if item is StopIteration:
                    if reader.error is not None:
                        raise reader.error
                    state.finish(emit, log)
                    break
                if item is None:
                    continue
                if isinstance(item, StreamAudio):
                    if self.keep is None or 'audio' in self.keep:
                        state.audio.add(item)
                    continue
                if max_seconds is not None and item.frame.time >= max_seconds:
                    break
                state.add_frame(item)
                if on_frame is not None:
                    on_frame(item.rgb, state.preview)
                state.dropped_frames = reader.dropped_frames
                state.predict_ready(emit, log)
        finally:
            # the reader closes the source itself (closing it here, while
            # the reader may be decoding, crashes FFmpeg)
            reader.stop.set()
            reader.join(timeout=10)
        return state.summary(time.perf_counter() - wall0,
                             reader.dropped_frames)


class _StreamState:
    """What :meth:`StreamRecognizer.run` keeps between frames."""

    def __init__(self, owner: StreamRecognizer, source: StreamSource,
                 plan: StreamPlan) -> None:
        self.owner, self.plan = owner, plan
        self.name = osp.basename(source.name) or source.name
        self.store = FrameStore(source.name, plan.fps)
        self.audio = AudioBuffer()
        self.has_audio = bool(getattr(source, 'has_audio', False))
        self.tracker = FaceTracker()
        self.det_frames: collections.deque = collections.deque()
        self.max_gap = max_gap_frames(plan.fps)
        self.main: Optional[FaceTrack] = None
        self.next_window = 0
        self.last_frame = -1
        self.last_det = -1
        self.arrival: Dict[int, float] = {}
        self.scored: collections.deque = collections.deque(maxlen=owner.smooth)
        self.dropped = 0  # since the last emitted line
        self.dropped_total = 0
        self.dropped_frames = 0
        self.latencies: List[float] = []
        self.model_seconds: List[float] = []
        self.emitted = 0
        self.stream_seconds = 0.0
        self.preview: dict = dict(box=None, last=None)

    # ------------------------------------------------------------ frames
    def add_frame(self, item: _Queued) -> None:
        i, rgb = item.frame.index, item.rgb
        self.last_frame = max(self.last_frame, i)
        self.stream_seconds = max(self.stream_seconds, (i + 1) / self.plan.fps)
        self.arrival[i] = item.frame.arrival
        if item.clip:
            self.store.frames[i] = rgb
        det = item.detect
        if det and self.owner.policy.use_face:
            boxes = self.owner.detector(rgb)
            self.tracker.update(i, boxes)
            self.det_frames.append(i)
            self.last_det = i
            main = self._main_track()
            self.preview['box'] = (
                main.box_at(i, self.max_gap) if main is not None else None)
        elif det:
            self.last_det = i

    def _main_track(self) -> Optional[FaceTrack]:
        """The main face: kept while its track is active; else the active
        track of 3 detections or more with the largest summed box area
        (offline's rule, over the stream so far); else the last one."""
        active = self.tracker.active
        if self.main is not None and any(t is self.main for t in active):
            return self.main
        eligible = [
            t for t in active if len(t.frames) + t.forgotten_frames >= 3
        ]
        if eligible:
            self.main = max(eligible, key=lambda t: t.score)
        return self.main

    # ------------------------------------------------------------ windows
    def _ready(self, k: int, ended: bool) -> bool:
        window = self.plan.window(k)
        if ended:
            return window.stop_frame - 1 <= self.last_frame
        if self.last_det < window.stop_frame - 1:
            return False  # frames or the detection after them not in
        if self.has_audio and not self.audio.covers(window.end):
            # the sound lags the picture: wait, up to a second
            return (self.last_frame - window.stop_frame) / self.plan.fps > 1
        return True

    def predict_ready(self,
                      emit: Callable,
                      log: Optional[Callable],
                      ended: bool = False) -> None:
        ready = []
        while self._ready(self.next_window + len(ready), ended):
            ready.append(self.next_window + len(ready))
        if not ready:
            return
        if ended:
            todo = ready  # the stream is over: nothing to keep up with
        else:
            todo = ready[-1:]
            skipped = len(ready) - 1
            if skipped:
                self.dropped += skipped
                self.dropped_total += skipped
                if log is not None:
                    log(f'dropped {skipped} window(s) (windows '
                        f'{ready[0]}-{ready[-2]}): the model is slower than '
                        f'real time; {self.dropped_total} dropped so far')
        for k in todo:
            missing = [
                f for f in self.plan.window(k).frames
                if f not in self.store.frames
            ]
            if missing:  # the reader dropped some of its frames
                self.dropped += 1
                self.dropped_total += 1
                if log is not None:
                    log(f'dropped window {k}: {len(missing)} of its frames '
                        'came while the model was busy and were dropped '
                        f'(slower than real time); {self.dropped_total} '
                        'dropped so far')
                continue
            self._predict(k, emit)
        self.next_window = ready[-1] + 1
        self._forget()

    def _predict(self, k: int, emit: Callable) -> None:
        owner, window = self.owner, self.plan.window(k)
        track = self._main_track() if owner.policy.use_face else None
        if track is not None:
            track.det_frames = np.array(self.det_frames)
        sound = self.audio.segment(self.name)
        rows, jobs = person_window_records(self.store, track, 0, [window],
                                           sound, owner.caption, owner.policy)
        t0 = time.perf_counter()
        preds = predict_records(
            owner.model, [job.record for job in jobs],
            owner.pipeline,
            owner.modalities,
            batch_size=1,
            encoder=owner.encoder)
        fill_window_rows(jobs, preds)
        now = time.perf_counter()
        if jobs:
            self.model_seconds.append(now - t0)
        row = rows[0]
        if row['scores'] is not None:
            self.scored.append([row['scores'][c] for c in owner.classes])
        smoothed = np.mean(
            self.scored, axis=0) if (row['scores'] is not None) else None
        # from the arrival of the frame that completed the window
        after = [i for i in self.arrival if i >= window.stop_frame - 1]
        latency = now - (self.arrival[min(after)] if after else now)
        self.latencies.append(latency)
        out = dict(
            window=k,
            start=round(window.start, 3),
            end=round(window.end, 3),
            wall_time=round(time.time(), 3),
            latency=round(latency, 3),
            track_id=None if track is None else track.track_id,
            face_found=row['face_found'],
            face_ratio=row['face_ratio'],
            face_box=row['face_box'],
            scores=row['scores'],
            pred_class=row['pred_class'],
            smoothed_scores=None if smoothed is None else {
                c: round(float(v), 6)
                for c, v in zip(owner.classes, smoothed)
            },
            smoothed_class=None if smoothed is None else owner.classes[int(
                np.argmax(smoothed))],
            modalities=row['modalities'],
            dropped=self.dropped,
            note=row['note'])
        self.dropped = 0
        self.emitted += 1
        self.preview['last'] = out
        emit(out)

    def _forget(self) -> None:
        """Drop frames, boxes and sound no later window needs."""
        window = self.plan.window(self.next_window)
        first = window.first_frame
        self.store.forget_before(first)
        self.tracker.forget_before(first - self.max_gap)
        while self.det_frames and self.det_frames[0] < first - self.max_gap:
            self.det_frames.popleft()
        for i in [i for i in self.arrival if i < first]:
            del self.arrival[i]
        self.audio.forget_before(window.start)

    def finish(self, emit: Callable, log: Optional[Callable]) -> None:
        """The stream ended: predict the windows it completed."""
        self.predict_ready(emit, log, ended=True)

    def summary(self, wall: float, dropped_frames: int) -> dict:
        lat = np.array(self.latencies) if self.latencies else None
        return dict(
            windows=self.emitted,
            dropped_windows=self.dropped_total,
            dropped_frames=dropped_frames,
            stream_seconds=round(self.stream_seconds, 3),
            wall_seconds=round(wall, 3),
            windows_per_second=round(self.emitted / wall, 4) if wall else 0.,
            latency=None if lat is None else dict(
                mean=round(float(lat.mean()), 3),
                median=round(float(np.median(lat)), 3),
                p95=round(float(np.percentile(lat, 95)), 3),
                max=round(float(lat.max()), 3)),
            model_seconds_per_window=round(
                float(np.mean(self.model_seconds)), 3)
            if self.model_seconds else None,
            encoder=dict(self.owner.encoder.stats))
