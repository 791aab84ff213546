"""Run a trained UMBEnet on clips and videos (mmaction2-style API).

``init_recognizer`` builds the model from a config and loads a checkpoint,
checking that the two match; ``inference_recognizer`` predicts one clip (a
video file, a dataset-style record, or in-memory frames). The preprocessing
is the config's own test pipeline (see :mod:`.in_memory_transforms`).
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner.checkpoint import _load_checkpoint

from umbe.registry import MODELS, TRANSFORMS
from umbe.structures import MODALITIES, MODALITY_NAMES, expand_modalities
from .in_memory_transforms import (IN_MEMORY_LOADERS, AudioSegment,
                                   FrameSequence)


def _test_pipeline_cfg(cfg: Config) -> List[dict]:
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    pipeline = dataset.get('pipeline') or cfg.get('test_pipeline')
    if not pipeline:
        raise ValueError(
            'the config has no test pipeline (test_dataloader.dataset.'
            'pipeline or test_pipeline); use a config such as '
            'configs/umbenet/umbenet_demo.py')
    return [dict(step) for step in pipeline]


def build_inference_pipeline(cfg: Config) -> Compose:
    """The config's test pipeline with in-memory capable loaders.

    ``LoadFaceSceneFrames`` and ``LoadAudio`` become their
    :mod:`.in_memory_transforms` subclasses with the same arguments; every
    other step is built from the registry unchanged.

    Args:
        cfg (Config): The model's config.

    Returns:
        Compose: The pipeline (record -> ``inputs``, ``data_samples``).
    """
    steps = _test_pipeline_cfg(cfg)
    types = [step.get('type') for step in steps]
    if 'LoadFaceSceneFrames' not in types:
        raise ValueError(
            f'the config\'s test pipeline {types} has no LoadFaceSceneFrames:'
            ' inference decodes videos, so use the config that loads media '
            '(not a cached-feature config)')
    transforms = []
    for step in steps:
        cls = IN_MEMORY_LOADERS.get(step['type'])
        if cls is not None:
            args = {k: v for k, v in step.items() if k != 'type'}
            transforms.append(cls(**args))
        else:
            transforms.append(TRANSFORMS.build(step))
    return Compose(transforms)


def pipeline_settings(cfg: Config) -> Dict[str, float]:
    """Clip settings of the test pipeline used to choose windows.

    Args:
        cfg (Config): The model's config.

    Returns:
        dict: ``clip_len`` (frames per clip), ``face_size``,
        ``audio_duration`` (seconds of sound per clip, None without
        ``LoadAudio``).
    """
    out = dict(clip_len=16, face_size=224, audio_duration=None)
    for step in _test_pipeline_cfg(cfg):
        if step['type'] == 'LoadFaceSceneFrames':
            out['clip_len'] = step.get('clip_len', 16)
            out['face_size'] = step.get('face_size', 224)
        elif step['type'] == 'LoadAudio':
            out['audio_duration'] = float(step.get('duration', 5.0))
    return out


def _check_state_dict(model: torch.nn.Module, state: dict, config: str,
                      checkpoint: str) -> None:
    own = model.state_dict()
    state = {
        (k[7:] if k.startswith('module.') else k): v
        for k, v in state.items()
    }
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [
        f'{k} {tuple(state[k].shape)} vs {tuple(own[k].shape)}'
        for k in sorted(set(own) & set(state))
        if tuple(state[k].shape) != tuple(own[k].shape)
    ]
    if missing or unexpected or shapes:
        parts = []
        for name, items in (('missing', missing), ('unexpected', unexpected),
                            ('shape mismatch (checkpoint vs config)', shapes)):
            if items:
                more = f' and {len(items) - 3} more' if len(items) > 3 else ''
                parts.append(f'{name}: {", ".join(items[:3])}{more}')
        raise ValueError(
            f'checkpoint {checkpoint} does not fit config {config} (' +
            '; '.join(parts) + '); pass the config the checkpoint was '
            'trained with (mmengine saves it in the checkpoint\'s '
            'meta["cfg"])')
    model.load_state_dict(state, strict=True)


def init_recognizer(config: Union[str, Config],
                    checkpoint: Optional[str] = None,
                    device: str = 'cuda:0') -> torch.nn.Module:
    """Build a recognizer from a config and load a checkpoint.

    The checkpoint must fit the config: the same parameter names and shapes
    and, when the checkpoint records its dataset's classes (mmengine's
    ``meta['dataset_meta']``), the same class list in the same order.
    Otherwise a ``ValueError`` names both files and the difference.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): Checkpoint file; None keeps the
            config's initialisation (random weights). Defaults to None.
        device (str): Torch device. Defaults to 'cuda:0'.

    Returns:
        nn.Module: The model in eval mode, with ``model.cfg`` set.
    """
    from umbe.utils import register_all_modules
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
        ckpt = _load_checkpoint(checkpoint, map_location='cpu')
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt,
                                                           dict) else None
        if not isinstance(state, dict):
            raise ValueError(f'{checkpoint} holds no state dict; pass a '
                             'checkpoint saved by tools/train.py')
        classes = getattr(model, 'classes', None)
        saved = (ckpt.get('meta') or {}).get('dataset_meta', {}).get('classes')
        if classes is not None and saved is not None and tuple(saved) != tuple(
                classes):
            raise ValueError(
                f'checkpoint {checkpoint} was trained on the classes '
                f'{list(saved)} but config {config_name} has '
                f'{list(classes)}; pass the config of the checkpoint\'s '
                'dataset (the class list and its order must match)')
        _check_state_dict(model, state, config_name, checkpoint)
    model.cfg = config
    model.to(device)
    model.eval()
    return model


def _resolve_modalities(
        modalities: Optional[Sequence[str]]) -> Optional[frozenset]:
    if modalities is None:
        return None
    return frozenset(expand_modalities(modalities))


@torch.no_grad()
def predict_records(model: torch.nn.Module,
                    records: Sequence[dict],
                    pipeline: Optional[Compose] = None,
                    modalities: Optional[Sequence[str]] = None,
                    batch_size: int = 8,
                    return_features: bool = False,
                    timings: Optional[Dict[str, float]] = None) -> List[dict]:
    """Predict clips given as pipeline records.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        records (Sequence[dict]): Dataset-style records (paths or
            in-memory sources, see :func:`make_record`).
        pipeline (Compose, optional): Defaults to
            :func:`build_inference_pipeline` of ``model.cfg``.
        modalities (Sequence[str], optional): Modalities to use; the others
            are marked absent. None uses every one the clip has.
            Defaults to None.
        batch_size (int): Clips per forward pass. Defaults to 8.
        return_features (bool): Add ``fused`` and ``prompt_ids``.
            Defaults to False.
        timings (dict, optional): ``pipeline`` and ``model`` seconds are
            added to it.

    Returns:
        list[dict]: Per record ``scores`` ``{class: prob}``, ``probs``
        (C,) array, ``pred_label``, ``pred_class``, ``modalities`` (used),
        and with ``return_features`` ``fused`` (D,) and ``prompt_ids``.
    """
    import time
    pipeline = pipeline or build_inference_pipeline(model.cfg)
    keep = _resolve_modalities(modalities)
    classes = list(model.classes)
    pool = getattr(getattr(model, 'head', None), 'prompt_pool', None)
    if pool is not None and not pool.selects_per_sample:
        batch_size = 1  # one query per batch: keep each clip on its own
    timings = timings if timings is not None else {}
    results = []
    for start in range(0, len(records), batch_size):
        t0 = time.perf_counter()
        packed = []
        for record in records[start:start + batch_size]:
            sample = pipeline(dict(record))
            if keep is not None:
                sample['data_samples'].present = {
                    m: bool(p and m in keep)
                    for m, p in sample['data_samples'].present.items()
                }
            packed.append(sample)
        t1 = time.perf_counter()
        data = model.data_preprocessor(pseudo_collate(packed), False)
        inputs = data['inputs']
        if hasattr(model, 'forward_features'):
            out = model.forward_features(
                model.extract_frozen_features(inputs), inputs)
            probs = out['logits'].softmax(dim=1)  # (B, C)
        else:  # another recognizer: its own predict mode
            out = {}
            samples = model(inputs, data['data_samples'], mode='predict')
            probs = torch.stack([s.pred_score for s in samples])
        present = inputs['present']
        for i in range(probs.shape[0]):
            p = probs[i].float().cpu().numpy()
            res = dict(
                scores={
                    c: float(v)
                    for c, v in zip(classes, p)
                },
                probs=p,
                pred_label=int(p.argmax()),
                pred_class=classes[int(p.argmax())],
                modalities=[m for m in MODALITIES if bool(present[m][i])])
            if return_features:
                if 'fused' in out:
                    res['fused'] = out['fused'][i].float().cpu().numpy()
                if 'prompt_ids' in out:
                    ids = out['prompt_ids']
                    res['prompt_ids'] = ids[min(i, ids.shape[0] -
                                                1)].cpu().tolist()
            results.append(res)
        t2 = time.perf_counter()
        timings['pipeline'] = timings.get('pipeline', 0.) + t1 - t0
        timings['model'] = timings.get('model', 0.) + t2 - t1
    return results


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
    from .video_inference import infer_video
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
