import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from open_clip.model import CLIP
from tiny_clip import (CLASSES, save_open_clip_format, synthetic_batch,
                       tiny_clip, tiny_umbenet_overrides)

from umbe.registry import MODELS
from umbe.structures import MODALITIES

DEMO = 'configs/umbenet/umbenet_demo.py'
MIXED = [[1, 1, 1, 1], [1, 0, 0, 0], [1, 1, 1, 0], [1, 0, 1, 1]]


def build(seed=0, **kwargs):
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict(dict(model=tiny_umbenet_overrides(**kwargs)))
    torch.manual_seed(seed)
    return MODELS.build(cfg.model)


def logits_of(model, batch):
    data = model.data_preprocessor(batch, training=False)
    with torch.no_grad():
        return model(data['inputs'], data['data_samples'], mode='tensor')


@pytest.fixture(scope='module')
def clip_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('clip') / 'tiny_clip.pt')
    save_open_clip_format(tiny_clip(seed=5), path)
    return path


def test_train_step_and_test_step_from_demo_config(clip_file):
    model = build(pretrained=clip_file)
    assert model.classes == CLASSES
    optim = OptimWrapper(torch.optim.Adam(
        [p for p in model.parameters() if p.requires_grad], lr=1e-3))
    batch = synthetic_batch(B=4, present=MIXED, frame_lens=[4, 1, 3, 2])
    frozen_before = model.vision_encoder.tower.conv1.weight.clone()
    keys_before = model.head.prompt_pool.keys.detach().clone()
    log = model.train_step(batch, optim)
    for key in ('loss', 'loss_cls', 'loss_sff_l1', 'loss_key_match',
                'top1_acc', 'gate_density'):
        assert torch.isfinite(log[key]), key
    assert torch.equal(frozen_before, model.vision_encoder.tower.conv1.weight)
    assert not torch.equal(keys_before, model.head.prompt_pool.keys)
    counts = model.head.prompt_pool.selection_counts
    assert counts.shape == (2**len(MODALITIES), 6)
    assert counts[15].sum() == 2 and counts[1].sum() == 2
    assert counts[7].sum() == 2 and counts[13].sum() == 2
    preds = model.test_step(batch)
    assert len(preds) == 4
    for p in preds:
        assert p.pred_score.shape == (3, )
        assert torch.isclose(p.pred_score.sum(), torch.tensor(1.0))
        assert p.pred_label.item() == p.pred_score.argmax().item()


def test_missing_modalities_are_ignored_and_finite():
    model = build().eval()
    batch = synthetic_batch(B=4, present=MIXED, frame_lens=[4, 1, 3, 2])
    ref = logits_of(model, batch)
    assert ref.shape == (4, 3) and torch.isfinite(ref).all()
    changed = copy.deepcopy(batch)
    inp = changed['inputs']
    g = torch.Generator().manual_seed(9)
    inp['scene'][1] = torch.randint(0, 256, inp['scene'][1].shape,
                                    generator=g, dtype=torch.uint8)
    inp['audio'][1] = torch.randn(400, generator=g) * 3
    inp['caption'][1] = inp['caption'][0].clone()
    inp['caption'][2] = inp['caption'][0].clone()
    inp['face'][3][2:] = 0  # padding frames of sample 3
    out = logits_of(model, changed)
    assert torch.equal(out[1:], ref[1:])
    inp['audio'][0] = torch.randn(400, generator=g)  # present: must matter
    assert not torch.allclose(logits_of(model, changed)[0], ref[0])


def test_frozen_features_path_gives_the_same_logits():
    model = build().eval()
    data = model.data_preprocessor(synthetic_batch(B=3), training=False)
    with torch.no_grad():
        direct = model(data['inputs'], mode='tensor')
        feats = model.extract_frozen_features(data['inputs'])
        cached = dict(data['inputs'], frozen_features={
            k: v.clone() for k, v in feats.items()})
        via_cache = model(cached, mode='tensor')
    assert set(feats) == {'face', 'scene', 'caption'}
    assert feats['face'].shape == (3, 4, 32)
    assert torch.allclose(direct, via_cache, atol=1e-5)


def test_freezing_groups_and_eval_mode():
    model = build()
    model.train()
    frozen = [model.vision_encoder, model.caption_encoder.text_encoder,
              model.head.text_encoder]
    for enc in frozen:
        assert not enc.tower.training
        assert not any(p.requires_grad for p in enc.parameters())
    for part in (model.audio_encoder, model.caption_encoder.proj,
                 model.face_scene, model.temporal, model.fusion,
                 model.head.prompt_pool, model.head.inherent_prompts,
                 model.head.sparse_fusion):
        assert all(p.requires_grad for p in part.parameters())
        assert part.training
    frozen_ids = {id(p) for enc in frozen for p in enc.parameters()}
    assert all(p.requires_grad == (id(p) not in frozen_ids)
               for p in model.parameters())
    demo = build(frozen=False)
    assert all(p.requires_grad for p in demo.parameters())


def test_seeded_builds_are_deterministic():
    batch = synthetic_batch(B=2, seed=3)
    a = logits_of(build(seed=1).eval(), batch)
    b = logits_of(build(seed=1).eval(), batch)
    c = logits_of(build(seed=2).eval(), batch)
    assert torch.equal(a, b) and not torch.allclose(a, c)


def test_full_size_parameter_counts_on_meta_device():
    cfg = Config.fromfile('configs/_base_/models/umbenet.py')
    cfg.model.classes = ('happy', 'sad', 'neutral', 'angry', 'surprise',
                         'disgust', 'fear')
    cfg.model.allow_random_towers = True
    for tower in (cfg.model.vision_encoder,
                  cfg.model.caption_encoder.text_encoder,
                  cfg.model.head.text_encoder):
        tower.pretrained = None
    with torch.device('meta'):
        model = MODELS.build(cfg.model)
        from open_clip import get_model_config
        l14 = CLIP(**get_model_config('ViT-L-14-quickgelu'))
        b32 = CLIP(**get_model_config('ViT-B-32-quickgelu'))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters()
                 if not p.requires_grad)
    towers = (sum(p.numel() for p in l14.parameters()) - 1 +
              sum(p.numel() for p in b32.parameters()) -
              sum(p.numel() for p in b32.visual.parameters()) - 1)
    assert frozen == towers  # L/14 image + L/14 text + B/32 text
    assert 170e6 < trainable < 190e6  # public code: ~184M
