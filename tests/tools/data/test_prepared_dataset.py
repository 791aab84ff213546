"""The prepared annotation files load with the shipped configs."""
import pytest
from fake_releases import make_dfew, make_mafw
from mmengine.config import Config

from umbe.registry import DATASETS
from umbe.utils import register_all_modules


@pytest.mark.parametrize('name', ['dfew', 'mafw'])
def test_prepared_records_load_with_the_config(name, tmp_path,
                                               prepare_tool):
    register_all_modules()
    if name == 'dfew':
        # both in the test split of fold 2
        make_dfew(str(tmp_path / 'rel'), no_audio=[17], corrupt=[67])
        silent, broken, fold = '00017', '00067', 2
    else:
        # both in the test split of fold 1
        make_mafw(str(tmp_path / 'rel'), no_audio=[25], corrupt=[228])
        silent, broken, fold = '00025', '00228', 1
    prepare_tool(name)([str(tmp_path / 'rel'), str(tmp_path / 'out')])
    cfg = Config.fromfile(f'configs/umbenet/umbenet_{name}_fold2.py')
    dataset_cfg = cfg.test_dataloader.dataset
    assert dataset_cfg.ann_file == 'annotations/fold2_test.json'
    dataset_cfg.data_root = str(tmp_path / 'out')
    dataset_cfg.ann_file = f'annotations/fold{fold}_test.json'
    dataset = DATASETS.build(dataset_cfg)
    assert list(dataset.metainfo['classes']) == list(cfg.model.classes)
    seen = {}
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        seen[sample.metainfo['clip_id']] = sample.present
    assert seen[silent]['audio'] is False and seen[silent]['scene'] is True
    assert seen[broken] == dict(
        face=True, scene=False, audio=False, caption=name == 'mafw')
    others = [p for c, p in seen.items() if c not in (silent, broken)]
    assert others and all(p['audio'] and p['face'] for p in others)
    if name == 'mafw':
        assert any(p['caption'] for p in others)


@pytest.mark.parametrize('name, num_classes', [('dfew', 7), ('mafw', 11)])
def test_one_config_per_fold(name, num_classes):
    from umbe.utils import check_cfg_options
    for k in range(1, 6):
        cfg = Config.fromfile(f'configs/umbenet/umbenet_{name}_fold{k}.py')
        for split in ('train', 'val', 'test'):
            loader = cfg[f'{split}_dataloader']
            assert loader.dataset.ann_file == (
                f'annotations/fold{k}_{split}.json')
            assert loader.dataset.data_root == f'data/{name}/'
        assert len(cfg.model.classes) == num_classes
        assert cfg.train_dataloader.batch_size == 8
    # `fold=N` on the command line cannot move the paths: it is refused
    with pytest.raises(KeyError, match='"fold" is not in'):
        check_cfg_options(cfg, {'fold': 2}, 'the config')
