"""umbe.apis.inference_timing: the stages add up to the wall time."""
import os.path as osp

import pytest
from mmengine.config import Config

from umbe.apis.inference_timing import (INFERENCE_STAGES, stream_table,
                                        time_infer_video, time_stream,
                                        timing_table, without_pretrained)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_time_infer_video_splits_the_wall_time(demo_model, videos):
    row = time_infer_video(
        demo_model, videos['face_then_none'], 2.0, 1.0, name='demo')
    assert (row['name'], row['device'], row['window']) == ('demo', 'cpu', 2.0)
    assert row['windows'] == 4 and row['video_seconds'] == pytest.approx(5.0)
    assert row['video_s_per_wall_s'] == pytest.approx(5.0 /
                                                      row['wall_seconds'])
    stages = [row[s] for s in INFERENCE_STAGES]
    assert all(v > 0 for v in stages)
    assert row['other'] == pytest.approx(row['wall_seconds'] - sum(stages))
    assert row['other'] >= -1e-6
    table = timing_table([row], title='talk.mp4')
    assert 'talk.mp4' in table and 'face_detection s' in table
    assert f'{row["wall_seconds"]:.2f}' in table
    # windows 0-2 and 1-3 s are scored (2 and 3 have no face: skipped):
    # 8 + 4 clip frames, each a face crop and a scene
    assert row['frames_encoded'] == (8 + 4) * 2
    assert set(row['peak_rss_gib']) == {'open', 'face_detection', 'windows'}
    uncached = time_infer_video(
        demo_model,
        videos['face_then_none'],
        2.0,
        1.0,
        warmup=False,
        cache_size=0)
    assert uncached['frames_encoded'] == 2 * 16


def test_time_stream(demo_model, videos):
    row = time_stream(demo_model, videos['two_faces'], 1.0, 1.0, name='s')
    assert (row['name'], row['window'], row['stride']) == ('s', 1.0, 1.0)
    assert row['windows'] == 2 and row['latency']['mean'] > 0
    assert 's' in stream_table([row]) and 'windows / s' in stream_table([row])


def test_without_pretrained_is_a_copy():
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'umbenet', 'umbenet_dfew.py'))
    cfg.model.vision_encoder.pretrained = 'clip/ViT-L-14.pt'
    cfg.model.head.text_encoder.pretrained = 'clip/ViT-L-14.pt'
    random = without_pretrained(cfg)
    assert random.model.vision_encoder.pretrained is None
    assert random.model.head.text_encoder.pretrained is None
    assert cfg.model.vision_encoder.pretrained == 'clip/ViT-L-14.pt'
