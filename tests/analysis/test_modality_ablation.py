"""The missing-modality ablation: recipes, the table and its picture.

The training and testing themselves are mmengine's runner on the demo
config (tests/test_demo_learns.py trains it); here the parts that decide
what is trained and how the table reads. The tool's run is in
tests/tools/analysis/test_missing_modality_ablation.py.
"""
import os
import os.path as osp
import time

import pytest
from mmengine.config import Config

import umbe.analysis.modality_ablation as ablation
from umbe.structures import nonempty_subsets

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

TWO_STAGE = osp.join(REPO, 'configs', 'umbenet',
                     'umbenet_demo_two_stage.py')


@pytest.fixture(scope='module')
def base():
    return Config.fromfile(TWO_STAGE)


def hook_types(cfg):
    return [h['type'] for h in cfg.get('custom_hooks', [])]


def test_recipe_configs(base, tmp_path):
    a = ablation.recipe_config(base, 'two_stage', str(tmp_path / 'a'))
    assert 'TwoStageHook' in hook_types(a)
    assert a.stage1_epochs == 5
    assert a.work_dir == str(tmp_path / 'a')
    assert a.model.data_preprocessor.get('keep_modalities') is None

    b = ablation.recipe_config(base, 'no_dropout', str(tmp_path / 'b'))
    assert 'TwoStageHook' not in hook_types(b)
    assert 'PromptStatisticsHook' in hook_types(b)
    assert b.model.data_preprocessor.modality_augments is None
    assert b.model.data_preprocessor.get('keep_modalities') is None
    # everything else is the same model and schedule
    assert b.model.head == a.model.head
    assert b.param_scheduler == a.param_scheduler
    assert b.train_cfg == a.train_cfg

    v = ablation.recipe_config(base, 'video_only', str(tmp_path / 'v'))
    assert v.model.data_preprocessor.keep_modalities == ('video', )
    assert v.model.data_preprocessor.modality_augments is None
    au = ablation.recipe_config(base, 'audio_only', str(tmp_path / 'au'))
    assert au.model.data_preprocessor.keep_modalities == ('audio', )
    # the base is not modified
    assert 'TwoStageHook' in hook_types(base)
    assert base.model.data_preprocessor.get('keep_modalities') is None


def test_recipe_config_needs_two_stage(tmp_path):
    plain = Config.fromfile(
        osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py'))
    with pytest.raises(ValueError, match='TwoStageHook'):
        ablation.recipe_config(plain, 'two_stage', str(tmp_path))


def test_table(tmp_path):
    full = {'+'.join(s): dict(UAR=50.0 + i, WAR=60.25 + i)
            for i, s in enumerate(nonempty_subsets())}
    video = {k: (None if 'video' not in k else dict(UAR=71.4286, WAR=70.0))
             for k in full}
    rows, markdown = ablation.ablation_table(
        dict(two_stage=full, video_only=video))
    assert rows[0][1:] == list(full)
    assert rows[1][0].startswith('(a)') and rows[2][0] == '(c) video only'
    assert rows[1][1] == '50.0 / 60.2' and rows[1][7] == '56.0 / 66.2'
    assert rows[2][1:4] == ['71.4 / 70.0', '-', '-']
    lines = markdown.splitlines()
    assert lines[0].startswith('| recipe') and lines[1] == '|---' * 8 + '|'
    assert lines[3] == '| ' + ' | '.join(rows[2]) + ' |'
    png = tmp_path / 'table.png'
    ablation.save_table_png(rows, str(png))
    assert png.stat().st_size > 1000


def test_best_checkpoint_is_the_newest(tmp_path):
    with pytest.raises(FileNotFoundError, match='no best_'):
        ablation.best_checkpoint(str(tmp_path))
    for i, name in enumerate(('best_UAR_epoch_2.pth', 'epoch_3.pth',
                              'best_UAR_epoch_1.pth')):
        path = tmp_path / name
        path.write_bytes(b'')
        os.utime(path, (time.time() + i, time.time() + i))
    assert ablation.best_checkpoint(str(tmp_path)) == str(
        tmp_path / 'best_UAR_epoch_1.pth')
