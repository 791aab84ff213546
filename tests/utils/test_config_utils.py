"""check_cfg_options: unknown --cfg-options keys fail loudly."""
import pytest
from mmengine.config import Config

from umbe.utils import check_cfg_options


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
