"""umbe's bundled demo dataset: small real media, a test of fusion.

Seven classes in DFEW's order. The class is split between the modalities:
happy and sad share one face, neutral and angry share another; happy and
neutral share one sound, surprise and disgust share another. Video alone can
therefore tell at most 5 of the 7 classes apart, audio alone at most 5, both
together all 7. Face colour, size and position, hair, background, pitch,
loudness and noise vary within every class; captions describe the clip's
looks, never its class.

Layout under ``--out`` (that of the real datasets)::

    videos/<id>.mp4        scene frames (96x96, 8 fps), most with an AAC track
    faces/<id>/<n>.jpg     aligned face crops (48x48); some clips unpadded
                           names (1.jpg ... 16.jpg), the others img_00001.jpg
    audio/<id>.wav         mono 16 kHz PCM
    annotations/{train,val,test}.json   JSON list records (docs/architecture)
    meta.json              latent factors per clip (face id, sound id, ...)

Audio kinds per clip: ``wav`` (wav + the same sound muxed in the mp4, the
record names the wav), ``track`` (no wav, the record has no ``audio`` field,
the sound is only the mp4's own track) and ``none`` (no wav, no track, the
record says ``"audio": null``), drawn 75% / 17% / 8%. About 15% of the
records have no caption and 3% an empty one.

``tools/data/make_demo_dataset.py`` is the command::

    python tools/data/make_demo_dataset.py --out data/demo --seed 0
"""
import json
import os
import os.path as osp
from typing import Sequence, Tuple

import cv2
import numpy as np
import soundfile as sf

from .cartoon_faces import (BACKGROUNDS, FRAME_SIZE, HAIRS, SKINS,
                            crop_face, draw_background, draw_cartoon_face,
                            face_pose)
from .synthetic_video import write_video

DEMO_CLASSES = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust',
                'fear')
#: face id of each class: happy/sad share face 0, neutral/angry face 1
FACE_OF_CLASS = (0, 0, 1, 1, 2, 3, 4)
#: sound id of each class: happy/neutral share sound 0, surprise/disgust 3
SOUND_OF_CLASS = (0, 1, 0, 2, 3, 3, 4)
#: clips per class in train, val and test
DEMO_CLIPS_PER_CLASS = (30, 10, 10)

FPS = 8
AUDIO_RATE = 16000
#: tone (Hz) and rhythm (beeps per second, 0 = steady; duty cycle) per sound
SOUNDS = ((330., 0., 1.), (520., 2., .5), (760., 4., .5), (1050., 1., .6),
          (1500., 3., .3))
OBJECTS = ('a window', 'a lamp', 'a bookshelf', 'a plant', 'a painting',
           'a door', 'nothing else')
PLACES = ('a room', 'an office', 'a kitchen', 'a hallway', 'a studio')


def make_sound(rng: np.random.Generator, sound_id: int,
               seconds: float) -> np.ndarray:
    """Tone + rhythm of ``sound_id`` with pitch, level and noise jitter.

    Args:
        rng (np.random.Generator): Draws the jitter.
        sound_id (int): Index into ``SOUNDS``.
        seconds (float): Length.

    Returns:
        np.ndarray: float32 mono waveform at AUDIO_RATE.
    """
    freq, rate, duty = SOUNDS[sound_id]
    freq *= rng.uniform(0.96, 1.04)
    t = np.arange(int(round(seconds * AUDIO_RATE))) / AUDIO_RATE
    wave = np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi))
    wave += rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * 2 * freq * t)
    if rate > 0:
        cycle = (t * rate + rng.uniform(0, 1)) % 1.0
        gate = (cycle < duty).astype(np.float64)
        ramp = np.ones(int(0.01 * AUDIO_RATE)) / int(0.01 * AUDIO_RATE)
        wave *= np.convolve(gate, ramp, mode='same')
    wave *= rng.uniform(0.25, 0.55) / np.abs(wave).max().clip(1e-6)
    wave += rng.normal(0, rng.uniform(0.01, 0.04), wave.shape)
    return np.clip(wave, -1, 1).astype(np.float32)


def make_clip(out: str, clip_id: str, label: int, rng: np.random.Generator,
              index: int) -> Tuple[dict, dict]:
    """Render one clip's media: face crops, the mp4 and maybe a wav.

    Args:
        out (str): The dataset root.
        clip_id (str): The clip's id (file stem).
        label (int): Its class, an index into ``DEMO_CLASSES``.
        rng (np.random.Generator): The clip's own generator (looks, motion,
            sound, audio kind, caption).
        index (int): The clip's position in the dataset (every third has
            unpadded frame names).

    Returns:
        tuple[dict, dict]: Its annotation record and its latent factors
        (for ``meta.json``).
    """
    face_id, sound_id = FACE_OF_CLASS[label], SOUND_OF_CLASS[label]
    n = int(rng.integers(16, 19))
    skin_name = rng.choice(list(SKINS))
    hair_name = rng.choice(list(HAIRS))
    bg_name = rng.choice(list(BACKGROUNDS))
    skin = tuple(
        int(v) for v in np.clip(
            np.array(SKINS[skin_name]) + rng.integers(-15, 16, 3), 0, 255))
    hair = HAIRS[hair_name]
    ink = tuple(int(v) for v in rng.integers(0, 40, 3))
    radius = rng.uniform(16, 21)
    cx0, cy0 = rng.uniform(34, FRAME_SIZE - 34, 2)
    phase = rng.uniform(0, 2 * np.pi)
    background = draw_background(rng, BACKGROUNDS[bg_name])

    frame_dir = osp.join('faces', clip_id)
    os.makedirs(osp.join(out, frame_dir), exist_ok=True)
    unpadded = index % 3 == 0
    frames = []
    for i in range(n):
        img = background.copy()
        dx, dy, r = face_pose(face_id, i, n, radius, phase)
        cx, cy = cx0 + dx, cy0 + dy
        draw_cartoon_face(img, face_id, i, n, cx, cy, r, skin, hair, ink)
        name = f'{i + 1}.jpg' if unpadded else f'img_{i + 1:05d}.jpg'
        cv2.imwrite(
            osp.join(out, frame_dir, name), crop_face(img, cx, cy, r),
            [cv2.IMWRITE_JPEG_QUALITY, 90])
        frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))

    kind = rng.choice(['wav', 'track', 'none'], p=[0.75, 0.17, 0.08])
    sound = make_sound(rng, sound_id, n / FPS)
    filename = osp.join('videos', f'{clip_id}.mp4')
    write_video(
        osp.join(out, filename),
        np.stack(frames),
        fps=FPS,
        audio=None if kind == 'none' else sound,
        audio_rate=AUDIO_RATE,
        options=dict(crf='27', preset='veryfast'))
    record = dict(filename=filename, frame_dir=frame_dir, label=int(label),
                  clip_id=clip_id)
    if kind == 'wav':
        record['audio'] = osp.join('audio', f'{clip_id}.wav')
        sf.write(osp.join(out, record['audio']), sound, AUDIO_RATE,
                 subtype='PCM_16')
    elif kind == 'none':
        record['audio'] = None

    caption_draw = rng.random()
    if caption_draw >= 0.18:
        record['caption'] = (
            f'A person with {hair_name} hair and {skin_name} skin in '
            f'{rng.choice(PLACES)} with a {bg_name} wall and '
            f'{rng.choice(OBJECTS)} behind them.')
    elif caption_draw >= 0.15:
        record['caption'] = ''
    latent = dict(
        face_id=face_id, sound_id=sound_id, label=int(label),
        num_frames=n, audio=str(kind), unpadded_names=bool(unpadded),
        caption='caption' in record and bool(record['caption']))
    return record, latent


def generate_demo_dataset(
        out: str,
        seed: int = 0,
        clips_per_class: Sequence[int] = DEMO_CLIPS_PER_CLASS) -> dict:
    """Write the demo dataset under ``out``.

    Args:
        out (str): Output folder (created).
        seed (int): Random seed; the same seed gives the same images, wavs,
            annotations and meta.json, and mp4s that decode alike (x264's
            bytes vary slightly run to run). Defaults to 0.
        clips_per_class (tuple[int]): Clips per class in train, val, test.
            Defaults to (30, 10, 10).

    Returns:
        dict: The content of ``meta.json``.
    """
    for sub in ('videos', 'faces', 'audio', 'annotations'):
        os.makedirs(osp.join(out, sub), exist_ok=True)
    splits = ('train', 'val', 'test')
    plan = [(split, label) for split, count in zip(splits, clips_per_class)
            for label in range(len(DEMO_CLASSES)) for _ in range(count)]
    order = np.random.default_rng(seed).permutation(len(plan))
    records = {split: [] for split in splits}
    clips = {}
    for index, k in enumerate(order):
        split, label = plan[k]
        clip_id = f'{index + 1:05d}'
        rng = np.random.default_rng([seed, index])
        record, latent = make_clip(out, clip_id, label, rng, index)
        latent['split'] = split
        records[split].append(record)
        clips[clip_id] = latent
    for split in splits:
        with open(osp.join(out, 'annotations', f'{split}.json'), 'w') as f:
            json.dump(records[split], f, indent=1)
    meta = dict(
        seed=seed,
        classes=list(DEMO_CLASSES),
        face_of_class=list(FACE_OF_CLASS),
        sound_of_class=list(SOUND_OF_CLASS),
        sounds=[list(s) for s in SOUNDS],
        fps=FPS,
        audio_rate=AUDIO_RATE,
        clips=clips)
    with open(osp.join(out, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return meta
