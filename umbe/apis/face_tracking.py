"""Face tracking over time, on the boxes of a detector (.face_detectors).

Faces are detected on a grid of frames (``det_fps`` per second), linked into
tracks by overlap, and the box of any frame in between is interpolated. The
main face is the track with the largest summed box area (large and present
for long). The live stream (:mod:`.stream`) feeds the same tracker one
detection step at a time (:meth:`FaceTracker.update`).
"""
import time
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np

from .face_detectors import Box, HaarFaceDetector

#: detections of a track at most this far apart (seconds) are bridged by
#: interpolating the box; the track's ends are held for half of it
MAX_GAP_SECONDS = 1.0


def max_gap_frames(fps: float) -> int:
    """``MAX_GAP_SECONDS`` in frames of a video at ``fps``."""
    return int(round(fps * MAX_GAP_SECONDS))


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two ``(x, y, w, h)`` boxes."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1 = min(a[0] + a[2], b[0] + b[2])
    y1 = min(a[1] + a[3], b[1] + b[3])
    inter = max(0., x1 - x0) * max(0., y1 - y0)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.


class FaceTrack:
    """One person's face boxes at the frames where it was detected.

    Args:
        track_id (int): Id in order of creation.
    """

    def __init__(self, track_id: int) -> None:
        self.track_id = track_id
        self.frames: List[int] = []
        self.boxes: List[Box] = []
        self.misses = 0
        # detections dropped by FaceTracker.forget_before: count, box area
        self.forgotten_frames = 0
        self.forgotten_area = 0.0

    @property
    def score(self) -> float:
        """Summed box area: large and long-lived faces score high."""
        return self.forgotten_area + float(
            sum(b[2] * b[3] for b in self.boxes))

    def box_at(self,
               frame: int,
               max_gap: int,
               hold: bool = True) -> Optional[Box]:
        """The box at ``frame``: interpolated between detections.

        Args:
            frame (int): Frame index.
            max_gap (int): Largest gap (frames) bridged by interpolation;
                the ends are held for half of it.
            hold (bool): Whether to hold the ends. Defaults to True.

        Returns:
            Box | None: None when the track does not cover ``frame``.
        """
        pos = int(np.searchsorted(self.frames, frame))
        if pos < len(self.frames) and self.frames[pos] == frame:
            return self.boxes[pos]
        if 0 < pos < len(self.frames):
            f0, f1 = self.frames[pos - 1], self.frames[pos]
            if f1 - f0 > max_gap:
                return None
            w = (frame - f0) / (f1 - f0)
            a, b = np.array(self.boxes[pos - 1]), np.array(self.boxes[pos])
            return tuple(float(v) for v in (1 - w) * a + w * b)
        near = 0 if pos == 0 else len(self.frames) - 1
        if hold and abs(self.frames[near] - frame) <= max_gap // 2:
            return self.boxes[near]
        return None


class FaceTracker:
    """Link per-frame detections into tracks (greedy overlap matching).

    Offline, ``tracker(detections)`` tracks a whole video; a stream calls
    :meth:`update` once per detection step, in frame order, and reads
    :attr:`tracks` (both run the same matching).

    Args:
        iou_thr (float): Smallest IoU linking a detection to a track.
            Defaults to 0.2.
        max_misses (int): Detection steps a track may miss before it ends.
            Defaults to 3.

    Attributes:
        tracks (list[FaceTrack]): Every track so far, in creation order.
        active (list[FaceTrack]): Those that can still get a detection.
    """

    def __init__(self, iou_thr: float = 0.2, max_misses: int = 3) -> None:
        self.iou_thr = iou_thr
        self.max_misses = max_misses
        self.reset()

    def reset(self) -> None:
        """Forget every track (track ids start again at 0)."""
        self.tracks: List[FaceTrack] = []
        self.active: List[FaceTrack] = []
        self._created = 0

    def update(self, frame: int, boxes: Sequence[Box]) -> None:
        """Link the detections of one step to the active tracks.

        Args:
            frame (int): The frame index (increasing from call to call).
            boxes (Sequence[Box]): Its detections (empty: no face).
        """
        boxes = list(boxes)
        active = self.active
        pairs = sorted(((iou(t.boxes[-1], b), ti, bi)
                        for ti, t in enumerate(active)
                        for bi, b in enumerate(boxes)),
                       reverse=True)
        used_t, used_b = set(), set()
        for overlap, ti, bi in pairs:
            if overlap < self.iou_thr:
                break
            if ti in used_t or bi in used_b:
                continue
            used_t.add(ti)
            used_b.add(bi)
            active[ti].frames.append(frame)
            active[ti].boxes.append(boxes[bi])
            active[ti].misses = 0
        for ti, track in enumerate(active):
            if ti not in used_t:
                track.misses += 1
        for bi, box in enumerate(boxes):
            if bi not in used_b:
                track = FaceTrack(self._created)
                self._created += 1
                track.frames.append(frame)
                track.boxes.append(box)
                self.tracks.append(track)
                active.append(track)
        self.active = [t for t in active if t.misses <= self.max_misses]

    def forget_before(self, frame: int) -> None:
        """Drop what lies before ``frame`` (a stream's memory bound):
        ended tracks last seen before it, and the older boxes of the others
        (the last one before ``frame`` is kept, for interpolation)."""
        alive = {id(t) for t in self.active}
        self.tracks = [
            t for t in self.tracks if id(t) in alive or t.frames[-1] >= frame
        ]
        for track in self.tracks:
            cut = max(0, int(np.searchsorted(track.frames, frame)) - 1)
            if cut:
                track.forgotten_frames += cut
                track.forgotten_area += sum(b[2] * b[3]
                                            for b in track.boxes[:cut])
                del track.frames[:cut], track.boxes[:cut]

    def __call__(self, detections: Dict[int, List[Box]]) -> List[FaceTrack]:
        """Track faces.

        Args:
            detections (dict): ``{frame index: boxes}``, every detection
                step (frames without a face included, with ``[]``).

        Returns:
            list[FaceTrack]: Tracks by decreasing :attr:`FaceTrack.score`
            (the first is the main face).
        """
        self.reset()
        for frame in sorted(detections):
            self.update(frame, detections[frame])
        return sorted(self.tracks, key=lambda t: -t.score)


def square_crop(frame: np.ndarray, box: Box, margin: float) -> np.ndarray:
    """A square crop around a face box, edges replicated outside the frame.

    Args:
        frame (np.ndarray): (H, W, 3) image.
        box (Box): ``(x, y, w, h)``.
        margin (float): Added on each side, as a fraction of the box side.

    Returns:
        np.ndarray: (S, S, 3) crop, S = max(w, h) * (1 + 2 margin).
    """
    x, y, w, h = box
    side = max(2, int(round(max(w, h) * (1 + 2 * margin))))
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    H, W = frame.shape[:2]
    pad = max(0, -x0, -y0, x0 + side - W, y0 + side - H)
    if pad:
        frame = cv2.copyMakeBorder(frame, pad, pad, pad, pad,
                                   cv2.BORDER_REPLICATE)
    return frame[y0 + pad:y0 + pad + side, x0 + pad:x0 + pad + side]


def detection_frames(num_frames: int, fps: float,
                     det_fps: float) -> np.ndarray:
    """Frame indices where faces are detected: ``det_fps`` per second.

    Args:
        num_frames (int): Frames in the video.
        fps (float): Video frame rate.
        det_fps (float): Detections per second (<= 0: every frame).

    Returns:
        np.ndarray: Increasing indices, always including the last frame.
    """
    step = 1 if det_fps <= 0 else max(1, int(round(fps / det_fps)))
    frames = np.arange(0, num_frames, step)
    if num_frames and frames[-1] != num_frames - 1:
        frames = np.append(frames, num_frames - 1)
    return frames


def detect_and_track(source,
                     detector: Optional[Callable] = None,
                     det_fps: float = 5.0,
                     tracker: Optional[FaceTracker] = None,
                     timings: Optional[Dict[str, float]] = None,
                     chunk: int = 16) -> List[FaceTrack]:
    """Detect faces on ``det_fps`` frames per second and track them.

    Args:
        source (VideoSource): The video (``num_frames``, ``fps``,
            ``read(indices)``).
        detector (Callable, optional): ``frame -> boxes``. Defaults to
            :class:`HaarFaceDetector`.
        det_fps (float): Detections per second (<= 0: every frame).
            Defaults to 5.0.
        tracker (FaceTracker, optional): Defaults to ``FaceTracker()``.
        timings (dict, optional): ``face_detection`` seconds added to it.
        chunk (int): Frames decoded at once. Defaults to 16.

    Returns:
        list[FaceTrack]: Tracks, main face first.
    """
    detector = detector or HaarFaceDetector()
    tracker = tracker or FaceTracker()
    timings = timings if timings is not None else {}
    frames = detection_frames(source.num_frames, source.fps, det_fps)
    detections = {}
    for start in range(0, len(frames), chunk):
        ids = frames[start:start + chunk].tolist()
        images = source.read(ids)
        t0 = time.perf_counter()
        for i, image in zip(ids, images):
            detections[i] = detector(image)
        timings['face_detection'] = (
            timings.get('face_detection', 0.) + time.perf_counter() - t0)
    tracks = tracker(detections)
    tracks = [t for t in tracks if len(t.frames) >= min(3, len(frames))]
    for track in tracks:
        track.det_frames = frames
    return tracks


__all__: Sequence[str] = [
    'Box', 'HaarFaceDetector', 'FaceTrack', 'FaceTracker', 'square_crop',
    'iou', 'detection_frames', 'detect_and_track', 'MAX_GAP_SECONDS',
    'max_gap_frames'
]
