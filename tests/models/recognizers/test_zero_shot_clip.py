"""ZeroShotCLIP / ZeroShotHead against open_clip's own zero-shot recipe,
with a tiny random CLIP saved to a file (no download)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from open_clip.tokenizer import SimpleTokenizer

from tiny_clip import (CLASSES, TINY_ARCH, save_open_clip_format,
                       synthetic_batch, tiny_clip)
from umbe.models.heads import FACE_TEMPLATES
from umbe.models.utils import RandomTowersError
from umbe.registry import MODELS
from umbe.structures import MODALITIES

TEMPLATES = ('a photo of a {} face.', 'a {} person.')


def zero_shot_cfg(weights=None, templates=TEMPLATES):
    tower = dict(model_name='tiny', arch_cfg=copy.deepcopy(TINY_ARCH),
                 pretrained=weights)
    return dict(
        type='ZeroShotCLIP', classes=CLASSES,
        allow_random_towers=weights is None,
        vision_encoder=dict(type='CLIPVisionEncoder', **tower),
        head=dict(type='ZeroShotHead', templates=templates,
                  text_encoder=dict(type='CLIPTextEncoder', **tower)))


@pytest.fixture(scope='module')
def clip_and_model(tmp_path_factory):
    clip = tiny_clip(seed=3)
    path = str(tmp_path_factory.mktemp('clip') / 'tiny.pt')
    save_open_clip_format(clip, path)
    return clip, MODELS.build(zero_shot_cfg(path)).eval()


def test_class_embeddings_are_template_means(clip_and_model):
    clip, model = clip_and_model
    tok = SimpleTokenizer()
    with torch.no_grad():
        ref = []
        for name in CLASSES:
            emb = F.normalize(clip.encode_text(
                tok([t.format(name) for t in TEMPLATES])), dim=-1)
            ref.append(F.normalize(emb.mean(0), dim=0))
    ref = torch.stack(ref)  # (C, E)
    assert torch.allclose(model.head.class_embeddings, ref, atol=1e-5)
    assert 'head.class_embeddings' not in model.state_dict()


def test_logits_are_open_clip_zero_shot(clip_and_model):
    clip, model = clip_and_model
    data = model.data_preprocessor(synthetic_batch(B=3, T=4), False)
    inputs = data['inputs']
    with torch.no_grad():
        logits = model(inputs, mode='tensor')  # (B, C)
        frames = inputs['face'].flatten(0, 1)  # (B*T, 3, H, W)
        img = F.normalize(clip.encode_image(frames), dim=-1).reshape(3, 4, -1)
        clip_emb = F.normalize(img.mean(1), dim=-1)  # (B, E)
        ref = 100 * clip_emb @ model.head.class_embeddings.t()
    assert logits.shape == (3, len(CLASSES))
    assert torch.allclose(logits, ref, atol=1e-3)
    samples = model(inputs, data['data_samples'], mode='predict')
    assert torch.allclose(samples[0].pred_score, ref[0].softmax(0),
                          atol=1e-5)
    loss = model(inputs, data['data_samples'], mode='loss')
    assert set(loss) == {'loss_cls'}


def test_real_frames_only_and_scene_fallback(clip_and_model):
    _, model = clip_and_model
    present = [[1, 1, 1, 1], [0, 1, 1, 1], [0, 0, 1, 1]]
    data = model.data_preprocessor(
        synthetic_batch(B=3, T=4, present=present, frame_lens=[2, 4, 4]),
        False)
    inputs = data['inputs']
    with torch.no_grad():
        feats = model.extract_frozen_features(inputs)
        out = model.forward_features(feats, inputs)
    face0 = F.normalize(feats['face'][0, :2].mean(0), dim=0)  # 2 real
    assert torch.allclose(out['fused'][0], face0, atol=1e-6)
    scene1 = F.normalize(feats['scene'][1].mean(0), dim=0)
    assert torch.allclose(out['fused'][1], scene1, atol=1e-6)
    # no face, no scene: zero embedding, zero logits (uniform scores)
    assert out['fused'][2].abs().sum() == 0
    assert out['logits'][2].abs().sum() == 0
    assert out['tokens'].shape == (3, len(MODALITIES), 32)
    assert out['class_embeddings'].shape == (1, len(CLASSES), 32)


def test_random_towers_refused_unless_allowed():
    cfg = zero_shot_cfg(None)
    cfg['allow_random_towers'] = False
    with pytest.raises(RandomTowersError):
        MODELS.build(cfg)


def test_templates_checked():
    with pytest.raises(ValueError, match='one "{}"'):
        MODELS.build(zero_shot_cfg(None, templates=('no slot',)))
    assert all(t.count('{}') == 1 for t in FACE_TEMPLATES)


def test_towers_of_one_clip_required():
    cfg = zero_shot_cfg(None)
    arch = copy.deepcopy(TINY_ARCH)
    arch['embed_dim'] = 16
    cfg['head']['text_encoder']['arch_cfg'] = arch
    with pytest.raises(ValueError, match='one CLIP model'):
        MODELS.build(cfg)
