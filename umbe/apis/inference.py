"""Run a trained UMBEnet on clips and videos (mmaction2-style API).

``init_recognizer`` builds the model from a config and loads a checkpoint,
checking that the two match; ``inference_recognizer`` predicts one clip (a
video file, a dataset-style record, or in-memory frames). The preprocessing
is the config's own test pipeline (see :mod:`.pipeline`); records are
predicted by :func:`.predict.predict_records`, a video file by
:func:`.video_inference.infer_video` with the whole video as one clip.
"""
import os.path as osp
from typing import Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config

from umbe.engine import load_checked_checkpoint
from umbe.registry import MODELS
from umbe.utils import register_all_modules
from .in_memory_transforms import AudioSegment, FrameSequence
from .predict import predict_records
from .video_inference import infer_video


def init_recognizer(config: Union[str, Config],
                    checkpoint: Optional[str] = None,
                    device: str = 'cuda:0') -> torch.nn.Module:
    """Build a recognizer from a config and load a checkpoint.

    The checkpoint must fit the config: the same parameter names and shapes
    and, when the checkpoint records its dataset's classes (mmengine's
    ``meta['dataset_meta']``), the same class list in the same order.
    Otherwise a ``CheckpointMismatchError`` (a ``ValueError``) names both
    files and the difference (:func:`umbe.engine.check_checkpoint`).

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): Checkpoint file; None keeps the
            config's initialisation (random weights). Defaults to None.
        device (str): Torch device. Defaults to 'cuda:0'.

    Returns:
        nn.Module: The model in eval mode, with ``model.cfg`` set.
    """
    register_all_modules()
    config_name = config if isinstance(config, str) else getattr(
        config, 'filename', 'the config')
    if isinstance(config, str):
        if not osp.isfile(config):
            raise FileNotFoundError(
                f'config file {config} not found; pass a path such as '
                'configs/umbenet/umbenet_demo.py')
        config = Config.fromfile(config)
    if str(device).startswith('cuda') and not torch.cuda.is_available():
        raise RuntimeError(f'device {device} requested but CUDA is not '
                           'available; use --device cpu')
    model = MODELS.build(config.model)
    if checkpoint is not None:
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'checkpoint {checkpoint} not found; train one with '
                'tools/train.py (checkpoints are in its --work-dir)')
        # safe loading, then the class list, strict keys and shapes
        load_checked_checkpoint(model, checkpoint, config_name)
    model.cfg = config
    model.to(device)
    model.eval()
    return model


def inference_recognizer(model: torch.nn.Module,
                         video: Union[str, dict],
                         audio: Union[str, None, AudioSegment] = 'track',
                         caption: Optional[str] = None,
                         modalities: Optional[Sequence[str]] = None,
                         return_features: bool = False,
                         **video_kwargs) -> dict:
    """Predict the emotion of one clip.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        video (str | dict): A video file (its main face is detected and
            tracked, the full frame is the scene; the whole video is one
            clip), or a dataset-style record (``filename``, ``frame_dir``,
            ``scene_dir``, ``audio``, ``caption``; folders/paths or
            :class:`FrameSequence` / lists of RGB arrays), fed to the test
            pipeline as the dataset would.
        audio (str | AudioSegment | None): For a video file: ``'track'``
            uses its own sound track (missing if it has none), a wav path
            or an :class:`AudioSegment` replaces it, None marks the audio
            absent. Ignored for a record. Defaults to 'track'.
        caption (str, optional): Caption text. Defaults to None.
        modalities (Sequence[str], optional): Modalities to use (names
            from ``MODALITY_NAMES``); None uses all the clip has.
            Defaults to None.
        return_features (bool): Also return ``fused`` (the fused embedding)
            and ``prompt_ids`` (the selected prompt-pool ids).
            Defaults to False.
        **video_kwargs: For a video file, options of
            :func:`umbe.apis.video_inference.infer_video` (``margin``,
            ``det_fps``, ``no_face``, ...).

    Returns:
        dict: ``scores`` ``{class: prob}``, ``pred_class``,
        ``pred_label``, ``probs``, ``modalities`` (used), and for a video
        file also ``face_found``, ``face_box`` and ``notes``.
    """
    if isinstance(video, dict):
        record = dict(video)
        for key in ('frame_dir', 'scene_dir'):
            if isinstance(record.get(key), (list, tuple)):
                record[key] = FrameSequence.from_arrays(record[key], key)
        if caption is not None:
            record['caption'] = caption
        return predict_records(
            model, [record],
            modalities=modalities,
            return_features=return_features)[0]
    result = infer_video(
        model,
        video,
        window=None,
        caption=caption,
        modalities=modalities,
        audio=audio,
        return_features=return_features,
        **video_kwargs)
    window = result['windows'][0]
    if window.get('scores') is None:
        raise ValueError(
            f'{video}: no face found (in at least half of the detection '
            'frames); pass no_face=\'scene\' to score it from the scene and '
            'audio, or check the video shows a frontal face')
    skip = ('index', 'start', 'end', 'smoothed_scores', 'smoothed_class')
    out = {k: v for k, v in window.items() if k not in skip}
    out['probs'] = np.array([window['scores'][c] for c in model.classes],
                            dtype=np.float32)
    out['notes'] = result['notes']
    return out
