"""tools/test.py option handling, in process (no training)."""
import importlib.util
import os.path as osp

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load_tool(name):
    spec = importlib.util.spec_from_file_location(
        f'umbe_tool_{name}', osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def tool():
    return _load_tool('test')


def _cfg(pipeline):
    return Config(
        dict(test_dataloader=dict(dataset=dict(pipeline=pipeline))))


def test_all_subsets_follow_the_pipeline(tool):
    cfg = _cfg([dict(type='LoadFaceSceneFrames'), dict(type='LoadAudio')])
    assert tool.parse_modalities('all-subsets', cfg) == [('video', ),
                                                         ('audio', ),
                                                         ('video', 'audio')]
    full = _cfg([
        dict(type='LoadFaceSceneFrames'),
        dict(type='LoadAudio'),
        dict(type='TokenizeCaption')
    ])
    assert len(tool.parse_modalities('all-subsets', full)) == 7


def test_single_subset_and_bad_names(tool):
    cfg = _cfg([])
    assert tool.parse_modalities(None, cfg) is None
    assert tool.parse_modalities('video, caption', cfg) == [('video',
                                                             'caption')]
    assert tool.parse_modalities('face', cfg) == [('face', )]
    with pytest.raises(ValueError, match='smell'):
        tool.parse_modalities('video,smell', cfg)


def test_dump_is_added_to_the_evaluator(tool, tmp_path):
    ckpt = tmp_path / 'a.pth'
    ckpt.write_bytes(b'')
    args = type('Args', (), dict(
        checkpoint=str(ckpt), work_dir=None, config='x/my_cfg.py',
        dump='p.pkl'))
    cfg = tool.merge_args(
        Config(dict(test_evaluator=dict(type='UARWARMetric'))), args)
    assert cfg.load_from == str(ckpt)
    assert cfg.work_dir == osp.join('./work_dirs', 'my_cfg')
    assert [m['type'] for m in cfg.test_evaluator] == [
        'UARWARMetric', 'DumpResults'
    ]
    args.dump = 'p.txt'
    with pytest.raises(ValueError, match='.pkl'):
        tool.merge_args(Config(dict(test_evaluator=dict(type='X'))), args)


def test_missing_checkpoint_is_named(tool, tmp_path):
    args = type('Args', (), dict(
        checkpoint=str(tmp_path / 'missing.pth'), work_dir=None,
        config='c.py', dump=None))
    with pytest.raises(FileNotFoundError, match='missing.pth not found'):
        tool.merge_args(Config(dict(test_evaluator=dict(type='X'))), args)
