"""Fixtures shared by test folders (tests/apis, tests/tools)."""
import importlib.util
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(ROOT, 'configs', 'umbenet', 'umbenet_demo.py')


def make_demo_checkpoint(path, seed=0):
    """The demo model with seeded random weights, saved as tools/train.py
    saves it (state dict + the dataset's classes in the meta)."""
    # imported here: a root conftest is read by every test session, and
    # umbe must come before mmaction.models where it is imported
    import torch
    from mmengine.config import Config
    from mmengine.runner import save_checkpoint

    import umbe  # noqa: F401  (before mmaction.models)
    from umbe.apis import init_recognizer
    torch.manual_seed(seed)
    cfg = Config.fromfile(DEMO_CONFIG)
    model = init_recognizer(cfg, None, 'cpu')
    save_checkpoint(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(classes=list(model.classes)))), path)
    return path


@pytest.fixture(scope='session')
def demo_checkpoint(tmp_path_factory):
    """A demo checkpoint (seed 0), shared by the inference tests."""
    return make_demo_checkpoint(
        str(tmp_path_factory.mktemp('ckpt') / 'demo.pth'))


@pytest.fixture(scope='session')
def make_small_demo(tmp_path_factory):
    """A factory: ``make_small_demo(train, val, test)`` generates a demo
    dataset (seed 0) with that many clips per class in each split (each
    call its own folder) and returns its root. The command that writes it,
    tools/data/make_demo_dataset.py, is tested on its own."""
    from umbe.testing import generate_demo_dataset

    def make(train=1, val=1, test=1):
        root = str(tmp_path_factory.mktemp('demo'))
        generate_demo_dataset(root, seed=0, clips_per_class=(train, val, test))
        return root

    return make


@pytest.fixture(scope='session')
def tiny_demo_root(make_small_demo):
    """A demo dataset with one clip per class in each split (7 / 7 / 7),
    shared read-only by the tests of a session."""
    return make_small_demo(1, 1, 1)


@pytest.fixture(scope='session')
def tool_module():
    """``tool_module(path)``: the tool script at ``path`` (relative to the
    repository) loaded from its file the way ``python path`` runs it, not
    imported as a package module."""

    def load(path):
        name = 'tool_' + osp.splitext(path)[0].replace('/', '_')
        spec = importlib.util.spec_from_file_location(
            name, osp.join(ROOT, path))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
