"""tower_speed: the variants compute the same (timings are not tested)."""
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(__file__)), 'models'))
from tiny_clip import CLASSES, TINY_ARCH  # noqa: E402

from umbe.analysis import class_text_speed, vision_tower_speed  # noqa: E402
from umbe.registry import MODELS  # noqa: E402


def test_vision_variants_agree():
    res = vision_tower_speed(frames=2, steps=1, warmup=0, arch_cfg=TINY_ARCH)
    assert {'umbe', 'open_clip_batch_first', 'open_clip_fastpath',
            'umbe_onednn'} <= set(res['s_per_frame'])
    assert res['over_umbe']['umbe'] == 1.0
    assert all(d < 1e-5 for d in res['max_abs_diff'].values())
    assert torch.backends.mha.get_fastpath_enabled()  # restored


def test_class_text_variants_agree_and_shared_prefix_runs_fewer_tokens():
    torch.manual_seed(0)
    head = MODELS.build(dict(
        type='DualStreamHead', classes=CLASSES,
        text_encoder=dict(type='CLIPTextEncoder', model_name='tiny',
                          arch_cfg=TINY_ARCH),
        prompt_pool=dict(type='PromptPool', pool_size=4, prompt_length=2,
                         top_k=2),
        inherent_prompts=dict(type='InherentPrompts', num_tokens=2)))
    res = class_text_speed(head, batch_size=3, steps=1, warmup=0)
    assert res['max_abs_diff']['full_sequences'] < 1e-3  # logits, scale 100
    assert res['max_abs_diff']['batch_first'] < 1e-3
    P = 1 + 2 + 2
    S = res['tokens']['full_sequences'] // (3 * 3) - P
    assert res['tokens']['umbe'] == 3 * (P + 3 * S)
    assert 'class_embeddings' not in head.__dict__  # the patch is undone


def test_amp_variants_stay_close():
    res = vision_tower_speed(frames=2, steps=1, warmup=0, arch_cfg=TINY_ARCH,
                             amp=True)
    assert {'umbe_autocast', 'umbe_bf16'} <= set(res['max_abs_diff'])
    assert 0 < res['max_abs_diff']['umbe_bf16'] < 0.1
