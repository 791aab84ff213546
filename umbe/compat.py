"""Workarounds for the pinned environment, applied once, on ``import umbe``.

Each function fixes one known problem of a pinned dependency and says which.
Nothing else in umbe patches third-party modules.
"""
import importlib.util
import os.path as osp
import sys
import types


def stub_missing_mmaction_drn() -> None:
    """Stub ``mmaction.models.localizers.drn`` when the wheel lacks it.

    The mmaction2 1.2.0 wheel on PyPI ships without the ``drn`` package that
    ``mmaction/models/localizers/__init__.py`` imports, so ``import
    mmaction.models`` fails with ``ModuleNotFoundError`` (upstream bug:
    open-mmlab/mmaction2 issue #2714). umbe never uses DRN; the stub makes the
    import succeed and raises only if someone builds a DRN.
    """
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return
    spec = importlib.util.find_spec('mmaction')
    if spec is None or spec.origin is None:
        return
    if osp.isdir(osp.join(osp.dirname(spec.origin), 'models', 'localizers',
                          'drn')):
        return  # a complete mmaction2 install, nothing to do

    class DRN:  # noqa: D401 - stand-in with the upstream name

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'mmaction2 1.2.0 from PyPI lacks mmaction.models.localizers.'
                'drn (mmaction2 issue #2714); install mmaction2 from source '
                'to use DRN.')

    package = types.ModuleType(name)
    package.__path__ = []
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module


def load_checkpoints_safely_in_mmengine() -> None:
    """Make mmengine's local checkpoint loader refuse to run code.

    torch 2.6 changed ``torch.load`` to ``weights_only=True`` by default and
    mmengine 0.10.7's local loader calls ``torch.load`` without the
    argument, so resuming failed on the message hub a checkpoint holds.
    This replaces mmengine's loader for local paths (and only it) by
    :func:`umbe.safe_loading.load_checkpoint_file`: ``weights_only=True``
    with the allowlist of what mmengine and umbe checkpoints hold.
    """
    from mmengine.runner.checkpoint import CheckpointLoader

    from .safe_loading import load_checkpoint_file

    def load_from_local(filename, map_location):  # mmengine names it so
        return load_checkpoint_file(filename, map_location)

    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)


def apply_all() -> None:
    """Apply every workaround above (idempotent)."""
    stub_missing_mmaction_drn()
    load_checkpoints_safely_in_mmengine()
