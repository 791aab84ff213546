import copy
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook

import umbe  # noqa: F401
from toy_pool_model import ToyPoolTestCase
from umbe.engine import TwoStageHook
from umbe.models.data_preprocessors import (BatchModalityDropout,
                                            BatchUnimodalSample)
from umbe.models.prompts import aggregate_prompt_pool
from umbe.registry import HOOKS, MODELS


@HOOKS.register_module(force=True)
class StageProbe(Hook):
    """Records what each training epoch / iteration ran with."""
    priority = 'LOWEST'

    def __init__(self):
        self.seen = []
        self.epoch_start, self.epoch_end = {}, {}
        self.head_end, self.backbone_end = {}, {}

    def before_train_epoch(self, runner):
        pool = runner.model.prompt_pool
        self.epoch_start[runner.epoch] = pool.prompts.detach().clone()

    def after_train_epoch(self, runner):
        model = runner.model
        epoch = runner.epoch
        self.epoch_end[epoch] = model.prompt_pool.prompts.detach().clone()
        self.head_end[epoch] = model.head.weight.detach().clone()
        self.backbone_end[epoch] = model.backbone.weight.detach().clone()

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = runner.model
        self.seen.append(
            dict(epoch=runner.epoch, iter=runner.iter,
                 augments=[type(a) for a in
                           model.data_preprocessor.modality_augments],
                 backbone=model.backbone.weight.requires_grad,
                 head=model.head.weight.requires_grad,
                 lr=runner.optim_wrapper.get_lr()['lr'][0],
                 prompts=model.prompt_pool.prompts.detach().clone()))


def count_switches(monkeypatch):
    calls = []
    original = TwoStageHook._switch

    def counted(self, runner):
        calls.append((runner.epoch, runner.iter))
        original(self, runner)

    monkeypatch.setattr(TwoStageHook, '_switch', counted)
    return calls


def hook_cfg(**kwargs):
    cfg = dict(type='TwoStageHook', switch_at=2,
               stage1_augments=[dict(type='BatchUnimodalSample')],
               stage2_augments=[dict(type='BatchModalityDropout',
                                     drop_probs=dict(audio=0.5))],
               stage2_frozen=['^head\\.'], stage2_trainable=['^backbone\\.'],
               stage2_lr_factor=0.1)
    cfg.update(kwargs)
    return cfg


class TestTwoStageHook(ToyPoolTestCase):

    @pytest.fixture(autouse=True)
    def _monkeypatch(self, monkeypatch):
        self.switches = count_switches(monkeypatch)

    def setUp(self):
        super().setUp()
        for cfg in (self.epoch_based_cfg, self.iter_based_cfg):
            cfg.randomness = dict(seed=0)
        self.epoch_based_cfg.train_cfg = dict(by_epoch=True, max_epochs=4)
        self.epoch_based_cfg.default_hooks.checkpoint = dict(
            type='CheckpointHook', interval=1)

    def run_epochs(self, max_epochs, resume=None, **hook_kwargs):
        cfg = copy.deepcopy(self.epoch_based_cfg)
        cfg.train_cfg.max_epochs = max_epochs
        cfg.custom_hooks = [hook_cfg(**hook_kwargs), dict(type='StageProbe')]
        if resume:
            cfg.resume, cfg.load_from = True, resume
        runner = self.build_runner(cfg)
        runner.train()
        hook = next(h for h in runner.hooks if isinstance(h, TwoStageHook))
        probe = next(h for h in runner.hooks if isinstance(h, StageProbe))
        self.probe = probe
        return runner, hook, probe.seen

    def test_switch_once_by_epoch(self):
        runner, hook, seen = self.run_epochs(4)
        probe = self.probe
        assert self.switches == [(2, 6)]
        assert hook.stage == 2 and hook.switched_at == dict(epoch=2, iter=6)
        for s in seen:
            stage1 = s['epoch'] < 2
            assert s['augments'] == (
                [BatchUnimodalSample] if stage1 else [BatchModalityDropout])
            assert s['backbone'] is not stage1  # made trainable
            assert s['head'] is stage1  # frozen in stage 2
            assert s['lr'] == pytest.approx(0.1 if stage1 else 0.01)
        # stage 1 was unimodal: only single-modality rows were counted
        singles = [1, 2, 4, 8]
        counts = hook.stage1_counts
        assert counts.sum() == 2 * 3 * 4 * 2  # epochs * iters * B * k
        assert counts[singles].sum() == counts.sum()
        # stage 2 counts restart and see multimodal subsets
        stage2 = runner.model.prompt_pool.selection_counts
        assert stage2.sum() == 2 * 3 * 4 * 2
        assert stage2[[m for m in range(16) if m not in singles]].sum() > 0
        # aggregation: kept prompts unchanged, the others re-initialised
        kept, rest = hook.report['kept'], hook.report['reinitialised']
        assert kept and len(kept) + len(rest) == 8
        before, after = probe.epoch_end[1], probe.epoch_start[2]
        assert torch.equal(after[kept], before[kept])
        if rest:
            assert not torch.equal(after[rest], before[rest])
        # params trained only when trainable: head frozen after the switch
        assert torch.equal(probe.head_end[2], probe.head_end[3])
        assert not torch.equal(probe.backbone_end[2], probe.backbone_end[3])
        assert torch.equal(probe.backbone_end[0], probe.backbone_end[1])

    def test_resume_after_switch_keeps_stage2_and_pool(self):
        runner, hook, _ = self.run_epochs(3)
        assert self.switches == [(2, 6)]
        ckpt_path = osp.join(self.temp_dir.name, 'epoch_3.pth')
        ckpt = torch.load(ckpt_path, weights_only=False)
        assert ckpt['two_stage']['stage'] == 2
        saved = ckpt['state_dict']
        runner2, hook2, seen2 = self.run_epochs(4, resume=ckpt_path)
        assert self.switches == [(2, 6)]  # no second switch, no aggregation
        assert hook2.stage == 2 and hook2.switched_at == hook.switched_at
        assert torch.equal(hook2.stage1_counts, hook.stage1_counts)
        assert hook2.report == hook.report
        assert seen2[0]['epoch'] == 3
        assert torch.equal(seen2[0]['prompts'], saved['prompt_pool.prompts'])
        for s in seen2:
            assert s['augments'] == [BatchModalityDropout]
            assert s['backbone'] and not s['head']
            assert s['lr'] == pytest.approx(0.01)

    def test_resume_before_switch_switches_later_once(self):
        self.run_epochs(1)
        assert self.switches == []
        _, hook, seen = self.run_epochs(
            4, resume=osp.join(self.temp_dir.name, 'epoch_1.pth'))
        assert self.switches == [(2, 6)]
        assert [s['augments'][0] for s in seen] == \
            [BatchUnimodalSample] * 3 + [BatchModalityDropout] * 6

    def test_switch_by_iter(self):
        cfg = copy.deepcopy(self.iter_based_cfg)
        cfg.custom_hooks = [
            hook_cfg(switch_at=5, by_epoch=False, stage2_frozen=None,
                     stage2_trainable=None, stage2_lr_factor=None,
                     stage2_lr=0.05),
            dict(type='StageProbe')
        ]
        runner = self.build_runner(cfg)
        runner.train()
        seen = next(h for h in runner.hooks if isinstance(h, StageProbe)).seen
        assert self.switches == [(0, 5)]
        assert [s['augments'][0] for s in seen] == \
            [BatchUnimodalSample] * 5 + [BatchModalityDropout] * 7
        assert [s['lr'] for s in seen] == [0.1] * 5 + [0.05] * 7
        assert not any(s['backbone'] for s in seen)


def test_aggregation_rule():
    # 3 modalities would need 8 rows; MODALITIES has 4: 16 rows, P = 4
    counts = torch.zeros(16, 4, dtype=torch.long)
    counts[1] = torch.tensor([10, 0, 0, 0])  # face: prompt 0
    counts[4] = torch.tensor([0, 12, 1, 0])  # audio: prompt 1 (2 is rare)
    prompts = torch.randn(4, 2, 3)
    keys = torch.randn(4, 3)
    old_p, old_k = prompts.clone(), keys.clone()
    report = aggregate_prompt_pool(prompts, keys, counts,
                                   activation_ratio=0.5, keep=0.1)
    assert report['activated'] == dict(face=[0], scene=[], audio=[1],
                                       caption=[])
    assert report['kept'] == [0, 1] and report['reinitialised'] == [2, 3]
    assert torch.equal(prompts[:2], old_p[:2])
    assert torch.equal(keys[:2], old_k[:2])
    # each modality normalised: face 1.0 on p0, audio 12/13 on p1
    w = torch.tensor([1.0, 12 / 13])
    w = w / w.sum()
    assert report['weights'] == pytest.approx(w.tolist())
    for j in (2, 3):
        expect = 0.9 * (w[0] * old_p[0] + w[1] * old_p[1]) + 0.1 * old_p[j]
        assert torch.allclose(prompts[j], expect)
        expect = 0.9 * (w[0] * old_k[0] + w[1] * old_k[1]) + 0.1 * old_k[j]
        assert torch.allclose(keys[j], expect)
    # no statistics: the pool is left alone
    report = aggregate_prompt_pool(prompts, keys, torch.zeros(16, 4))
    assert report['kept'] == [] and torch.equal(keys[:2], old_k[:2])


@pytest.mark.parametrize('kwargs, match', [
    (dict(switch_at=-1), '-1'),
    (dict(switch_at=2, stage2_lr=0.1, stage2_lr_factor=0.5), 'not both'),
    (dict(switch_at=2, stage2_lr_factor=0), 'stage2_lr_factor.*0'),
    (dict(switch_at=2, reinit_keep=2.0), r'\[0, 1\].*2.0'),
    (dict(switch_at=2, stage2_frozen='head'), "list of regexes.*'head'"),
])
def test_arguments_checked(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        TwoStageHook(**kwargs)


def test_recipe_on_umbenet(tmp_path):
    """The shipped recipe on the demo UMBEnet: stage-1 augments, the real
    pool found by its type, aggregation and stage-2 augments."""
    from types import SimpleNamespace

    from mmengine import Config, MMLogger
    from mmengine.optim import OptimWrapper

    from umbe.utils import register_all_modules
    register_all_modules()
    root = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
    leaf = tmp_path / 'leaf.py'
    leaf.write_text(f"_base_ = ['{root}/configs/umbenet/umbenet_demo.py', "
                    f"'{root}/configs/_base_/recipes/umbenet_two_stage.py']\n")
    cfg = Config.fromfile(str(leaf))
    hook = HOOKS.build(cfg.custom_hooks[0])
    model = MODELS.build(cfg.model)
    pool = model.head.prompt_pool
    optim = OptimWrapper(torch.optim.Adam(
        [p for p in model.parameters() if p.requires_grad], lr=1e-3))
    runner = SimpleNamespace(model=model, epoch=0, iter=0, cfg=cfg,
                             optim_wrapper=optim,
                             logger=MMLogger.get_current_instance())
    hook.before_run(runner)  # the stage length is the recipe's variable
    assert hook.switch_at == cfg.stage1_epochs == 10
    hook.before_train(runner)
    assert [type(a) for a in model.data_preprocessor.modality_augments
            ] == [BatchUnimodalSample]
    pool.selection_counts[1, :3] = 5  # face chose prompts 0-2 in stage 1
    pool.selection_counts[4, 3] = 9  # audio chose prompt 3
    old = pool.prompts.detach().clone()
    runner.epoch = hook.switch_at - 1
    hook.before_train_epoch(runner)
    assert hook.stage == 1
    runner.epoch = hook.switch_at
    hook.before_train_epoch(runner)
    assert hook.stage == 2 and hook.report['kept'] == [0, 1, 2, 3]
    assert torch.equal(pool.prompts[:4], old[:4])
    assert not torch.equal(pool.prompts[4:], old[4:])
    assert pool.selection_counts.sum() == 0
    assert [type(a) for a in model.data_preprocessor.modality_augments
            ] == [BatchModalityDropout]


def test_stage_length_from_the_config():
    from types import SimpleNamespace
    hook = TwoStageHook()
    with pytest.raises(ValueError, match='stage1_epochs = N'):
        hook.before_run(SimpleNamespace(cfg=dict()))
    with pytest.raises(ValueError, match="stage1_epochs.*'3'"):
        hook.before_run(SimpleNamespace(cfg=dict(stage1_epochs='3')))
    hook.before_run(SimpleNamespace(cfg=dict(stage1_epochs=3)))
    assert hook.switch_at == 3
    fixed = TwoStageHook(switch_at=4)
    fixed.before_run(SimpleNamespace(cfg=dict(stage1_epochs=3)))
    assert fixed.switch_at == 4  # an explicit switch_at wins

