"""Generate umbe's bundled demo dataset: small real media, a test of fusion.

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

Example::

    python tools/data/make_demo_dataset.py --out data/demo --seed 0
"""
import argparse
import json
import os
import os.path as osp
import time

import cv2
import numpy as np
import soundfile as sf

from umbe.apis.synthetic_video import write_video

CLASSES = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')
#: face id of each class: happy/sad share face 0, neutral/angry face 1
FACE_OF_CLASS = (0, 0, 1, 1, 2, 3, 4)
#: sound id of each class: happy/neutral share sound 0, surprise/disgust 3
SOUND_OF_CLASS = (0, 1, 0, 2, 3, 3, 4)

FPS = 8
FRAME_SIZE = 96
FACE_CROP = 48
AUDIO_RATE = 16000
#: tone (Hz) and rhythm (beeps per second, 0 = steady; duty cycle) per sound
SOUNDS = ((330., 0., 1.), (520., 2., .5), (760., 4., .5), (1050., 1., .6),
          (1500., 3., .3))

SKINS = {
    'pale': (200, 215, 240),
    'light': (160, 190, 230),
    'tan': (110, 160, 210),
    'brown': (90, 130, 180),
    'olive': (120, 170, 190),
    'rosy': (170, 170, 235),
}  # BGR
HAIRS = {
    'black': (30, 30, 30),
    'brown': (30, 60, 110),
    'blond': (90, 200, 230),
    'red': (40, 60, 190),
    'grey': (160, 160, 160),
    'blue': (200, 90, 40),
}
BACKGROUNDS = {
    'green': (60, 150, 60),
    'blue': (170, 110, 50),
    'beige': (170, 200, 220),
    'grey': (120, 120, 120),
    'purple': (140, 60, 120),
    'orange': (40, 130, 230),
    'teal': (140, 140, 40),
}
OBJECTS = ('a window', 'a lamp', 'a bookshelf', 'a plant', 'a painting',
           'a door', 'nothing else')
PLACES = ('a room', 'an office', 'a kitchen', 'a hallway', 'a studio')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Generate the bundled demo dataset of umbe.')
    parser.add_argument('--out', default='data/demo', help='output folder')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--clips-per-class',
        type=int,
        nargs=3,
        default=(30, 10, 10),
        metavar=('TRAIN', 'VAL', 'TEST'),
        help='clips per class in train, val and test')
    return parser.parse_args()


# ---------------------------------------------------------------- drawing
def _draw_background(rng, color):
    """A two-colour gradient with a few static shapes (BGR uint8)."""
    base = np.array(color, np.float32)
    other = np.clip(base + rng.uniform(-70, 70, 3), 0, 255)
    ramp = np.linspace(0, 1, FRAME_SIZE, dtype=np.float32)
    if rng.random() < 0.5:
        ramp = ramp[:, None, None] * np.ones((1, FRAME_SIZE, 1), np.float32)
    else:
        ramp = ramp[None, :, None] * np.ones((FRAME_SIZE, 1, 1), np.float32)
    img = (base * (1 - ramp) + other * ramp).astype(np.uint8)
    for _ in range(rng.integers(1, 4)):
        col = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = (int(v) for v in rng.integers(0, FRAME_SIZE, 2))
        w, h = (int(v) for v in rng.integers(8, 30, 2))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + w, y + h), col, -1)
        else:
            cv2.circle(img, (x, y), w // 2, col, -1, cv2.LINE_AA)
    return img


def _face_pose(face_id, i, n, radius, phase):
    """Offset (dx, dy) and radius of the face at frame ``i`` of ``n``."""
    t = 2 * np.pi * i / n + phase
    if face_id == 0:  # sway left-right
        return 14 * np.sin(t), 0.0, radius
    if face_id == 1:  # bob up-down twice per clip
        return 0.0, 9 * np.sin(2 * t), radius
    if face_id == 2:  # nearly still
        return 1.0 * np.sin(t), 0.0, radius
    if face_id == 3:  # zoom pulse
        return 0.0, 0.0, radius * (1 + 0.22 * np.sin(2 * t))
    return 9 * np.cos(t), 9 * np.sin(t), radius  # circle


def _draw_face(img, face_id, i, n, cx, cy, r, skin, hair, ink):
    """Draw one face (expression by ``face_id``) centred at (cx, cy)."""
    c = (int(round(cx)), int(round(cy)))
    ri = int(round(r))
    cv2.ellipse(img, (c[0], c[1] - ri // 3), (ri + 2, int(ri * 0.9)), 0, 180,
                360, hair, -1, cv2.LINE_AA)  # hair
    cv2.ellipse(img, c, (ri, int(r * 1.15)), 0, 0, 360, skin, -1,
                cv2.LINE_AA)
    ex, ey, er = int(r * 0.4), int(r * 0.3), max(2, int(r * 0.16))
    thick = max(1, int(r * 0.12))
    left, right = (c[0] - ex, c[1] - ey), (c[0] + ex, c[1] - ey)
    my = c[1] + int(r * 0.45)
    mw = int(r * 0.5)
    if face_id == 0:  # round eyes, wide smile
        for e in (left, right):
            cv2.circle(img, e, er, ink, -1, cv2.LINE_AA)
        cv2.ellipse(img, (c[0], my - int(r * 0.15)), (mw, int(r * 0.3)), 0,
                    20, 160, ink, thick + 1, cv2.LINE_AA)
    elif face_id == 1:  # slanted brows, frown
        for e, s in ((left, 1), (right, -1)):
            cv2.circle(img, e, er, ink, -1, cv2.LINE_AA)
            cv2.line(img, (e[0] - s * er * 2, e[1] - er * 3),
                     (e[0] + s * er, e[1] - er * 2), ink, thick, cv2.LINE_AA)
        cv2.ellipse(img, (c[0], my + int(r * 0.15)), (mw, int(r * 0.25)), 0,
                    200, 340, ink, thick + 1, cv2.LINE_AA)
    elif face_id == 2:  # closed eyes, flat mouth
        for e in (left, right):
            cv2.line(img, (e[0] - er * 2, e[1]), (e[0] + er * 2, e[1]), ink,
                     thick, cv2.LINE_AA)
        cv2.line(img, (c[0] - mw, my), (c[0] + mw, my), ink, thick + 1,
                 cv2.LINE_AA)
    elif face_id == 3:  # raised brows, mouth opening and closing
        for e in (left, right):
            cv2.circle(img, e, er + 1, ink, thick, cv2.LINE_AA)
            cv2.line(img, (e[0] - er * 2, e[1] - er * 3),
                     (e[0] + er * 2, e[1] - er * 3), ink, thick, cv2.LINE_AA)
        open_ = 0.5 + 0.5 * np.sin(4 * np.pi * i / n)
        cv2.ellipse(img, (c[0], my), (int(r * 0.3), max(2, int(r * 0.42 *
                                                              open_) + 2)),
                    0, 0, 360, ink, -1, cv2.LINE_AA)
    else:  # blinking eyes, crooked mouth
        blink = (i % 4) == 0
        for e in (left, right):
            if blink:
                cv2.line(img, (e[0] - er * 2, e[1]), (e[0] + er * 2, e[1]),
                         ink, thick, cv2.LINE_AA)
            else:
                cv2.circle(img, e, er, ink, -1, cv2.LINE_AA)
        cv2.line(img, (c[0] - mw, my + int(r * 0.15)),
                 (c[0] + mw, my - int(r * 0.2)), ink, thick + 1, cv2.LINE_AA)


def _face_crop(frame, cx, cy, r):
    """Aligned square crop around the face, resized to FACE_CROP."""
    half = int(round(r * 1.35))
    pad = cv2.copyMakeBorder(frame, half, half, half, half,
                             cv2.BORDER_REPLICATE)
    x0, y0 = int(round(cx)), int(round(cy)) - int(r * 0.1)
    crop = pad[y0:y0 + 2 * half, x0:x0 + 2 * half]
    return cv2.resize(crop, (FACE_CROP, FACE_CROP),
                      interpolation=cv2.INTER_AREA)


# ---------------------------------------------------------------- sound
def make_sound(rng, sound_id, seconds):
    """Tone + rhythm of ``sound_id`` with pitch, level and noise jitter.

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


def make_clip(out, clip_id, label, rng, index):
    """Render one clip's media; returns its record and its latent factors."""
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
    background = _draw_background(rng, BACKGROUNDS[bg_name])

    frame_dir = osp.join('faces', clip_id)
    os.makedirs(osp.join(out, frame_dir), exist_ok=True)
    unpadded = index % 3 == 0
    frames = []
    for i in range(n):
        img = background.copy()
        dx, dy, r = _face_pose(face_id, i, n, radius, phase)
        cx, cy = cx0 + dx, cy0 + dy
        _draw_face(img, face_id, i, n, cx, cy, r, skin, hair, ink)
        name = f'{i + 1}.jpg' if unpadded else f'img_{i + 1:05d}.jpg'
        cv2.imwrite(
            osp.join(out, frame_dir, name), _face_crop(img, cx, cy, r),
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


def generate(out, seed=0, clips_per_class=(30, 10, 10)):
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
            for label in range(len(CLASSES)) for _ in range(count)]
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
        classes=list(CLASSES),
        face_of_class=list(FACE_OF_CLASS),
        sound_of_class=list(SOUND_OF_CLASS),
        sounds=[list(s) for s in SOUNDS],
        fps=FPS,
        audio_rate=AUDIO_RATE,
        clips=clips)
    with open(osp.join(out, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    return meta


def main():
    args = parse_args()
    start = time.time()
    meta = generate(args.out, args.seed, tuple(args.clips_per_class))
    size = sum(
        osp.getsize(osp.join(root, name))
        for root, _, names in os.walk(args.out) for name in names)
    print(f'wrote {len(meta["clips"])} clips to {args.out} '
          f'({size / 2**20:.1f} MiB) in {time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
