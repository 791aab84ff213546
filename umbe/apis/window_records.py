"""Per-window records: one pipeline record (and one result row) per window.

The second step of ``infer_video`` (after :mod:`.windows`, before
:mod:`.timeline`). For one person, each window becomes a result row (the
JSON entry of the timeline) and, unless it is skipped, a pipeline record
with in-memory sources: face crops of the person's track, the full frames as
the scene, the window's slice of the sound, the caption.
"""
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from .face_tracking import Box, FaceTrack, max_gap_frames, square_crop
from .frame_embeddings import face_key, scene_key
from .in_memory_transforms import AudioSegment, FrameSequence, make_record
from .video_source import VideoSource
from .windows import VideoWindow

#: what a window without the face gets: skipped, or scored from the scene
NO_FACE_POLICIES = ('skip', 'scene')


@dataclass(frozen=True)
class FacePolicy:
    """How windows get their face crops.

    Attributes:
        use_face (bool): Whether the face modality is used at all.
        no_face (str): A window without the face is ``'skip'``-ped or scored
            from the ``'scene'`` with the face marked absent.
        margin (float): Crop margin per side, fraction of the face box.
        min_face_ratio (float): Share of a window's detection frames that
            must hold the face.
    """
    use_face: bool
    no_face: str
    margin: float
    min_face_ratio: float

    def __post_init__(self) -> None:
        if self.no_face not in NO_FACE_POLICIES:
            raise ValueError(f'no_face must be one of {NO_FACE_POLICIES}, '
                             f'got {self.no_face!r}')


class WindowFaces:
    """Face crops of one track at a window's clip frames (nearest box held).

    Args:
        source (VideoSource): The video.
        track (FaceTrack): The person's track.
        window (VideoWindow): The window.
        margin (float): Crop margin per side, fraction of the face box.
        max_gap (int): Frames a box is interpolated over.
    """

    def __init__(self, source: VideoSource, track: FaceTrack,
                 window: VideoWindow, margin: float, max_gap: int) -> None:
        self.source, self.track = source, track
        self.margin, self.max_gap = margin, max_gap
        self.frames = window.clip_frames
        f0, f1 = window.first_frame, window.stop_frame
        grid = [f for f in track.det_frames if f0 <= f < f1
                ] or [(f0 + f1 - 1) // 2]
        # presence: detections and the gaps between them, ends not held
        boxes = [(f, track.box_at(f, max_gap, hold=False)) for f in grid]
        self.known = [(f, b) for f, b in boxes if b is not None]
        #: share of the window's detection frames that have the face
        self.ratio = len(self.known) / len(boxes)

    def box(self, frame: int) -> Box:
        """The face box at ``frame`` (the nearest known box if none)."""
        box = self.track.box_at(frame, self.max_gap)
        if box is None:  # hold the nearest box of this window
            box = min(self.known, key=lambda fb: abs(fb[0] - frame))[1]
        return box

    def keys(self) -> list:
        """The key of each crop: its frame, box and margin."""
        return [face_key(f, self.box(f), self.margin) for f in self.frames]

    def read(self, ids: List[int]) -> List[np.ndarray]:
        """Square face crops of the clip frames ``ids`` (0-based)."""
        frames = self.source.read([self.frames[i] for i in ids])
        return [
            square_crop(img, self.box(self.frames[i]), self.margin)
            for i, img in zip(ids, frames)
        ]

    def median_box(self) -> List[int]:
        """Median ``[x, y, w, h]`` of the known boxes, frame pixels."""
        return [
            int(round(v))
            for v in np.median([b for _, b in self.known], axis=0)
        ]


@dataclass
class WindowJob:
    """A window to predict: its result row and its pipeline record.

    Attributes:
        row (dict): The result row, filled by :func:`fill_window_rows`.
        record (dict): The pipeline record.
        has_audio (bool): Whether the record got a slice of sound.
    """
    row: dict
    record: dict
    has_audio: bool


def empty_row(window: VideoWindow) -> dict:
    """The result row of a window before anything is known about it."""
    return dict(
        index=window.index,
        start=round(window.start, 3),
        end=round(window.end, 3),
        face_found=False,
        face_ratio=0.0,
        face_box=None,
        scores=None,
        pred_class=None,
        pred_label=None,
        modalities=[],
        note='')


def _span(name: str, window: VideoWindow) -> str:
    """``'<file> [start-end s]'`` for messages."""
    return f'{name} [{window.start:.2f}-{window.end:.2f} s]'


def window_face_crops(source: VideoSource, track: Optional[FaceTrack],
                      window: VideoWindow, person: int, policy: FacePolicy,
                      row: dict) -> Optional[FrameSequence]:
    """The person's face crops in a window, if the face is there.

    Sets ``face_ratio``, ``face_found`` and ``face_box`` of ``row``.

    Args:
        source (VideoSource): The video.
        track (FaceTrack, optional): The person's track (None: no face).
        window (VideoWindow): The window.
        person (int): The person's number (for messages).
        policy (FacePolicy): Margin and the face ratio needed.
        row (dict): The window's result row.

    Returns:
        FrameSequence | None: The crops of the window's clip frames, read
        lazily, None when the window lacks the face.
    """
    if track is None:
        return None
    crops = WindowFaces(source, track, window, policy.margin,
                        max_gap_frames(source.fps))
    row['face_ratio'] = round(crops.ratio, 3)
    if crops.ratio < policy.min_face_ratio or not crops.known:
        return None
    row['face_found'] = True
    row['face_box'] = crops.median_box()
    name = osp.basename(source.path)
    return FrameSequence(
        f'{name} face {person} [{window.start:.2f}-{window.end:.2f} s]',
        len(crops.frames), crops.read, crops.keys())


def window_scenes(source: VideoSource, window: VideoWindow) -> FrameSequence:
    """The full frames of a window's clip, read lazily, as the scene."""
    frames = window.clip_frames
    return FrameSequence(
        _span(osp.basename(source.path), window), len(frames),
        lambda ids: source.read([frames[i] for i in ids]),
        [scene_key(f) for f in frames])


def window_sound(sound: Optional[AudioSegment], window: VideoWindow,
                 name: str) -> Optional[AudioSegment]:
    """The window's slice of the sound (None if there is none).

    Args:
        sound (AudioSegment, optional): The video's sound, (S,) wave from
            sample ``sound.offset`` on.
        window (VideoWindow): The window.
        name (str): The video's file name (for messages).

    Returns:
        AudioSegment | None: The samples of ``[start, end)``.
    """
    if sound is None:
        return None
    wave, rate = sound
    offset = getattr(sound, 'offset', 0)
    s0 = max(0, int(window.start * rate) - offset)
    s1 = int(window.end * rate) - offset
    if s1 <= s0 or not wave[s0:s1].size:
        return None
    return AudioSegment(wave[s0:s1], rate, _span(name, window))


def person_window_records(
        source: VideoSource, track: Optional[FaceTrack], person: int,
        windows: List[VideoWindow], sound: Optional[AudioSegment],
        caption: Optional[str],
        policy: FacePolicy) -> Tuple[List[dict], List[WindowJob]]:
    """Rows of one person's timeline and the records of its scored windows.

    Args:
        source (VideoSource): The video.
        track (FaceTrack, optional): The person's track; None when no face
            is tracked (or the face is not used).
        person (int): The person's number (0 = main face).
        windows (list[VideoWindow]): From :func:`.windows.plan_windows`.
        sound (AudioSegment, optional): The video's sound (None: absent).
        caption (str, optional): Caption of the video.
        policy (FacePolicy): Face crops and windows without a face.

    Returns:
        tuple: ``rows`` (one per window, skipped windows included) and the
        jobs (a row and its record per window to predict).
    """
    name = osp.basename(source.path)
    rows, jobs = [], []
    for window in windows:
        row = empty_row(window)
        rows.append(row)
        faces = window_face_crops(source, track, window, person, policy, row)
        if faces is None and policy.use_face:
            if policy.no_face == 'skip':
                row['note'] = 'no face in this window: skipped'
                continue
            row['note'] = 'no face in this window: scored from scene'
        segment = window_sound(sound, window, name)
        record = make_record(
            faces,
            window_scenes(source, window),
            segment,
            caption,
            filename=source.path,
            clip_id=f'{name}#{person}:{window.index}')
        jobs.append(WindowJob(row, record, segment is not None))
    return rows, jobs


def fill_window_rows(jobs: List[WindowJob], preds: List[dict]) -> int:
    """Write the predictions into the rows of their windows.

    Args:
        jobs (list[WindowJob]): The predicted windows.
        preds (list[dict]): :func:`.predict.predict_records` of their
            records, in the same order.

    Returns:
        int: Windows whose sound was silent (marked missing by the
        pipeline); their rows get a note.
    """
    silent = 0
    for job, pred in zip(jobs, preds):
        row = job.row
        row.update(
            scores=pred['scores'],
            pred_class=pred['pred_class'],
            pred_label=pred['pred_label'],
            modalities=pred['modalities'])
        if job.has_audio and 'audio' not in pred['modalities']:
            silent += 1
            row['note'] = (row['note'] + '; ' if row['note'] else
                           '') + 'silent audio: marked missing'
        for key in ('fused', 'prompt_ids'):
            if key in pred:
                value = pred[key]
                row[key] = value.tolist() if hasattr(value,
                                                     'tolist') else value
    return silent
