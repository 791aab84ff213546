"""UMBEnet's switches for the official preset, on tiny towers."""
import pytest
import torch
from mmengine.config import Config
from tiny_clip import (CLASSES, save_open_clip_format, synthetic_batch,
                       tiny_clip, tiny_umbenet_overrides)

from umbe.evaluation import ValLossMetric
from umbe.models.utils import RandomTowersError, check_tower_weights
from umbe.registry import MODELS

DEMO = 'configs/umbenet/umbenet_demo.py'
OFFICIAL_DEMO = 'configs/umbenet/official/umbenet_demo_official.py'


def build(config=DEMO, seed=0, **model):
    cfg = Config.fromfile(config)
    overrides = tiny_umbenet_overrides()
    if config == OFFICIAL_DEMO:  # its own audio encoder, sized for 400
        overrides['audio_encoder'] = dict(num_samples=400, channels=(4, ),
                                          hidden_dims=(8, ))
    cfg.merge_from_dict(dict(model=dict(overrides, **model)))
    torch.manual_seed(seed)
    return MODELS.build(cfg.model), cfg


def test_frozen_random_towers_stop_the_build_unless_allowed(tmp_path):
    with pytest.raises(RandomTowersError,
                       match='vision_encoder.*allow_random_towers=True'):
        build(allow_random_towers=False)
    cfg = Config.fromfile(DEMO)
    cfg.model.allow_random_towers = False
    with pytest.raises(RandomTowersError, match='head.text_encoder'):
        check_tower_weights(cfg.model)  # what tools/train.py runs first
    cfg.model.allow_random_towers = True
    check_tower_weights(cfg.model)
    # weights for every frozen tower: no opt-out needed
    path = str(tmp_path / 'clip.pt')
    save_open_clip_format(tiny_clip(), path)
    overrides = tiny_umbenet_overrides(pretrained=path)
    assert overrides['allow_random_towers'] is False
    model, _ = build(**overrides)
    assert model.vision_encoder.weights_file == path


def test_official_demo_config_trains_without_key_term():
    model, _ = build(OFFICIAL_DEMO)
    assert type(model.head).__name__ == 'StatefulDualStreamHead'
    batch = synthetic_batch(B=3, S=400)
    data = model.data_preprocessor(batch, training=True)
    losses = model(data['inputs'], data['data_samples'], mode='loss')
    assert 'loss_key_match' not in losses  # key_match_weight=0
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.head.prompt_pool.keys.grad is None  # as the public code
    assert model.head.sparse_fusion.gate.weight.grad is not None


def test_pred_loss_averages_to_the_training_loss():
    model, _ = build()
    model.eval()
    batch = synthetic_batch(B=3)
    data = model.data_preprocessor(batch, training=False)
    with torch.no_grad():
        losses = model(data['inputs'], data['data_samples'], mode='loss')
        preds = model(data['inputs'], data['data_samples'], mode='predict')
    total = sum(v for k, v in losses.items() if 'loss' in k)
    metric = ValLossMetric()
    metric.process(None, [p.to_dict() for p in preds])
    assert metric.compute_metrics(metric.results)['loss'] == pytest.approx(
        total.item(), rel=1e-5)


def test_scene_from_face_feeds_the_face_frames_twice():
    model, _ = build(data_preprocessor=dict(scene_from_face=True))
    batch = synthetic_batch(B=2, present=[[1, 0, 1, 1], [0, 1, 1, 1]])
    data = model.data_preprocessor(batch, training=False)
    assert torch.equal(data['inputs']['scene'], data['inputs']['face'])
    assert data['inputs']['present']['scene'].tolist() == [True, False]
    assert model.classes == CLASSES
