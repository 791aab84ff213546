"""Predict emotions over a whole video: face tracking, windows, timeline.

The video is decoded with decord, forward (:class:`.video_source.
VideoSource`); faces are detected on a grid of frames and tracked
(:mod:`.face_tracking`). Then three steps: the video is cut into windows
whose clips sample one time grid (:mod:`.windows`), each window becomes a
pipeline record with in-memory sources (:mod:`.window_records`: face crops
of the tracked person, the full frames as the scene, the window's slice of
the sound track, the caption), the records are predicted in batches, in time
order, through a :class:`.frame_embeddings.FrozenFeatureEncoder` that
encodes each frame once (:mod:`.predict`), and each timeline is smoothed and
summarised (:mod:`.timeline`).
"""
from typing import Callable, Dict, List, Optional, Sequence, Union

import torch
from mmcv.transforms import Compose

from umbe.datasets import pipeline_settings
from umbe.structures import expand_modalities
from umbe.utils.memory import PhasePeaks
from .face_tracking import FaceTrack, detect_and_track
from .frame_embeddings import (FrozenFeatureEncoder, pipeline_reuses_frames,
                               warn_no_reuse)
from .in_memory_transforms import AudioSegment
from .pipeline import build_inference_pipeline, clip_seconds
from .predict import predict_records
from .timeline import summarise_timeline
from .video_source import VideoSource, load_sound
from .window_records import (FacePolicy, WindowJob, fill_window_rows,
                             person_window_records)
from .windows import WindowPlan, plan_windows


def _predict_jobs(model: torch.nn.Module, pipeline: Compose,
                  jobs: List[WindowJob], modalities: Optional[Sequence[str]],
                  batch_size: int, return_features: bool,
                  progress: Optional[Callable[[int, int],
                                              None]], timings: Dict[str,
                                                                    float],
                  encoder: Optional[FrozenFeatureEncoder]) -> List[dict]:
    """Predict the windows' records in batches, reporting progress.

    Frames decoded inside the pipeline (the windows read their frames
    lazily) count as ``decode``, not ``pipeline``, in ``timings``.

    Returns:
        list[dict]: :func:`predict_records` results, one per job.
    """
    decode_before = timings.get('decode', 0.)
    preds = []
    for start in range(0, len(jobs), batch_size):
        batch = [job.record for job in jobs[start:start + batch_size]]
        preds += predict_records(model, batch, pipeline, modalities,
                                 batch_size, return_features, timings, encoder)
        if progress is not None:
            progress(min(len(jobs), start + batch_size), len(jobs))
    timings['pipeline'] = timings.get('pipeline', 0.) - (
        timings.get('decode', 0.) - decode_before)
    return preds


def _no_face_note(no_face: str) -> str:
    """The note for a video where no face was tracked."""
    return 'no face found in the video' + (
        '; scored from scene and audio (no_face=scene)' if no_face == 'scene'
        else '; windows skipped (use no_face=scene / --no-face '
        'scene to score them from scene and audio)')


def _video_result(source: VideoSource, window: Optional[float],
                  plan: WindowPlan, keep: Optional[Sequence[str]],
                  classes: List[str], notes: List[str],
                  people: List[Optional[FaceTrack]], rows: List[List[dict]],
                  summaries: List[Optional[dict]], all_faces: bool) -> dict:
    """The result dict of :func:`infer_video` (its key order is the JSON's).
    """
    result = dict(
        video=source.path,
        duration=round(source.duration, 3),
        fps=source.fps,
        num_frames=source.num_frames,
        window=window,
        stride=plan.stride,
        classes=classes,
        modalities_requested=list(keep) if keep else None,
        notes=notes,
        windows=rows[0],
        overall=summaries[0])
    if all_faces:
        result['persons'] = [
            dict(
                person=i,
                track_id=None if track is None else track.track_id,
                windows=person_rows,
                overall=summary)
            for i, (track, person_rows,
                    summary) in enumerate(zip(people, rows, summaries))
        ]
    result['_tracks'] = [track for track in people if track is not None]
    result['_source'] = source
    return result


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
                progress: Optional[Callable[[int, int], None]] = None,
                timings: Optional[Dict[str, float]] = None,
                encoder: Optional[FrozenFeatureEncoder] = None,
                memory: Optional[Dict[str, float]] = None) -> dict:
    """Predict the emotion timeline of a video.

    Plans the windows (:func:`.windows.plan_windows`), makes one pipeline
    record per window and person (:func:`.window_records.
    person_window_records`), predicts them in batches
    (:func:`.predict.predict_records`) and summarises each person's
    timeline (:func:`.timeline.summarise_timeline`).

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
        detector (Callable, optional): ``RGB frame -> [(x, y, w, h)]``
            (:func:`.face_detectors.build_face_detector`). Defaults to
            :class:`HaarFaceDetector`.
        smooth (int): Windows in the moving average of the timeline (odd).
            Defaults to 3.
        batch_size (int): Windows per forward pass. Defaults to 8.
        return_features (bool): Add ``fused`` and ``prompt_ids`` per
            window. Defaults to False.
        progress (Callable, optional): Called as ``progress(done, total)``
            with the number of windows predicted after each batch.
        timings (dict, optional): ``decode``, ``face_detection``,
            ``pipeline`` and ``model`` seconds are added to it.
        encoder (FrozenFeatureEncoder, optional): Runs the frozen towers,
            each frame once (give one to read its ``stats`` or to set its
            cache and chunk size; ``cache_size=0`` encodes every window's
            frames). Defaults to a new one per video for a UMBEnet.
        memory (dict, optional): Receives the peak resident memory (GiB) of
            the phases ``open`` (decoder, sound track), ``face_detection``
            and ``windows`` (records, pipeline, model).

    Returns:
        dict: ``video``, ``duration``, ``fps``, ``num_frames``, ``window``,
        ``stride``, ``classes``, ``notes``, ``windows`` (per window:
        ``start``, ``end``, ``face_found``, ``face_ratio``, ``face_box``,
        ``scores``, ``pred_class``, ``modalities``, ``smoothed_scores``,
        ``smoothed_class``, ``note``), ``overall`` and, with
        ``all_faces``, ``persons``; ``_tracks`` holds the face tracks.
    """
    keep = None if modalities is None else expand_modalities(modalities)
    policy = FacePolicy(
        use_face=keep is None or 'face' in keep,
        no_face=no_face,
        margin=margin,
        min_face_ratio=min_face_ratio)
    timings = timings if timings is not None else {}
    phases = PhasePeaks(memory)
    pipeline = build_inference_pipeline(model.cfg)
    if encoder is None and hasattr(model, 'encode_frames'):
        reuse = pipeline_reuses_frames(pipeline)
        if not reuse:
            warn_no_reuse(pipeline)
        encoder = FrozenFeatureEncoder(model, cache_size=4096 if reuse else 0)
    settings = pipeline_settings(pipeline.transforms)
    with phases.phase('open'):
        source = VideoSource(path, timings=timings)
        plan = plan_windows(source.duration, source.fps, source.num_frames,
                            window, stride, settings.clip_len,
                            clip_seconds(settings))
        notes = list(plan.notes)
        sound = load_sound(path, audio, notes)
        if keep is not None and 'audio' not in keep:
            sound = None

    with phases.phase('face_detection'):
        tracks = detect_and_track(
            source, detector, det_fps,
            timings=timings) if policy.use_face else []
    if policy.use_face and not tracks:
        notes.append(_no_face_note(no_face))
    people = list(tracks if all_faces else tracks[:1]) or [None]

    with phases.phase('windows'):
        rows, jobs = [], []  # rows: per person, per window
        for person, track in enumerate(people):
            person_rows, person_jobs = person_window_records(
                source, track, person, plan.windows, sound, caption, policy)
            rows.append(person_rows)
            jobs += person_jobs
        # in time order (window, then person): the frames are decoded
        # forward, and the frames windows share are still cached
        order = sorted(range(len(jobs)), key=lambda j: jobs[j].row['index'])
        preds = [None] * len(jobs)
        for j, pred in zip(
                order,
                _predict_jobs(model, pipeline, [jobs[j] for j in order],
                              modalities, batch_size, return_features,
                              progress, timings, encoder)):
            preds[j] = pred
    silent = fill_window_rows(jobs, preds)
    if silent:
        notes.append(f'silent audio in {silent} window(s): audio marked '
                     'missing there')
    if tracks and not any(row['face_found'] for row in rows[0]):
        notes.append('the face was not found in any window')

    classes = list(model.classes)
    summaries = [
        summarise_timeline(person_rows, classes, smooth)
        for person_rows in rows
    ]
    return _video_result(source, window, plan, keep, classes, notes, people,
                         rows, summaries, all_faces)
