"""A user module registered via ``custom_imports`` swaps the fusion neck."""
import os.path as osp
import textwrap

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from umbe.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

USER_MODULE = '''
import torch
import torch.nn.functional as F
from torch import nn

from umbe.registry import MODELS


@MODELS.register_module()
class MaskedMeanFusion(nn.Module):
    """Mean of the present modality tokens, then a linear map."""

    calls = 0

    def __init__(self, embed_dim=768):
        super().__init__()
        self.proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, tokens, present):
        MaskedMeanFusion.calls += 1
        weights = present.to(tokens.dtype).unsqueeze(-1)  # (B, M, 1)
        mean = (tokens * weights).sum(1) / weights.sum(1).clamp(min=1)
        return F.normalize(self.proj(mean), dim=-1)  # (B, D)
'''


def test_user_neck_via_custom_imports(tmp_path, monkeypatch,
                                      tiny_demo_root):
    data = tiny_demo_root
    (tmp_path / 'my_fusion.py').write_text(USER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    demo_config = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')
    (tmp_path / 'my_config.py').write_text(
        textwrap.dedent(f'''
        _base_ = [{demo_config!r}]
        custom_imports = dict(imports=['my_fusion'],
                              allow_failed_imports=False)
        model = dict(
            fusion=dict(_delete_=True, type='MaskedMeanFusion',
                        embed_dim=64))
        train_dataloader = dict(
            batch_size=7, num_workers=0, persistent_workers=False,
            dataset=dict(data_root={str(data)!r}))
        val_dataloader = dict(
            num_workers=0, persistent_workers=False,
            dataset=dict(data_root={str(data)!r}))
        test_dataloader = val_dataloader
        train_cfg = dict(max_epochs=1, val_interval=10)
        work_dir = {str(tmp_path / 'work')!r}
        '''))
    register_all_modules()
    cfg = Config.fromfile(str(tmp_path / 'my_config.py'))
    assert cfg.model.fusion == dict(type='MaskedMeanFusion', embed_dim=64)
    runner = Runner.from_cfg(cfg)
    fusion = runner.model.fusion
    assert type(fusion).__name__ == 'MaskedMeanFusion'
    assert type(fusion).__module__ == 'my_fusion'
    before = fusion.proj.weight.detach().clone()
    runner.train()  # 7 training clips, batch 7: one iteration
    assert runner.iter == 1
    assert type(fusion).calls >= 1
    assert not torch.equal(before, fusion.proj.weight)
