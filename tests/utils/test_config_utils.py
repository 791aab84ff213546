"""umbe/utils/config_utils.py: strict --cfg-options and the config edits
of tools/train.py and tools/test.py."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from umbe.utils import check_cfg_options, register_all_modules
from umbe.utils.config_utils import (add_dump_metric, checkpoint_or_none,
                                     enable_amp,
                                     enable_auto_scale_lr,
                                     parse_test_modalities, seed_like_runner,
                                     set_resume, set_test_checkpoint,
                                     set_work_dir)


@pytest.fixture
def cfg():
    return Config(
        dict(
            train_cfg=dict(max_epochs=30),
            train_pipeline=[dict(type='A', size=1),
                            dict(type='B')],
            model=dict(type='M', head=dict(num_classes=7))))


def test_existing_keys_pass(cfg):
    opts = {'train_cfg.max_epochs': 3, 'train_pipeline.1.type': 'C',
            'model.head.num_classes': 11}
    assert check_cfg_options(cfg, opts) == opts
    cfg.merge_from_dict(opts)
    assert cfg.train_pipeline[1].type == 'C'
    assert check_cfg_options(cfg, None) == {}


def test_unknown_key_names_key_and_fix(cfg):
    with pytest.raises(KeyError) as err:
        check_cfg_options(cfg, {'train_cfg.max_epoch': 3}, 'my_cfg.py')
    msg = err.value.args[0]
    assert '"train_cfg.max_epoch" is not in my_cfg.py' in msg
    assert "['max_epochs']" in msg and '+train_cfg.max_epoch' in msg
    with pytest.raises(KeyError, match='under model.head'):
        check_cfg_options(cfg, {'model.head.num_class': 3})
    with pytest.raises(KeyError, match='train_pipeline.5'):
        check_cfg_options(cfg, {'train_pipeline.5.type': 'X'})


def test_plus_adds_a_new_key(cfg):
    opts = check_cfg_options(cfg, {'+model.head.dropout': 0.5})
    assert opts == {'model.head.dropout': 0.5}
    cfg.merge_from_dict(opts)
    assert cfg.model.head.dropout == 0.5


def _train_cfg(**extra):
    return Config(
        dict(optim_wrapper=dict(type='OptimWrapper', optimizer=dict()),
             auto_scale_lr=dict(enable=False, base_batch_size=16), **extra))


def test_work_dir_from_the_command_line_the_config_or_its_name():
    cfg = set_work_dir(_train_cfg(), None, 'configs/x/my_cfg.py')
    assert cfg.work_dir == osp.join('./work_dirs', 'my_cfg')
    assert set_work_dir(_train_cfg(), 'w', 'x/my_cfg.py').work_dir == 'w'
    cfg = set_work_dir(_train_cfg(work_dir='mine'), None, 'x/my_cfg.py')
    assert cfg.work_dir == 'mine'
    assert set_work_dir(_train_cfg(work_dir='mine'), 'w', 'c.py'
                        ).work_dir == 'w'


def _towers_cfg(**extra):
    tower = dict(type='CLIPTextEncoder', model_name='tiny')
    return _train_cfg(model=dict(
        type='UMBEnet', vision_encoder=dict(type='CLIPVisionEncoder'),
        head=dict(type='DualStreamHead', text_encoder=tower)), **extra)


def test_amp_per_device(monkeypatch):
    from umbe.utils import config_utils
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(config_utils, 'cpu_native_bf16', lambda: True)
    cfg = enable_amp(_train_cfg())
    assert cfg.optim_wrapper.type == 'CPUAmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert enable_amp(_train_cfg(), 'bfloat16').optim_wrapper.type == \
        'CPUAmpOptimWrapper'
    with pytest.raises(ValueError, match='--amp-dtype float16 needs CUDA'):
        enable_amp(_train_cfg(), 'float16')
    other = _train_cfg()
    other.optim_wrapper.type = 'MyWrapper'
    with pytest.raises(ValueError, match='needs an OptimWrapper.*MyWrapper'):
        enable_amp(other)
    # on CUDA: bfloat16 where the GPU has it, else float16 with loss scaling
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda **k: True)
    cfg = enable_amp(_train_cfg())
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert 'loss_scale' not in cfg.optim_wrapper
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda **k: False)
    cfg = enable_amp(_train_cfg())
    assert cfg.optim_wrapper.dtype == 'float16'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    cfg = enable_amp(_train_cfg(), 'bfloat16')
    assert cfg.optim_wrapper.dtype == 'bfloat16'


def test_amp_stores_frozen_towers_in_bf16_unless_cached(monkeypatch):
    from umbe.utils import config_utils, register_all_modules
    register_all_modules()
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(config_utils, 'cpu_native_bf16', lambda: True)
    cfg = enable_amp(_towers_cfg())
    assert cfg.model.vision_encoder.frozen_dtype == 'bfloat16'
    assert cfg.model.head.text_encoder.frozen_dtype == 'bfloat16'
    assert 'frozen_dtype' not in cfg.model.head  # not a tower
    # a feature cache's key hashes the float32 towers, which do not run
    cached = _towers_cfg(train_dataloader=dict(
        dataset=dict(type='CachedFeatureDataset')))
    assert 'frozen_dtype' not in enable_amp(cached).model.vision_encoder
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = enable_amp(_towers_cfg(), 'bfloat16')
    assert cfg.model.vision_encoder.frozen_dtype == 'bfloat16'
    cfg = enable_amp(_towers_cfg(), 'float16')
    assert 'frozen_dtype' not in cfg.model.vision_encoder


def test_amp_stays_off_where_cpu_bf16_is_emulated(monkeypatch):
    from umbe.utils import config_utils
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(config_utils, 'cpu_native_bf16', lambda: False)
    said = []
    cfg = enable_amp(_towers_cfg(), warn=said.append)
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert 'frozen_dtype' not in cfg.model.vision_encoder
    assert said == ['--amp: this CPU has no native bfloat16 (no avx512_bf16 '
                    '/ amx_bf16 flag), where bf16 autocast is slower than '
                    'float32; training in float32']


def test_resume_auto_path_or_not(tmp_path):
    cfg = set_resume(_train_cfg(), None)
    assert 'resume' not in cfg and 'load_from' not in cfg
    empty = _train_cfg()
    empty.work_dir = str(tmp_path)
    cfg = set_resume(empty, 'auto')  # nothing to resume: start afresh
    assert cfg.resume is False and cfg.load_from is None
    ckpt = tmp_path / 'epoch_3.pth'
    torch.save(dict(state_dict={}), str(ckpt))
    found = _train_cfg()
    found.work_dir = str(tmp_path)
    cfg = set_resume(found, 'auto')  # the newest complete checkpoint
    assert cfg.resume is True and cfg.load_from == str(ckpt)
    cfg = set_resume(_train_cfg(), str(ckpt))
    assert cfg.resume is True and cfg.load_from == str(ckpt)
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        set_resume(_train_cfg(), str(tmp_path / 'nope.pth'))


def test_auto_scale_lr_needs_a_base_batch_size():
    assert enable_auto_scale_lr(_train_cfg(), 'c.py').auto_scale_lr.enable
    with pytest.raises(KeyError, match='base_batch_size in my_cfg.py'):
        enable_auto_scale_lr(Config(dict(optim_wrapper=dict())), 'my_cfg.py')


def test_test_checkpoint_and_dump(tmp_path):
    cfg = Config(dict(test_evaluator=dict(type='UARWARMetric')))
    with pytest.raises(FileNotFoundError, match='missing.pth not found'):
        set_test_checkpoint(cfg, str(tmp_path / 'missing.pth'))
    ckpt = tmp_path / 'a.pth'
    ckpt.write_bytes(b'')
    assert set_test_checkpoint(cfg, str(ckpt)).load_from == str(ckpt)
    cfg = add_dump_metric(cfg, 'p.pkl')
    assert [m['type'] for m in cfg.test_evaluator] == [
        'UARWARMetric', 'DumpResults'
    ]
    assert cfg.test_evaluator[1]['out_file_path'] == 'p.pkl'
    listed = Config(dict(test_evaluator=[dict(type='A'), dict(type='B')]))
    assert [m['type'] for m in add_dump_metric(listed, 'q.pickle')
            .test_evaluator] == ['A', 'B', 'DumpResults']
    with pytest.raises(ValueError, match='.pkl'):
        add_dump_metric(Config(dict(test_evaluator=dict(type='X'))),
                        'p.txt')


def _test_cfg(pipeline):
    return Config(
        dict(test_dataloader=dict(dataset=dict(pipeline=pipeline))))


def test_modalities_to_test_follow_the_pipeline():
    cfg = _test_cfg([dict(type='LoadFaceSceneFrames'),
                     dict(type='LoadAudio')])
    assert parse_test_modalities(cfg, 'all-subsets') == [('video', ),
                                                         ('audio', ),
                                                         ('video', 'audio')]
    full = _test_cfg([
        dict(type='LoadFaceSceneFrames'),
        dict(type='LoadAudio'),
        dict(type='TokenizeCaption')
    ])
    assert len(parse_test_modalities(full, 'all-subsets')) == 7
    cfg = _test_cfg([])
    assert parse_test_modalities(cfg, None) is None
    assert parse_test_modalities(cfg, 'video, caption') == [('video',
                                                             'caption')]
    assert parse_test_modalities(cfg, 'face') == [('face', )]
    with pytest.raises(ValueError, match='smell'):
        parse_test_modalities(cfg, 'video,smell')


def test_seed_like_runner():
    seeded = Config(dict(randomness=dict(seed=3)))
    assert seed_like_runner(seeded) == 3
    first = torch.rand(4)
    seed_like_runner(seeded)
    assert torch.equal(torch.rand(4), first)
    assert seed_like_runner(Config(dict(randomness=dict(seed=None)))) == 0
    assert seed_like_runner(Config(dict())) == 0


def test_text_for_a_number_is_one_line():
    cfg = Config(dict(train_cfg=dict(max_epochs=30), lr=2e-4, flag=True))
    with pytest.raises(ValueError, match=r"max_epochs='two': "
                       r'train_cfg\.max_epochs is an integer in c\.py'):
        check_cfg_options(cfg, {'train_cfg.max_epochs': 'two'}, 'c.py')
    with pytest.raises(ValueError, match='is a number'):
        check_cfg_options(cfg, {'lr': 'fast'}, 'c.py')
    with pytest.raises(ValueError, match='true/false'):
        check_cfg_options(cfg, {'flag': 'yes'}, 'c.py')
    assert check_cfg_options(cfg, {'train_cfg.max_epochs': 3}, 'c.py') == {
        'train_cfg.max_epochs': 3}


def test_checkpoint_none_only_for_models_that_run_untrained():
    register_all_modules()
    zero_shot = dict(type='ZeroShotCLIP')
    assert checkpoint_or_none('none', zero_shot) is None
    assert checkpoint_or_none('a.pth', dict(type='UMBEnet')) == 'a.pth'
    with pytest.raises(ValueError, match='UMBEnet has trainable parts'):
        checkpoint_or_none('none', dict(type='UMBEnet'))
    cfg = Config(dict(model=zero_shot, load_from='x.pth'))
    assert set_test_checkpoint(cfg, 'none').load_from is None
    with pytest.raises(ValueError, match='zero-shot config'):
        set_test_checkpoint(Config(dict(model=dict(type='UMBEnet'))), 'none')
