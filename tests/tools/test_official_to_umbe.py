"""tools/model_converters/official_to_umbe.py on synthetic public
checkpoints (no public code needed)."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint

import umbe  # noqa: F401  (before mmaction.models)
from umbe.registry import MODELS
from umbe.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tests', 'models'))
sys.path.insert(0, osp.join(ROOT, 'tests', 'models', 'official'))
from public_layout import preset_overrides, public_state_dict  # noqa: E402
from tiny_clip import CLASSES, save_open_clip_format, tiny_clip  # noqa: E402

from tools.model_converters import official_to_umbe  # noqa: E402

PRESET = osp.join(ROOT, 'configs', 'umbenet', 'official',
                  'umbenet_mafw_vat_official.py')
SET_ORDER = ('neutral', 'happy', 'sad')


@pytest.fixture
def tiny_preset(tmp_path):
    """A config: the MAFW official preset at the synthetic sizes."""
    clip = str(tmp_path / 'clip.pt')
    save_open_clip_format(tiny_clip(0), clip)
    path = tmp_path / 'tiny_official.py'
    path.write_text(f'_base_ = [{PRESET!r}]\n'
                    f'classes = {CLASSES!r}\n'
                    f'public_label_order = {CLASSES!r}\n'
                    f'model = {preset_overrides(clip)!r}\n')
    return str(path)


def lightning_ckpt(path, state):
    torch.save(dict(epoch=7, global_step=100, state_dict=state,
                    pytorch_lightning_version='2.6.6'), path)
    return path


def test_converts_prints_every_key_and_loads(tiny_preset, tmp_path, capsys):
    src = lightning_ckpt(str(tmp_path / 'unimod_mafw_vat_4_6_2.ckpt'),
                         public_state_dict(SET_ORDER))
    dst = str(tmp_path / 'converted.pth')
    assert official_to_umbe.main([src, dst, '--config', tiny_preset]) == 0
    out = capsys.readouterr().out
    assert 'mapped  lstm.weight_ih_l0 -> face_scene.lstm.weight_ih_l0' in out
    assert ('mapped  audio_encoder.conv1.weight -> '
            'audio_encoder.convs.0.weight') in out
    assert 'unused  prompt_pool.transformerClip.resblocks.' in out
    assert 'top_k from the file name (_4_6_2)' in out
    assert 'class   0 happy: public logit 0, prompted "neutral."' in out
    register_all_modules()
    cfg = Config.fromfile(tiny_preset)
    model = MODELS.build(cfg.model)
    ckpt = load_checkpoint(model, dst, map_location='cpu', strict=True)
    assert ckpt['meta']['dataset_meta']['classes'] == list(CLASSES)
    assert ckpt['meta']['public_prompt_names'] == list(SET_ORDER)


def test_refuses_a_stray_key(tiny_preset, tmp_path):
    state = public_state_dict(SET_ORDER)
    state['logit_head.head.0.fc.0.weight'] = torch.zeros(8, 32)
    src = lightning_ckpt(str(tmp_path / 'bad.ckpt'), state)
    with pytest.raises(SystemExit, match=r'logit_head\.head\.0\.fc\.0'):
        official_to_umbe.main([src, str(tmp_path / 'x.pth'), '--config',
                               tiny_preset])
    assert not osp.exists(tmp_path / 'x.pth')


def test_other_sizes_print_the_options_to_use(tiny_preset, tmp_path,
                                              capsys):
    src = lightning_ckpt(str(tmp_path / 'ckpt.ckpt'),
                         public_state_dict(SET_ORDER))
    assert official_to_umbe.main([
        src, str(tmp_path / 'c.pth'), '--config', tiny_preset, '--top-k',
        '3', '--prompt-classes', ','.join(SET_ORDER)
    ]) == 0
    assert ('--cfg-options model.head.prompt_pool.top_k=3'
            in capsys.readouterr().out)
