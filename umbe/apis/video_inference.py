"""Predict emotions over a whole video: face tracking, windows, timeline.

The video is decoded with decord; faces are detected on a grid of frames
and tracked (:mod:`.face_tracking`); the video is cut into sliding windows
(:mod:`.windows`) and each window becomes a pipeline record with in-memory
sources (face crops of the tracked person, the full frames as the scene, the
window's slice of the sound track, the caption), predicted in batches by
:func:`.inference.predict_records`.
"""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np

from umbe.structures import MODALITIES
from .face_tracking import detect_and_track, square_crop
from .in_memory_transforms import AudioSegment, FrameSequence, make_record
from .inference import (_resolve_modalities, build_inference_pipeline,
                        pipeline_settings, predict_records)
from .video_source import VideoSource, load_sound
from .windows import overall_scores, sliding_windows, smooth_scores

NO_FACE_POLICIES = ('skip', 'scene')


class _WindowFaces:
    """Face crops of one track inside one window (nearest box held)."""

    def __init__(self, source, track, f0, f1, margin, max_gap):
        self.source, self.margin = source, margin
        self.f0 = f0
        grid = [f for f in track.det_frames if f0 <= f < f1
                ] or [(f0 + f1 - 1) // 2]
        # presence: detections and the gaps between them, ends not held
        boxes = [(f, track.box_at(f, max_gap, hold=False)) for f in grid]
        self.known = [(f, b) for f, b in boxes if b is not None]
        self.ratio = len(self.known) / len(boxes)
        self.track, self.max_gap = track, max_gap

    def box(self, frame: int):
        box = self.track.box_at(frame, self.max_gap)
        if box is None:  # hold the nearest box of this window
            box = min(self.known, key=lambda fb: abs(fb[0] - frame))[1]
        return box

    def read(self, ids):
        frames = self.source.read([self.f0 + i for i in ids])
        return [
            square_crop(img, self.box(self.f0 + i), self.margin)
            for i, img in zip(ids, frames)
        ]

    def median_box(self):
        return [
            int(round(v))
            for v in np.median([b for _, b in self.known], axis=0)
        ]


def infer_video(model,
                path: str,
                window: Optional[float] = None,
                stride: Optional[float] = None,
                caption: Optional[str] = None,
                modalities: Optional[Sequence[str]] = None,
                audio: Union[str, None, AudioSegment] = 'track',
                no_face: str = 'skip',
                all_faces: bool = False,
                margin: float = 0.25,
                det_fps: float = 5.0,
                min_face_ratio: float = 0.5,
                detector: Optional[Callable] = None,
                smooth: int = 3,
                batch_size: int = 8,
                return_features: bool = False,
                progress: Optional[Callable[[int], None]] = None,
                timings: Optional[Dict[str, float]] = None) -> dict:
    """Predict the emotion timeline of a video.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        path (str): The video file.
        window (float, optional): Window length in seconds; None predicts
            the whole video as one clip. Defaults to None.
        stride (float, optional): Seconds between window starts. Defaults
            to half the window.
        caption (str, optional): Caption of the video. Defaults to None.
        modalities (Sequence[str], optional): Modalities to use. Defaults
            to all.
        audio (str | AudioSegment | None): ``'track'`` (the video's own),
            a wav path, a segment, or None (absent). Defaults to 'track'.
        no_face (str): A window without the face: ``'skip'`` it, or score
            it from the ``'scene'`` (and audio, caption) with the face
            marked absent. Defaults to 'skip'.
        all_faces (bool): Also predict a timeline for every tracked person.
            Defaults to False.
        margin (float): Face crop margin per side, fraction of the face box.
            Defaults to 0.25.
        det_fps (float): Face detections per second. Defaults to 5.0.
        min_face_ratio (float): Share of a window's detection frames that
            must hold the face for the window to count as having it.
            Defaults to 0.5.
        detector (Callable, optional): ``RGB frame -> [(x, y, w, h)]``.
            Defaults to :class:`HaarFaceDetector`.
        smooth (int): Windows in the moving average of the timeline (odd).
            Defaults to 3.
        batch_size (int): Windows per forward pass. Defaults to 8.
        return_features (bool): Add ``fused`` and ``prompt_ids`` per
            window. Defaults to False.
        progress (Callable, optional): Called as ``progress(done, total)``
            with the number of windows predicted after each batch.
        timings (dict, optional): ``decode``, ``face_detection``,
            ``pipeline`` and ``model`` seconds are added to it.

    Returns:
        dict: ``video``, ``duration``, ``fps``, ``num_frames``, ``window``,
        ``stride``, ``classes``, ``notes``, ``windows`` (per window:
        ``start``, ``end``, ``face_found``, ``face_ratio``, ``face_box``,
        ``scores``, ``pred_class``, ``modalities``, ``smoothed_scores``,
        ``smoothed_class``, ``note``), ``overall`` and, with
        ``all_faces``, ``persons``; ``_tracks`` holds the face tracks.
    """
    if no_face not in NO_FACE_POLICIES:
        raise ValueError(f'no_face must be one of {NO_FACE_POLICIES}, got '
                         f'{no_face!r}')
    timings = timings if timings is not None else {}
    notes: List[str] = []
    keep = _resolve_modalities(modalities)
    source = VideoSource(path, timings=timings)
    settings = pipeline_settings(model.cfg)
    if source.num_frames < settings['clip_len']:
        notes.append(
            f'the video has {source.num_frames} frames, fewer than the '
            f'{settings["clip_len"]} a clip samples: all are used and the '
            'rest is padding (as in training)')
    if window is None:
        spans = [(0.0, source.duration)]
        stride = None
        clip = settings['audio_duration'] or 5.0
        if source.duration > 2 * clip:
            notes.append(
                f'the whole {source.duration:.1f} s video is one clip '
                f'({settings["clip_len"]} frames over all of it, the sound '
                f'of its first {clip:g} s); give a window for a timeline')
    else:
        stride = stride or window / 2
        spans = sliding_windows(source.duration, window, stride)
        if len(spans) == 1:
            notes.append(
                f'the video ({source.duration:.2f} s) is not longer than one'
                f' window ({window:g} s) + half a stride: one prediction for '
                'all of it')
    sound = load_sound(path, audio, notes)
    if keep is not None and 'audio' not in keep:
        sound = None

    use_face = keep is None or 'face' in keep
    tracks = detect_and_track(
        source, detector, det_fps, timings=timings) if use_face else []
    if use_face and not tracks:
        notes.append('no face found in the video' + (
            '; scored from scene and audio (no_face=scene)' if no_face ==
            'scene' else '; windows skipped (use no_face=scene / --no-face '
            'scene to score them from scene and audio)'))
    max_gap = int(round(source.fps * 1.0))  # bridge up to 1 s
    people = list(tracks if all_faces else tracks[:1])
    if not people:
        people = [None]

    name = osp.basename(path)
    jobs, entries = [], []
    for person, track in enumerate(people):
        rows = []
        for index, (start, end) in enumerate(spans):
            f0 = min(source.num_frames - 1, int(round(start * source.fps)))
            f1 = max(f0 + 1,
                     min(source.num_frames, int(round(end * source.fps))))
            row = dict(
                index=index,
                start=round(start, 3),
                end=round(end, 3),
                face_found=False,
                face_ratio=0.0,
                face_box=None,
                scores=None,
                pred_class=None,
                pred_label=None,
                modalities=[],
                note='')
            faces = None
            if track is not None:
                crops = _WindowFaces(source, track, f0, f1, margin, max_gap)
                row['face_ratio'] = round(crops.ratio, 3)
                if crops.ratio >= min_face_ratio and crops.known:
                    row['face_found'] = True
                    row['face_box'] = crops.median_box()
                    faces = FrameSequence(
                        f'{name} face {person} [{start:.2f}-{end:.2f} s]',
                        f1 - f0, crops.read)
            if faces is None and use_face:
                if no_face == 'skip':
                    row['note'] = 'no face in this window: skipped'
                    rows.append(row)
                    continue
                row['note'] = 'no face in this window: scored from scene'
            scenes = FrameSequence(
                f'{name} [{start:.2f}-{end:.2f} s]',
                f1 - f0,
                lambda ids, f0=f0: source.read([f0 + i for i in ids]))
            segment = None
            if sound is not None:
                wave, rate = sound
                s0, s1 = int(start * rate), int(end * rate)
                if s1 > s0 and wave[s0:s1].size:
                    segment = AudioSegment(
                        wave[s0:s1], rate, f'{name} [{start:.2f}-{end:.2f} s]')
            jobs.append(
                make_record(
                    faces,
                    scenes,
                    segment,
                    caption,
                    filename=path,
                    clip_id=f'{name}#{person}:{index}'))
            entries.append((row, segment is not None))
            rows.append(row)
        people[person] = (track, rows)

    decode_before = timings.get('decode', 0.)
    pipeline = build_inference_pipeline(model.cfg)
    done = 0
    preds = []
    for start in range(0, len(jobs), batch_size):
        preds += predict_records(model, jobs[start:start + batch_size],
                                 pipeline, modalities, batch_size,
                                 return_features, timings)
        done = min(len(jobs), start + batch_size)
        if progress is not None:
            progress(done, len(jobs))
    # decoding inside the pipeline is reported as decode, not pipeline
    timings['pipeline'] = timings.get('pipeline', 0.) - (
        timings.get('decode', 0.) - decode_before)
    silent = 0
    for (row, had_audio), pred in zip(entries, preds):
        row.update(
            scores=pred['scores'],
            pred_class=pred['pred_class'],
            pred_label=pred['pred_label'],
            modalities=pred['modalities'])
        row['_probs'] = pred['probs']
        if had_audio and 'audio' not in pred['modalities']:
            silent += 1
            row['note'] = (row['note'] + '; ' if row['note'] else
                           '') + 'silent audio: marked missing'
        for key in ('fused', 'prompt_ids'):
            if key in pred:
                value = pred[key]
                row[key] = value.tolist() if hasattr(value,
                                                     'tolist') else value
    if silent:
        notes.append(f'silent audio in {silent} window(s): audio marked '
                     'missing there')

    classes = list(model.classes)
    summaries = [_summarise(rows, classes, smooth) for _, rows in people]
    for person, (track, rows) in enumerate(people):
        for row in rows:
            row.pop('_probs', None)
    result = dict(
        video=path,
        duration=round(source.duration, 3),
        fps=source.fps,
        num_frames=source.num_frames,
        window=window,
        stride=stride,
        classes=classes,
        modalities_requested=(sorted(keep, key=MODALITIES.index)
                              if keep else None),
        notes=notes,
        windows=people[0][1],
        overall=summaries[0])
    if use_face and tracks and not any(r['face_found'] for r in people[0][1]):
        notes.append('the face was not found in any window')
    if all_faces:
        result['persons'] = [
            dict(
                person=i,
                track_id=None if t is None else t.track_id,
                windows=rows,
                overall=summary)
            for i, ((t, rows), summary) in enumerate(zip(people, summaries))
        ]
    result['_tracks'] = [p[0] for p in people if p[0] is not None]
    result['_source'] = source
    return result


def _summarise(rows: List[dict], classes: List[str], smooth: int):
    """Smoothed timeline (written into ``rows``) and the overall label."""
    probs = np.full((len(rows), len(classes)), np.nan)
    for i, row in enumerate(rows):
        if row.get('_probs') is not None:
            probs[i] = row['_probs']
    smoothed = smooth_scores(probs, smooth) if len(rows) else probs
    for row, values in zip(rows, smoothed):
        if np.isnan(values).any():
            row['smoothed_scores'], row['smoothed_class'] = None, None
        else:
            row['smoothed_scores'] = {
                c: round(float(v), 6)
                for c, v in zip(classes, values)
            }
            row['smoothed_class'] = classes[int(values.argmax())]
    mean = overall_scores(probs)
    if mean is None:
        return None
    return dict(
        scores={
            c: round(float(v), 6)
            for c, v in zip(classes, mean)
        },
        pred_class=classes[int(mean.argmax())],
        num_windows=int((~np.isnan(probs).any(axis=1)).sum()))
