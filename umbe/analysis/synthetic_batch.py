"""Batches with a pipeline's shapes and random content, for measuring a
model where its dataset is not on disk."""
import torch
from mmaction.structures import ActionDataSample
from mmengine.dataset import pseudo_collate

from umbe.datasets import PipelineSettings, pipeline_settings
from umbe.datasets.transforms import TokenizeCaption
from umbe.structures import MODALITIES

#: open_clip's start- and end-of-text token ids
SOT_TOKEN, EOT_TOKEN = 49406, 49407
#: words of the random caption (between SOT and EOT)
CAPTION_WORDS = 11


def synthetic_clips(settings: PipelineSettings,
                    batch_size: int,
                    num_classes: int,
                    seed: int = 0) -> dict:
    """A collated batch of random clips with the given shapes.

    Pixels uniform in [0, 255], audio ``N(0, 0.1²)``, a caption of random
    token ids between SOT and EOT, every frame real and every modality
    present; clip b has label ``b % num_classes``.

    Args:
        settings (PipelineSettings): ``clip_len``, ``face_size``,
            ``scene_size``, ``audio_samples`` and ``caption_length`` (None:
            the ``TokenizeCaption`` default).
        batch_size (int): B clips.
        num_classes (int): C classes of the labels.
        seed (int): Seed of the content. Defaults to 0.

    Returns:
        dict: ``inputs`` (B dicts: ``face``, ``scene`` uint8
        ``(T, 3, H, W)``, ``audio`` ``(S,)``, ``caption`` ``(Lc,)``) and
        ``data_samples`` (B ``ActionDataSample``), as ``pseudo_collate``
        gives them.

    Raises:
        ValueError: The settings have no frames or no audio.
    """
    if settings.clip_len is None or settings.audio_samples is None:
        raise ValueError('a synthetic batch needs a pipeline that loads '
                         'frames (LoadFaceSceneFrames) and audio (LoadAudio),'
                         f' got {settings}')
    T, S = settings.clip_len, settings.audio_samples
    Lc = settings.caption_length or TokenizeCaption().context_length
    g = torch.Generator().manual_seed(seed)
    samples = []
    for b in range(batch_size):
        inputs = {
            m: torch.randint(0, 256, (T, 3, size, size), generator=g,
                             dtype=torch.uint8)
            for m, size in (('face', settings.face_size),
                            ('scene', settings.scene_size))
        }
        inputs['audio'] = torch.randn(S, generator=g) * 0.1
        caption = torch.zeros(Lc, dtype=torch.long)
        caption[:CAPTION_WORDS + 1] = torch.randint(
            1, 49000, (CAPTION_WORDS + 1, ), generator=g)
        caption[0], caption[CAPTION_WORDS + 1] = SOT_TOKEN, EOT_TOKEN
        inputs['caption'] = caption
        sample = ActionDataSample().set_gt_label(b % num_classes)
        sample.frame_mask = torch.ones(T, dtype=torch.bool)
        sample.present = {m: True for m in MODALITIES}
        samples.append(dict(inputs=inputs, data_samples=sample))
    return pseudo_collate(samples)


def synthetic_batch(ds_cfg: dict, batch_size: int, num_classes: int) -> dict:
    """:func:`synthetic_clips` with the shapes of a dataset's pipeline.

    Args:
        ds_cfg (dict): An uncached dataset config (its ``pipeline``).
        batch_size (int): B clips.
        num_classes (int): C classes of the labels.

    Returns:
        dict: The collated batch.
    """
    return synthetic_clips(pipeline_settings(ds_cfg['pipeline']), batch_size,
                           num_classes)


def first_clip(batch: dict, index: int = 0) -> dict:
    """A collated batch holding one clip of ``batch``.

    Args:
        batch (dict): A collated batch (``inputs`` a dict of per-clip
            lists, ``data_samples`` a list).
        index (int): Which clip. Defaults to 0.

    Returns:
        dict: The batch of that clip alone.
    """
    return pseudo_collate([
        dict(inputs={k: v[index]
                     for k, v in batch['inputs'].items()},
             data_samples=batch['data_samples'][index])
    ])
