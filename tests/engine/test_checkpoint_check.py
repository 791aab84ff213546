"""check_checkpoint: class list, strict keys and shapes, one line each."""
import pytest
import torch
from torch import nn

from umbe.engine import (CheckpointMismatchError, check_checkpoint,
                         load_checked_checkpoint)


class Tiny(nn.Module):

    def __init__(self, classes=('a', 'b', 'c'), width=4):
        super().__init__()
        self.classes = tuple(classes)
        self.fc = nn.Linear(width, len(classes))


def ckpt(model, classes=None):
    return dict(state_dict=model.state_dict(),
                meta=dict(dataset_meta=dict(
                    classes=list(classes or model.classes))))


def test_a_fitting_checkpoint_passes():
    model = Tiny()
    state = check_checkpoint(model, ckpt(Tiny()), 'x.pth', 'cfg.py')
    assert set(state) == {'fc.weight', 'fc.bias'}
    wrapped = dict(state_dict={'module.' + k: v for k, v in
                               Tiny().state_dict().items()})
    assert set(check_checkpoint(model, wrapped, 'x.pth')) == set(state)


def test_class_order_and_extra_class_are_refused():
    model = Tiny()
    with pytest.raises(CheckpointMismatchError,
                       match=r"x\.pth was trained on the classes \['b', 'a', "
                       r"'c'\] but cfg\.py has \['a', 'b', 'c'\]"):
        check_checkpoint(model, ckpt(Tiny(), ('b', 'a', 'c')), 'x.pth',
                         'cfg.py')
    bigger = Tiny(('a', 'b', 'c', 'contempt'))
    with pytest.raises(CheckpointMismatchError, match='classes'):
        check_checkpoint(bigger, ckpt(Tiny()), 'x.pth', 'cfg.py')


def test_keys_and_shapes_are_listed():
    model = Tiny()
    other = dict(state_dict=dict(head=torch.zeros(1), **{
        'fc.weight': torch.zeros(3, 4)}), meta={})
    with pytest.raises(CheckpointMismatchError,
                       match=r'does not fit cfg\.py \(1 missing: fc\.bias; 1 '
                       r'unexpected: head\)'):
        check_checkpoint(model, other, 'x.pth', 'cfg.py')
    wide = dict(state_dict=Tiny(width=5).state_dict())
    with pytest.raises(CheckpointMismatchError,
                       match=r'shape mismatch.*fc\.weight \(3, 5\) vs \(3, '
                       r'4\)'):
        check_checkpoint(model, wide, 'x.pth', 'cfg.py')
    with pytest.raises(CheckpointMismatchError, match='no state dict'):
        check_checkpoint(model, dict(state_dict=[1]), 'x.pth')


def test_load_checked_checkpoint(tmp_path):
    source = Tiny()
    path = str(tmp_path / 'a.pth')
    torch.save(ckpt(source), path)
    target = Tiny()
    load_checked_checkpoint(target, path, 'cfg.py')
    assert torch.equal(target.fc.weight, source.fc.weight)
    with pytest.raises(CheckpointMismatchError):
        load_checked_checkpoint(Tiny(('x', 'y', 'z')), path, 'cfg.py')
