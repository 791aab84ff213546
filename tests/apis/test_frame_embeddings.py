"""umbe.apis.frame_embeddings: each frame encoded once, and exactly."""
import warnings

import numpy as np
import pytest
import torch

from umbe.apis import (AudioSegment, EmbeddingCache, FrameSequence,
                       FrozenFeatureEncoder, infer_video, make_record,
                       predict_records)
from umbe.apis.frame_embeddings import (blank_key, clip_keys, face_key,
                                        pipeline_reuses_frames, scene_key)
from umbe.apis.pipeline import build_inference_pipeline
from umbe.testing import face_frames, tone


def test_cache_is_bounded_and_least_recently_used_goes():
    cache = EmbeddingCache(2)
    for k in 'abc':
        cache.put(k, torch.tensor(float(ord(k))))
    assert len(cache) == 2 and 'a' not in cache
    cache.get('b')  # now the most recent
    cache.put('d', torch.tensor(0.))
    assert 'b' in cache and 'c' not in cache
    none = EmbeddingCache(0)
    none.put('a', torch.tensor(1.))
    assert len(none) == 0
    with pytest.raises(ValueError, match='max_entries'):
        EmbeddingCache(-1)


def test_clip_keys_pad_with_blanks_and_name_what_was_read():
    frames = face_frames(0.5, 10)
    seq = FrameSequence(
        'x',
        5,
        lambda ids: [frames[i] for i in ids],
        keys=[scene_key(f) for f in range(10, 15)])
    assert clip_keys(seq, 'scene', 8) == [None] * 8  # not read yet
    seq.read([0, 2, 4])
    assert clip_keys(seq, 'scene', 4) == [
        scene_key(10),
        scene_key(12),
        scene_key(14),
        blank_key('scene')
    ]
    assert clip_keys(None, 'face', 2) == [blank_key('face')] * 2
    assert clip_keys(FrameSequence.from_arrays(frames), 'face',
                     8) == [None] * 8
    assert face_key(3, (1, 2, 3, 4), .25) == ('face', 3, (1., 2., 3., 4.), .25)
    with pytest.raises(ValueError, match='2 keys for 5 frames'):
        FrameSequence('x', 5, None, keys=[1, 2])


def _inputs(demo_model, n_frames=(8, 5, 8), seed=0):
    """A preprocessed batch of 3 clips whose frames overlap, and its keys.

    Clip b shows frames ``4 b .. 4 b + n - 1`` of one video (so clips 0
    and 1 share 4 frames); clip 1 is shorter than T (padding)."""
    rng = np.random.default_rng(seed)
    video = rng.integers(0, 255, (24, 32, 32, 3), np.uint8)
    pipeline = build_inference_pipeline(demo_model.cfg)
    records = []
    for b, n in enumerate(n_frames):
        ids = list(range(4 * b, 4 * b + n))
        seq = FrameSequence(
            f'clip {b}',
            n,
            lambda i, ids=ids: [video[ids[j]] for j in i],
            [scene_key(f) for f in ids])
        faces = FrameSequence(
            f'faces {b}',
            n,
            lambda i, ids=ids: [video[ids[j]] for j in i],
            [face_key(f, (0, 0, 32, 32), 0.) for f in ids])
        records.append(
            make_record(faces, seq, AudioSegment(tone(2.0), 16000), 'Hi.'))
    from mmengine.dataset import pseudo_collate
    packed = [pipeline(dict(r)) for r in records]
    data = demo_model.data_preprocessor(pseudo_collate(packed), False)
    from umbe.apis.predict import _batch_keys
    return data['inputs'], _batch_keys(records, 8)


@torch.no_grad()
def test_reused_embeddings_equal_the_uncached_ones_bit_for_bit(demo_model):
    inputs, keys = _inputs(demo_model)
    cached = FrozenFeatureEncoder(demo_model)
    uncached = FrozenFeatureEncoder(demo_model, cache_size=0)
    a = cached.features(inputs, keys)
    b = uncached.features(inputs, keys)
    for name in ('face', 'scene', 'caption'):
        assert torch.equal(a[name], b[name]), name
    # 2 x 21 real frames, 12 shared (3 of each kind x 2 overlaps); the
    # padding of clip 1 (blank face, blank scene) is encoded once each
    assert uncached.stats['encoded'] == 2 * 3 * 8
    assert cached.stats['encoded'] == 2 * (8 + 4 + 4) + 2
    assert cached.stats['reused'] == 2 * 3 * 8 - cached.stats['encoded']
    assert cached.stats['captions_encoded'] == 1
    # a second batch with the same frames: nothing new to encode
    again = cached.features(inputs, keys)
    assert cached.stats['encoded'] == 2 * (8 + 4 + 4) + 2
    assert torch.equal(again['face'], a['face'])
    # the model's own path (all 48 frames in one call): rounding only
    ref = demo_model.extract_frozen_features(inputs)
    for name in ('face', 'scene', 'caption'):
        torch.testing.assert_close(a[name], ref[name], atol=1e-5, rtol=0)


@torch.no_grad()
def test_fixed_chunks_make_a_frame_embedding_its_own(demo_model):
    frames = torch.randn(11, 3, 32, 32)
    enc = FrozenFeatureEncoder(demo_model, chunk_size=4)
    whole = enc._encode_frames(frames)
    parts = torch.cat(
        [enc._encode_frames(frames[i:i + 3]) for i in range(0, 11, 3)])
    assert torch.equal(whole, parts)
    assert enc.stats['padding'] == 1 + (1 + 1 + 1 + 2)
    with pytest.raises(ValueError, match='chunk_size'):
        FrozenFeatureEncoder(demo_model, chunk_size=0)
    with pytest.raises(TypeError, match='encode_frames'):
        FrozenFeatureEncoder(torch.nn.Linear(2, 2))


def test_video_predictions_with_and_without_reuse_are_equal(
        demo_model, videos):
    runs = {}
    for name, size in (('cached', 4096), ('uncached', 0)):
        encoder = FrozenFeatureEncoder(demo_model, cache_size=size)
        res = infer_video(
            demo_model,
            videos['two_faces'],
            window=1.0,
            stride=0.5,
            all_faces=True,
            batch_size=2,
            encoder=encoder)
        runs[name] = (res, encoder.stats)
    (cached, c_stats), (uncached, u_stats) = runs['cached'], runs['uncached']
    for p, q in zip(cached['persons'], uncached['persons']):
        assert [w['scores'] for w in p['windows']
                ] == [w['scores'] for w in q['windows']]  # bit for bit
    assert len(cached['persons']) == 2 and len(cached['windows']) == 3
    # 2 persons x 3 windows x 8 face crops + the same scenes, 3 x 8
    assert u_stats['encoded'] == 2 * 3 * 16
    # with reuse: each person's crops once (frames 0..19 of a 10 fps 2 s
    # video: 16 clip frames), each scene once
    assert c_stats['encoded'] == 16 * 2 + 16
    # and within rounding of the model's own extract_frozen_features
    jobs_free = infer_video(
        demo_model, videos['two_faces'], window=1.0, stride=0.5)
    for w, v in zip(jobs_free['windows'], cached['windows']):
        assert w['scores'] == v['scores']  # the default encoder reuses too
    records = _window_records(demo_model, videos['two_faces'])
    plain = predict_records(demo_model, records)  # extract_frozen_features
    for pred, w in zip(plain, cached['windows']):
        np.testing.assert_allclose(
            pred['probs'], [w['scores'][c] for c in demo_model.classes],
            atol=1e-5)


def _window_records(model, path):
    """The main face's window records of ``path`` (window 1 s, stride 0.5)."""
    from umbe.apis import VideoSource, detect_and_track
    from umbe.apis.window_records import FacePolicy, person_window_records
    from umbe.apis.windows import plan_windows
    source = VideoSource(path)
    plan = plan_windows(source.duration, source.fps, source.num_frames, 1.0,
                        0.5, 8, 2.0)
    track = detect_and_track(source)[0]
    from umbe.apis import load_sound
    sound = load_sound(path, 'track', [])
    _, jobs = person_window_records(
        source, track, 0, plan.windows, sound, None,
        FacePolicy(
            use_face=True, no_face='skip', margin=0.25, min_face_ratio=0.5))
    return [job.record for job in jobs]


def test_a_pipeline_that_may_change_frames_gets_no_reuse(demo_model):
    pipeline = build_inference_pipeline(demo_model.cfg)
    assert pipeline_reuses_frames(pipeline)

    class Jitter:

        def __call__(self, results):
            return results

    pipeline.transforms.insert(1, Jitter())
    assert not pipeline_reuses_frames(pipeline)
    from umbe.apis.frame_embeddings import warn_no_reuse
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        warn_no_reuse(pipeline)
    assert 'Jitter' in str(caught[0].message)
