"""Inference speed: seconds of video per second of wall time, by stage.

:func:`time_infer_video` runs :func:`infer_video` (the code path of
``tools/infer.py``) and splits its wall time into decode (decord), face
detection (Haar cascade), pipeline (sampling, crops, resizing, audio
resampling, tokenising) and model (preprocessor + forward), the
``timings`` that :func:`infer_video` collects, with the peak resident memory
of each phase and how many frames the towers encoded. :func:`time_stream`
plays a video as a live stream (:class:`.stream.StreamRecognizer`) and
reports latency and windows per second. ``tools/analysis/
benchmark_infer.py`` is the command.

It lives in ``umbe.apis``, not ``umbe.analysis``: it times the inference
API, and the two packages share a floor (neither imports the other).
"""
import copy
import time
from typing import Optional, Sequence, Union

import torch
from mmengine.config import Config
from terminaltables import AsciiTable

from umbe.models.utils import use_random_towers
from .frame_embeddings import FrozenFeatureEncoder
from .stream import StreamRecognizer
from .stream_sources import AVStreamSource
from .video_inference import infer_video

#: the stages of :func:`infer_video`'s ``timings``, in pipeline order
INFERENCE_STAGES = ('decode', 'face_detection', 'pipeline', 'model')


def without_pretrained(cfg: Config) -> Config:
    """A copy of a config whose model loads no pretrained files.

    Every ``pretrained`` entry under ``cfg.model`` becomes None and
    ``allow_random_towers`` True, so the model builds with random weights
    (to time a model without its CLIP files).

    Args:
        cfg (Config): A model config.

    Returns:
        Config: The copy.
    """
    cfg = copy.deepcopy(cfg)
    use_random_towers(cfg.model)
    return cfg


def _synchronize(model: torch.nn.Module) -> None:
    """Wait for the model's CUDA work, so that wall times are complete."""
    param = next(model.parameters(), None)
    if param is not None and param.device.type == 'cuda':
        torch.cuda.synchronize(param.device)


def time_infer_video(model: torch.nn.Module,
                     video: str,
                     window: float,
                     stride: Optional[float] = None,
                     det_fps: float = 5.0,
                     batch_size: int = 8,
                     name: str = 'model',
                     warmup: Union[bool, str] = True,
                     cache_size: int = 4096) -> dict:
    """Time :func:`infer_video` on a video, after one warm-up run.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        video (str): The video file.
        window (float): Window seconds.
        stride (float, optional): Window stride; None: half the window.
            Defaults to None.
        det_fps (float): Face detections per second. Defaults to 5.0.
        batch_size (int): Windows per forward pass. Defaults to 8.
        name (str): The row's name. Defaults to 'model'.
        warmup (bool | str): True: a warm-up run on ``video`` with
            non-overlapping windows (``stride = window``); a path: a
            warm-up run on that (short) video; False: none.
            Defaults to True.
        cache_size (int): The encoder's embedding cache (0: every window's
            frames encoded). Defaults to 4096.

    Returns:
        dict: ``name``, ``device``, ``video_seconds``, ``windows``,
        ``window``, ``wall_seconds``, ``video_s_per_wall_s``, the seconds of
        each of ``INFERENCE_STAGES`` and ``other`` (the rest of the wall
        time), ``peak_rss_gib`` (per phase of :func:`infer_video`) and
        ``frames_encoded``, ``frames_reused``.
    """
    if warmup:
        infer_video(
            model,
            video if warmup is True else warmup,
            window=window,
            stride=window if warmup is True else stride,
            det_fps=det_fps,
            batch_size=batch_size)
    timings, memory = {}, {}
    encoder = FrozenFeatureEncoder(
        model, cache_size=cache_size) if hasattr(model,
                                                 'encode_frames') else None
    _synchronize(model)
    start = time.perf_counter()
    result = infer_video(
        model,
        video,
        window=window,
        stride=stride,
        det_fps=det_fps,
        batch_size=batch_size,
        timings=timings,
        encoder=encoder,
        memory=memory)
    _synchronize(model)
    wall = time.perf_counter() - start
    param = next(model.parameters(), None)
    row = dict(
        name=name,
        device=str(param.device if param is not None else 'cpu'),
        video_seconds=result['duration'],
        windows=len(result['windows']),
        window=window,
        wall_seconds=wall,
        video_s_per_wall_s=result['duration'] / wall)
    for stage in INFERENCE_STAGES:
        row[stage] = timings.get(stage, 0.)
    row['other'] = wall - sum(row[s] for s in INFERENCE_STAGES)
    row['peak_rss_gib'] = {k: round(v, 3) for k, v in memory.items()}
    stats = encoder.stats if encoder is not None else {}
    row['frames_encoded'] = stats.get('encoded')
    row['frames_reused'] = stats.get('reused')
    return row


def time_stream(model: torch.nn.Module,
                video: str,
                window: Optional[float] = None,
                stride: Optional[float] = None,
                det_fps: float = 5.0,
                name: str = 'model',
                max_seconds: Optional[float] = None) -> dict:
    """Play a video as a live stream (at its own frame rate) and time it.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        video (str): The video file.
        window (float, optional): Window seconds (default: the config's).
        stride (float, optional): Stride (default: half the window).
        det_fps (float): Face detections per second. Defaults to 5.0.
        name (str): The row's name. Defaults to 'model'.
        max_seconds (float, optional): Stop after this much stream.

    Returns:
        dict: ``name`` and :meth:`.stream.StreamRecognizer.run`'s summary
        (``windows``, ``dropped_windows``, ``windows_per_second``,
        ``latency``, ...).
    """
    recognizer = StreamRecognizer(
        model, window=window, stride=stride, det_fps=det_fps)
    summary = recognizer.run(
        AVStreamSource(video), lambda line: None, max_seconds=max_seconds)
    return dict(
        name=name,
        window=recognizer.window,
        stride=recognizer.stride,
        **summary)


def timing_table(rows: Sequence[dict], title: Optional[str] = None) -> str:
    """The rows of :func:`time_infer_video` as a terminal table.

    Args:
        rows (Sequence[dict]): Timing rows.
        title (str, optional): Table title (the video). Defaults to None.

    Returns:
        str: The table.
    """
    header = [
        'model', 'device', 'video s', 'windows', 'wall s', 'video s / wall s'
    ] + [f'{s} s' for s in INFERENCE_STAGES] + [
        'other s', 'frames encoded', 'peak RSS GiB (open / faces / windows)'
    ]
    table = [header]
    for r in rows:
        peaks = r.get('peak_rss_gib') or {}
        table.append([
            r['name'], r['device'], f'{r["video_seconds"]:.1f}', r['windows'],
            f'{r["wall_seconds"]:.2f}', f'{r["video_s_per_wall_s"]:.3f}'
        ] + [f'{r[s]:.2f}' for s in INFERENCE_STAGES] + [
            f'{r["other"]:.2f}',
            r.get('frames_encoded'), ' / '.join(
                f'{peaks[p]:.2f}'
                for p in ('open', 'face_detection', 'windows') if p in peaks)
        ])
    return AsciiTable(table, title=title).table


def stream_table(rows: Sequence[dict], title: Optional[str] = None) -> str:
    """The rows of :func:`time_stream` as a terminal table."""
    header = [
        'model', 'window / stride s', 'stream s', 'windows', 'dropped',
        'windows / s', 'latency mean / p95 / max s', 'model s / window'
    ]
    table = [header]
    for r in rows:
        lat = r.get('latency') or {}
        table.append([
            r['name'], f'{r["window"]:g} / {r["stride"]:g}',
            f'{r["stream_seconds"]:.1f}', r['windows'], r['dropped_windows'],
            f'{r["windows_per_second"]:.3f}',
            ' / '.join(f'{lat[k]:.2f}' for k in ('mean', 'p95', 'max')
                       if k in lat),
            r.get('model_seconds_per_window')
        ])
    return AsciiTable(table, title=title).table
