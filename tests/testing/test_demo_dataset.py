"""umbe.testing.demo_dataset: files, determinism and the 5/7 label split.

The 5/7 property is checked on features computed from the written media
(face crops and audio), not from the generator's parameters: classes that
share a face must look alike in the face features, classes that share a
sound must sound alike, and the two together must identify all 7 classes.
"""
import filecmp
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import umbe  # noqa: F401
from umbe.datasets.transforms import LoadAudio
from umbe.datasets.utils import list_images
from umbe.registry import DATASETS
from umbe.testing import DEMO_CLASSES, generate_demo_dataset

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZES = (6, 2, 2)  # clips per class in train, val, test


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('demo'))
    meta = generate_demo_dataset(out, seed=0, clips_per_class=SIZES)
    records = {
        split: json.load(open(osp.join(out, 'annotations', f'{split}.json')))
        for split in ('train', 'val', 'test')
    }
    return out, meta, records


# ---------------------------------------------------------------- features
def face_features(folder):
    """Contrast-normalised eye/mouth region: mean and temporal std."""
    frames = []
    for path in list_images(folder):
        img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        h, w = img.shape
        img = cv2.resize(
            img[int(.3 * h):int(.95 * h), int(.2 * w):int(.8 * w)],
            (12, 12), interpolation=cv2.INTER_AREA).astype(np.float32)
        frames.append((img - img.mean()) / (img.std() + 1e-6))
    frames = np.stack(frames)
    return np.concatenate([frames.mean(0).ravel(), frames.std(0).ravel()])


def audio_features(root, record):
    """log2 dominant frequency, beep rate (0 if steady), envelope CV."""
    if 'audio' in record:
        if record['audio'] is None:
            return None
        wave, rate = LoadAudio.read_wav(osp.join(root, record['audio']))
    else:
        source = LoadAudio.read_track(osp.join(root, record['filename']))
        if source is None:
            return None
        wave, rate = source
    spectrum = np.abs(np.fft.rfft(wave))
    freq = np.fft.rfftfreq(wave.size, 1 / rate)[np.argmax(spectrum)]
    hop = rate // 100  # 10 ms envelope
    env = np.abs(wave[:wave.size // hop * hop]).reshape(-1, hop).mean(1)
    cv = env.std() / env.mean()
    env_spec = np.abs(np.fft.rfft(env - env.mean(), n=1024))
    env_freq = np.fft.rfftfreq(1024, 0.01)
    band = (env_freq > 0.5) & (env_freq < 8)
    beat = env_freq[band][np.argmax(env_spec[band])] if cv > 0.3 else 0.
    return np.array([np.log2(freq), beat, cv])


def standardise(x):
    return (x - x.mean(0)) / (x.std(0) + 1e-6)


def separation(x, labels, a, b):
    """Squared centroid distance over mean within-class spread."""
    xa, xb = x[labels == a], x[labels == b]
    within = np.concatenate([((xa - xa.mean(0))**2).sum(1),
                             ((xb - xb.mean(0))**2).sum(1)]).mean()
    return ((xa.mean(0) - xb.mean(0))**2).sum() / within


def loo_nearest_centroid(x, labels):
    pred = []
    for i in range(len(x)):
        keep = np.arange(len(x)) != i
        names = np.unique(labels[keep])
        centroids = np.stack([x[keep & (labels == c)].mean(0) for c in names])
        pred.append(names[np.argmin(((centroids - x[i])**2).sum(1))])
    return np.array(pred)


def test_five_of_seven_split_on_media(demo):
    root, meta, records = demo
    records = records['train'] + records['val'] + records['test']
    labels = np.array([r['label'] for r in records])
    face_of = np.array(meta['face_of_class'])
    sound_of = np.array(meta['sound_of_class'])
    assert len(set(face_of)) == 5 and len(set(sound_of)) == 5
    assert len(set(zip(face_of, sound_of))) == 7

    faces = standardise(
        np.stack([
            face_features(osp.join(root, r['frame_dir'])) for r in records
        ]))
    sounds = [audio_features(root, r) for r in records]
    has_sound = np.array([s is not None for s in sounds])
    sounds = standardise(np.stack([s for s in sounds if s is not None]))
    sound_labels = labels[has_sound]

    # the face carries the face id, the sound the sound id
    face_pred = loo_nearest_centroid(faces, face_of[labels])
    sound_pred = loo_nearest_centroid(sounds, sound_of[sound_labels])
    assert (face_pred == face_of[labels]).mean() >= 0.9
    assert (sound_pred == sound_of[sound_labels]).mean() >= 0.95

    # classes sharing a face (a sound) are not separated by it; others are
    for x, y, of in ((faces, labels, face_of), (sounds, sound_labels,
                                                sound_of)):
        shared, distinct = [], []
        for a in range(7):
            for b in range(a + 1, 7):
                (shared if of[a] == of[b] else distinct).append(
                    separation(x, y, a, b))
        assert len(shared) == 2
        assert max(shared) < 0.6, shared
        assert min(distinct) > 1.0, distinct

    # both together identify all 7 classes
    table = {(f, s): c for c, (f, s) in enumerate(zip(face_of, sound_of))}
    joint = np.array([
        table.get((f, s), -1)
        for f, s in zip(face_pred[has_sound], sound_pred)
    ])
    assert (joint == sound_labels).mean() >= 0.9


def test_files_splits_and_missing_modalities(demo):
    root, meta, records = demo
    total = 7 * sum(SIZES)
    assert len(meta['clips']) == total
    for split, size in zip(('train', 'val', 'test'), SIZES):
        assert np.bincount([r['label'] for r in records[split]],
                           minlength=7).tolist() == [size] * 7
    ids = {s: {r['clip_id'] for r in records[s]} for s in records}
    assert not ids['val'] & ids['test'] and not ids['train'] & ids['test']
    assert len(os.listdir(osp.join(root, 'videos'))) == total
    assert len(os.listdir(osp.join(root, 'faces'))) == total
    kinds = [c['audio'] for c in meta['clips'].values()]
    assert len(os.listdir(osp.join(root, 'audio'))) == kinds.count('wav')
    assert kinds.count('none') >= 1 and kinds.count('track') >= 1
    all_records = sum(records.values(), [])
    assert any(r.get('audio', '') is None for r in all_records)
    assert any('audio' not in r for r in all_records)
    assert any(not r.get('caption') for r in all_records)
    for r in all_records:
        clip = meta['clips'][r['clip_id']]
        names = os.listdir(osp.join(root, r['frame_dir']))
        assert len(names) == clip['num_frames'] >= 16
        assert ('1.jpg' in names) == clip['unpadded_names']
        assert r['label'] == clip['label']
        # captions describe looks, never the class
        for name in meta['classes']:
            assert name not in (r.get('caption') or '').lower()
    assert any(c['unpadded_names'] for c in meta['clips'].values())
    import soundfile as sf
    wav = next(r['audio'] for r in all_records if r.get('audio'))
    assert sf.info(osp.join(root, wav)).samplerate == 16000


def _decoded(path):
    """Decoded frames and audio of an mp4 (x264's bytes are not stable)."""
    import av
    with av.open(path) as container:
        frames = np.stack([
            f.to_ndarray(format='rgb24')
            for f in container.decode(video=0)
        ]).astype(np.float32)
    track = LoadAudio.read_track(path)
    return frames, None if track is None else track[0]


def test_deterministic_by_seed(tmp_path):
    for name, seed in (('a', 3), ('b', 3), ('c', 4)):
        generate_demo_dataset(str(tmp_path / name), seed, (1, 0, 1))

    def differing(cmp, prefix=''):
        files = [osp.join(prefix, f) for f in cmp.diff_files]
        assert not cmp.left_only and not cmp.right_only, prefix
        return files + sum((differing(sub, osp.join(prefix, name))
                            for name, sub in cmp.subdirs.items()), [])

    changed = differing(
        filecmp.dircmp(str(tmp_path / 'a'), str(tmp_path / 'b')))
    # everything but the mp4 bytes is identical; the mp4s decode alike
    assert all(path.endswith('.mp4') for path in changed), changed
    for path in changed:
        frames_a, audio_a = _decoded(str(tmp_path / 'a' / path))
        frames_b, audio_b = _decoded(str(tmp_path / 'b' / path))
        assert frames_a.shape == frames_b.shape
        assert np.abs(frames_a - frames_b).mean() < 2.0
        assert (audio_a is None) == (audio_b is None)
        if audio_a is not None:
            assert np.abs(audio_a - audio_b).max() < 0.05
    other = filecmp.dircmp(str(tmp_path / 'a'), str(tmp_path / 'c'))
    assert 'meta.json' in other.diff_files


def test_demo_config_pipeline_on_generated_data(demo):
    root, _, _ = demo
    init_default_scope('umbe')
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'datasets', 'demo.py'))
    assert cfg.metainfo['classes'] == DEMO_CLASSES
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cfg.data_root = root
    dataset = DATASETS.build(dataset_cfg)
    assert len(dataset) == 7 * SIZES[2]
    sample = dataset[0]
    assert sample['inputs']['face'].shape == (8, 3, 32, 32)
    assert sample['inputs']['scene'].shape == (8, 3, 32, 32)
    assert sample['inputs']['audio'].shape == (16000, )
    assert sample['inputs']['caption'].shape == (77, )
    assert sample['data_samples'].frame_mask.all()
    assert sample['inputs']['face'].float().std() > 10  # a drawn face
