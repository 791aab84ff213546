"""Random towers and the uncached source of a cached config."""
import os.path as osp

from mmengine.config import Config

from umbe.analysis import set_random_towers, source_dataset_cfg

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'umbenet')


def _pretrained(node, path='model', found=None):
    found = {} if found is None else found
    if isinstance(node, dict):
        if 'pretrained' in node:
            found[path] = node['pretrained']
        for key, value in node.items():
            _pretrained(value, f'{path}.{key}', found)
    return found


def test_set_random_towers_clears_every_pretrained_entry():
    cfg = Config.fromfile(osp.join(CONFIGS, 'umbenet_dfew.py'))
    cfg.model.vision_encoder.pretrained = 'clip/ViT-L-14.pt'
    cfg.model.head.text_encoder.pretrained = 'clip/ViT-L-14.pt'
    set_random_towers(cfg)
    assert _pretrained(cfg.model.to_dict()) == {
        'model.vision_encoder': None,
        'model.caption_encoder.text_encoder': None,
        'model.head.text_encoder': None
    }


def test_source_dataset_cfg():
    cached = Config.fromfile(osp.join(CONFIGS, 'umbenet_demo_cached.py'))
    for split in ('train', 'val', 'test'):
        ds = cached[f'{split}_dataloader'].dataset
        assert ds.type == 'CachedFeatureDataset'
        assert source_dataset_cfg(cached, split) is ds.source
    plain = Config.fromfile(osp.join(CONFIGS, 'umbenet_demo.py'))
    assert source_dataset_cfg(plain, 'val') is plain.val_dataloader.dataset
