"""Inference speed: seconds of video per second of wall time, by stage.

:func:`time_infer_video` runs :func:`infer_video` (the code path of
``tools/infer.py``) and splits its wall time into decode (decord), face
detection (Haar cascade), pipeline (sampling, crops, resizing, audio
resampling, tokenising) and model (preprocessor + forward), the
``timings`` that :func:`infer_video` collects. ``tools/analysis/
benchmark_infer.py`` is the command.

It lives in ``umbe.apis``, not ``umbe.analysis``: it times the inference
API, and the two packages share a floor (neither imports the other).
"""
import copy
import time
from typing import Optional, Sequence

import torch
from mmengine.config import Config
from terminaltables import AsciiTable

from umbe.models.utils import use_random_towers
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
                     name: str = 'model') -> dict:
    """Time :func:`infer_video` on a video, after one warm-up run.

    The warm-up predicts the video with non-overlapping windows (``stride
    = window``); the timed run uses ``stride``.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        video (str): The video file.
        window (float): Window seconds.
        stride (float, optional): Window stride; None: half the window.
            Defaults to None.
        det_fps (float): Face detections per second. Defaults to 5.0.
        batch_size (int): Windows per forward pass. Defaults to 8.
        name (str): The row's name. Defaults to 'model'.

    Returns:
        dict: ``name``, ``device``, ``video_seconds``, ``windows``,
        ``window``, ``wall_seconds``, ``video_s_per_wall_s``, the seconds of
        each of ``INFERENCE_STAGES`` and ``other`` (the rest of the wall
        time).
    """
    infer_video(
        model,
        video,
        window=window,
        stride=window,
        det_fps=det_fps,
        batch_size=batch_size)  # warm-up
    timings = {}
    _synchronize(model)
    start = time.perf_counter()
    result = infer_video(
        model,
        video,
        window=window,
        stride=stride,
        det_fps=det_fps,
        batch_size=batch_size,
        timings=timings)
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
    return row


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
    ] + [f'{s} s' for s in INFERENCE_STAGES] + ['other s']
    table = [header] + [[
        r['name'], r['device'], f'{r["video_seconds"]:.1f}', r['windows'],
        f'{r["wall_seconds"]:.2f}', f'{r["video_s_per_wall_s"]:.2f}'
    ] + [f'{r[s]:.2f}' for s in INFERENCE_STAGES] + [f'{r["other"]:.2f}']
                        for r in rows]
    return AsciiTable(table, title=title).table
