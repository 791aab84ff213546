"""Every umbe registry location imports, every registered umbe name builds.

Components are discovered from the registries, so a new one is covered
without editing this file: it is built with the first config of its type
found in the shipped demo config (small sizes) or with no arguments, updated
with the arguments in ``EXTRA_ARGS``. A component that needs arguments and
is in neither place fails here, naming the fix.
"""
import importlib
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import Registry

import umbe.registry as umbe_registry
from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')

TINY_TOWER = dict(
    type='CLIPTextEncoder',
    model_name='tiny',
    arch_cfg=dict(
        embed_dim=32,
        vision_cfg=dict(image_size=16, patch_size=8, width=32, layers=1,
                        head_width=16),
        text_cfg=dict(context_length=77, vocab_size=49408, width=32,
                      heads=2, layers=1)))

# arguments the demo config does not give (merged over its config, if any)
EXTRA_ARGS = dict(
    MultimodalEmotionDataset=dict(
        ann_file='never_read.json',
        pipeline=[],
        lazy_init=True,
        metainfo=dict(classes=('happy', 'sad'))),
    CachedFeatureDataset=dict(
        cache_dir='never_read', lazy_init=True,
        metainfo=dict(classes=('happy', 'sad'))),
    DualStreamHead=dict(classes=('happy', 'sad')),  # UMBEnet passes them
    # the official preset's variants (no demo config uses them): small
    StatefulDualStreamHead=dict(
        classes=('happy', 'sad'),
        text_encoder=dict(
            type='CLIPTextEncoder',
            model_name='tiny',
            arch_cfg=dict(
                embed_dim=32,
                vision_cfg=dict(image_size=16, patch_size=8, width=32,
                                layers=1, head_width=16),
                text_cfg=dict(context_length=77, vocab_size=49408,
                              width=32, heads=2, layers=1))),
        prompt_pool=dict(type='BatchQueryPromptPool', pool_size=4,
                         prompt_length=2, top_k=2),
        inherent_prompts=dict(type='InherentPrompts', num_tokens=2)),
    MeanPoolTemporalTransformer=dict(embed_dim=32, num_layers=1,
                                     num_heads=2),
    MeanPoolFusionTransformer=dict(embed_dim=32, num_layers=1, num_heads=2),
    FlattenAudioEncoder=dict(embed_dim=32, num_samples=2000,
                             channels=(4, 4), hidden_dims=(16, )),
    # the zero-shot baseline (no demo config uses them): tiny random towers
    ZeroShotHead=dict(classes=('happy', 'sad'), text_encoder=TINY_TOWER),
    ZeroShotCLIP=dict(
        classes=('happy', 'sad'),
        allow_random_towers=True,
        vision_encoder=dict(TINY_TOWER, type='CLIPVisionEncoder'),
        head=dict(type='ZeroShotHead', text_encoder=TINY_TOWER)),
    TwoStageHook=dict(switch_at=1),
    CPUAmpOptimWrapper=dict(
        optimizer=torch.optim.SGD([torch.nn.Parameter(torch.ones(1))],
                                  lr=0.1)),
)

REGISTRIES = {
    name: reg
    for name, reg in vars(umbe_registry).items()
    if isinstance(reg, Registry) and reg.scope == 'umbe'
}


def _configs_by_type(node, found):
    """First config dict of each ``type`` in a nested config."""
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            found.setdefault(node['type'], node)
        for value in node.values():
            _configs_by_type(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _configs_by_type(value, found)
    return found


def _umbe_components():
    register_all_modules()
    for reg_name, registry in sorted(REGISTRIES.items()):
        for location in registry._locations:
            importlib.import_module(location)
        for name, cls in sorted(registry.module_dict.items()):
            if cls.__module__.startswith('umbe.'):
                yield reg_name, name


def test_every_location_imports():
    assert REGISTRIES, 'umbe.registry defines no registries'
    for reg_name, registry in REGISTRIES.items():
        assert registry.parent is not None, f'{reg_name} has no parent'
        assert registry._locations, f'{reg_name} has no locations'
        for location in registry._locations:
            importlib.import_module(location)  # fails on a missing package


COMPONENTS = list(_umbe_components())


def test_components_were_found():
    names = {name for _, name in COMPONENTS}
    assert {'UARWARMetric', 'CPUAmpOptimWrapper'} <= names


@pytest.mark.parametrize('reg_name,name', COMPONENTS)
def test_build_each_component(reg_name, name):
    register_all_modules()
    demo = _configs_by_type(Config.fromfile(DEMO_CONFIG).to_dict(), {})
    cfg = dict(demo.get(name, dict(type=name)), **EXTRA_ARGS.get(name, {}))
    try:
        obj = REGISTRIES[reg_name].build(cfg)
    except TypeError as err:
        pytest.fail(f'{name} needs arguments to build ({err}); add minimal '
                    'ones to EXTRA_ARGS in tests/test_registry.py')
    assert type(obj).__name__ == name
