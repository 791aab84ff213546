"""The tools' command-line bits: loading configs with strict
``--cfg-options``, the shared flags, and the edits ``tools/train.py`` and
``tools/test.py`` make to a config from their options."""
import argparse
import difflib
import os
import os.path as osp
import sys
from typing import Any, Callable, Dict, List, Optional

import torch
from mmengine.config import Config, DictAction

from umbe.engine import find_resume_checkpoint
from umbe.engine.optimizers import cpu_native_bf16
from umbe.models.utils import set_frozen_dtype
from umbe.safe_loading import allow_checkpoint_globals

NEW_KEY_MARK = '+'


def _lookup(node: Any, part: str) -> Any:
    if isinstance(node, (list, tuple)) and part.isdigit():
        return node[int(part)] if int(part) < len(node) else KeyError
    if isinstance(node, dict) and part in node:
        return node[part]
    return KeyError


def _check_value_type(key: str, old: Any, value: Any,
                      config_path: str) -> None:
    """Refuse text where the config holds a number or a boolean.

    ``DictAction`` parses ``3``, ``2e-4`` and ``True``; what it leaves a
    string (``max_epochs=two``) would fail deep inside mmengine.
    """
    if isinstance(old, (bool, int, float)) and isinstance(value, str):
        kind = 'true/false' if isinstance(old, bool) else (
            'an integer' if isinstance(old, int) else 'a number')
        raise ValueError(
            f'--cfg-options {key}={value!r}: {key} is {kind} in '
            f'{config_path} (now {old!r}); give {kind}, e.g. {key}={old!r}')


def check_cfg_options(cfg: Config, options: Optional[Dict[str, Any]],
                      config_path: str = 'the config') -> Dict[str, Any]:
    """Check that every ``--cfg-options`` key exists in ``cfg``.

    mmengine's ``merge_from_dict`` silently adds unknown keys, so a typo such
    as ``train_cfg.max_epoch=3`` would be ignored. Every dotted key must
    already exist (list items by index, as mmengine allows); a key that is
    meant to be new is written with a leading ``+`` (``+model.foo=1``).

    Args:
        cfg (Config): The loaded config.
        options (dict, optional): The parsed ``--cfg-options``.
        config_path (str): Name of the config file, for the error message.
            Defaults to 'the config'.

    Returns:
        dict: The options with the ``+`` marks removed, ready for
        ``cfg.merge_from_dict``.

    Raises:
        KeyError: Naming the first key that is not in the config, its
            closest existing sibling keys and how to add it on purpose.
    """
    checked = {}
    for key, value in (options or {}).items():
        if key.startswith(NEW_KEY_MARK):
            checked[key[len(NEW_KEY_MARK):]] = value
            continue
        node: Any = cfg._cfg_dict
        parts = key.split('.')
        for depth, part in enumerate(parts):
            child = _lookup(node, part)
            if child is KeyError:
                where = '.'.join(parts[:depth]) or '<top level>'
                siblings = [str(k) for k in node] if isinstance(
                    node, dict) else [str(i) for i in range(len(node))]
                close = difflib.get_close_matches(part, siblings, n=3)
                hint = f' Did you mean {close}?' if close else ''
                raise KeyError(
                    f'--cfg-options key "{key}" is not in {config_path}: '
                    f'"{part}" does not exist under {where}.{hint} Check the '
                    f'spelling, or write "{NEW_KEY_MARK}{key}=..." to add a '
                    'new key on purpose.')
            node = child
        _check_value_type(key, node, value, config_path)
        checked[key] = value
    return checked


def load_config(path: str, cfg_options: Optional[Dict[str, Any]]) -> Config:
    """Load the config at ``path`` and merge the checked ``--cfg-options``.

    Args:
        path (str): Config file.
        cfg_options (dict, optional): The parsed ``--cfg-options``.

    Returns:
        Config: The merged config.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'config file {path} not found; pass a path such as '
            'configs/umbenet/umbenet_demo.py')
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(check_cfg_options(cfg, cfg_options, path))
    return cfg


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options ``tools/train.py`` and ``tools/test.py`` share.

    ``--cfg-options``, ``--launcher``, ``--cpu-threads`` and the
    ``--local-rank`` that ``torch.distributed.launch`` passes (torchrun sets
    ``LOCAL_RANK`` instead; see :func:`export_local_rank`).

    Args:
        parser (ArgumentParser): The tool's parser.
    """
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=3; every key '
        'must exist in the config (prefix a new key with "+")')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--cpu-threads',
        type=int,
        help='PyTorch threads of the main process on CPU; default '
        'env_cfg.cpu_threads, else $OMP_NUM_THREADS, else cores minus '
        'dataloader workers (at least 1), see umbe/utils/cpu_threads.py')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    add_checkpoint_trust_argument(parser)


def add_checkpoint_trust_argument(parser: argparse.ArgumentParser) -> None:
    """``--allow-checkpoint-global NAME``: the one way to load a checkpoint
    whose unpickling needs a global umbe does not allow (docs/runs.md)."""
    parser.add_argument(
        '--allow-checkpoint-global',
        action='append',
        default=[],
        metavar='NAME',
        help='allow this global (dotted name, repeatable) when unpickling a '
        'checkpoint; only for files you made yourself: an allowed global '
        'is called while the file is read')


def apply_checkpoint_trust(args: argparse.Namespace) -> None:
    """Allow the globals ``--allow-checkpoint-global`` named."""
    allow_checkpoint_globals(getattr(args, 'allow_checkpoint_global', []))


def export_local_rank(args: argparse.Namespace) -> None:
    """Set ``LOCAL_RANK`` from ``--local-rank`` unless torchrun set it."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))


def set_work_dir(cfg: Config, work_dir: Optional[str],
                 config_path: str) -> Config:
    """``cfg.work_dir``: the command line's, else the config's, else
    ``./work_dirs/<config name>``.

    Args:
        cfg (Config): The config, changed in place.
        work_dir (str, optional): ``--work-dir``.
        config_path (str): The config file.

    Returns:
        Config: ``cfg``.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_path))[0])
    return cfg


def enable_amp(cfg: Config,
               dtype: Optional[str] = None,
               warn: Optional[Callable[[str], None]] = None) -> Config:
    """Mixed precision where it pays: the AMP optim wrapper of the device.

    - CUDA: ``AmpOptimWrapper`` (autocast over the whole train step: data
      preprocessor, forward and loss; the backward follows its dtypes) in
      ``dtype``: by default bfloat16 where the GPU has it (Ampere and
      later), else float16 with dynamic loss scaling.
    - CPU with native bfloat16 (``avx512_bf16`` / AMX / Arm bf16,
      :func:`umbe.engine.optimizers.cpu_native_bf16`):
      ``CPUAmpOptimWrapper`` in bfloat16, the only dtype of CPU autocast.
    - CPU without it: bfloat16 would be emulated and slower than float32,
      so the config stays float32 and ``warn`` gets one line saying so.

    With bfloat16 the frozen CLIP towers are also stored in bfloat16
    (``frozen_dtype``, half their memory; they run under their own
    autocast, so validation and test work too), except when the train
    data is a feature cache: its key hashes the towers' float32 weights
    and the cached step does not run them. docs/benchmark.md ("AMP") has
    the measurements.

    Args:
        cfg (Config): The config, changed in place; its ``optim_wrapper``
            must be an ``OptimWrapper`` (or already an AMP one).
        dtype (str, optional): ``'float16'`` or ``'bfloat16'``. Defaults to
            None (see above).
        warn (callable, optional): Receives the message when AMP is left
            off. Defaults to None (printed to stderr).

    Returns:
        Config: ``cfg``.

    Raises:
        ValueError: Another optim wrapper type, or float16 without CUDA.
    """
    optim_wrapper = cfg.optim_wrapper
    if optim_wrapper.get('type', 'OptimWrapper') not in (
            'OptimWrapper', 'AmpOptimWrapper', 'CPUAmpOptimWrapper'):
        raise ValueError(
            f'--amp needs an OptimWrapper, the config has '
            f'{optim_wrapper.type}; set its AMP options in the config.')
    cuda = torch.cuda.is_available()
    if dtype is None:
        dtype = 'bfloat16' if not cuda or torch.cuda.is_bf16_supported(
            including_emulation=False) else 'float16'
    if not cuda and dtype != 'bfloat16':
        raise ValueError(
            f'--amp-dtype {dtype} needs CUDA; on CPU autocast runs in '
            'bfloat16 (leave --amp-dtype out or pass bfloat16).')
    if not cuda and not cpu_native_bf16():
        (warn or _print_warning)(
            '--amp: this CPU has no native bfloat16 (no avx512_bf16 / '
            'amx_bf16 flag), where bf16 autocast is slower than float32; '
            'training in float32')
        return cfg
    optim_wrapper.type = 'AmpOptimWrapper' if cuda else 'CPUAmpOptimWrapper'
    optim_wrapper.dtype = dtype
    if dtype == 'float16':  # bfloat16 has float32's range
        optim_wrapper.setdefault('loss_scale', 'dynamic')
    train_data = cfg.get('train_dataloader', {}).get('dataset', {})
    if dtype == 'bfloat16' and 'model' in cfg and train_data.get(
            'type') != 'CachedFeatureDataset':
        set_frozen_dtype(cfg.model, 'bfloat16')
    return cfg


def _print_warning(message: str) -> None:
    print(f'warning: {message}', file=sys.stderr)


def set_resume(cfg: Config, resume: Optional[str]) -> Config:
    """Resume training: ``'auto'`` from the work dir's newest complete
    checkpoint (:func:`umbe.engine.find_resume_checkpoint`; none: start
    afresh), a path from that checkpoint, None not at all (the config's
    choice). Call after :func:`set_work_dir`.

    Args:
        cfg (Config): The config, changed in place.
        resume (str, optional): ``--resume``'s value.

    Returns:
        Config: ``cfg``.

    Raises:
        FileNotFoundError: The checkpoint path does not exist.
    """
    if resume == 'auto':
        # the newest complete checkpoint of the work dir, not only what
        # last_checkpoint names (umbe/engine/resume.py)
        found = find_resume_checkpoint(
            cfg.work_dir,
            lambda msg: print(f'tools/train.py: warning: {msg}',
                              file=sys.stderr))
        cfg.resume, cfg.load_from = found is not None, found
    elif resume is not None:
        if not osp.isfile(resume):
            raise FileNotFoundError(
                f'--resume checkpoint {resume} not found; omit the path '
                'to resume from the latest checkpoint of the work dir.')
        cfg.resume, cfg.load_from = True, resume
    return cfg


def enable_auto_scale_lr(cfg: Config, config_path: str) -> Config:
    """Scale the learning rate by the total batch size over
    ``auto_scale_lr.base_batch_size`` (mmengine's rule).

    Raises:
        KeyError: The config has no ``auto_scale_lr.base_batch_size``.
    """
    if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
        raise KeyError(
            f'--auto-scale-lr needs auto_scale_lr.base_batch_size in '
            f'{config_path} (see configs/_base_/schedules/).')
    cfg.auto_scale_lr.enable = True
    return cfg


#: the CHECKPOINT argument of the tools for a model used untrained
NO_CHECKPOINT = 'none'


def checkpoint_or_none(checkpoint: str, model_cfg: dict) -> Optional[str]:
    """The checkpoint a tool loads: the path, or None for ``none``.

    ``none`` is accepted only for a model whose class says it predicts
    without training (``runs_untrained = True``, e.g. ``ZeroShotCLIP``):
    any other model would score with random weights.

    Args:
        checkpoint (str): The tool's CHECKPOINT argument.
        model_cfg (dict): The config's ``model``.

    Returns:
        str | None: ``checkpoint``, or None for ``none``.

    Raises:
        ValueError: ``none`` for a model that needs trained weights.
    """
    if checkpoint != NO_CHECKPOINT:
        return checkpoint
    from umbe.registry import MODELS  # light: as register_all_modules
    model_type = model_cfg.get('type')
    cls = MODELS.get(model_type) if isinstance(model_type, str) else (
        model_type)
    if not getattr(cls, 'runs_untrained', False):
        raise ValueError(
            f'checkpoint "{NO_CHECKPOINT}": the config\'s model '
            f'{model_type} has trainable parts that would keep random '
            'weights; pass a checkpoint, or use a zero-shot config '
            '(configs/umbenet/zero_shot/)')
    return None


def set_test_checkpoint(cfg: Config, checkpoint: str) -> Config:
    """Test ``checkpoint``: it must exist; it becomes ``cfg.load_from``.
    ``none`` tests a model that runs untrained (see
    :func:`checkpoint_or_none`) with the weights its config gives.

    Raises:
        FileNotFoundError: Naming the checkpoint and where they come from.
        ValueError: ``none`` for a model that needs trained weights.
    """
    if checkpoint == NO_CHECKPOINT:
        checkpoint_or_none(checkpoint, cfg.get('model', {}))  # or raises
        cfg.load_from = None
        return cfg
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'checkpoint {checkpoint} not found; train first with '
            'tools/train.py (checkpoints are in its --work-dir)')
    cfg.load_from = checkpoint
    return cfg


def add_dump_metric(cfg: Config, path: str) -> Config:
    """Dump the test predictions to a pickle file: a ``DumpResults``
    metric after the config's test metrics.

    Raises:
        ValueError: ``path`` is not a ``.pkl`` / ``.pickle`` file name.
    """
    if not path.endswith(('.pkl', '.pickle')):
        raise ValueError(f'--dump {path}: use a .pkl file name')
    evaluator = cfg.test_evaluator
    metrics = list(evaluator) if isinstance(evaluator, (list, tuple)) \
        else [evaluator]
    cfg.test_evaluator = metrics + [
        dict(type='DumpResults', out_file_path=path)
    ]
    return cfg


def parse_test_modalities(cfg: Config,
                          value: Optional[str]) -> Optional[List[tuple]]:
    """The modality subsets that ``--modalities`` asks to test.

    ``all-subsets`` means every non-empty subset of the modality groups the
    test pipeline loads (see :func:`umbe.evaluation.parse_subsets`).

    Args:
        cfg (Config): The config (its ``test_dataloader`` pipeline).
        value (str, optional): ``--modalities``; None tests the config as
            it is.

    Returns:
        list[tuple] | None: The subsets, or None.

    Raises:
        ValueError: An unknown modality name.
    """
    # imported here: `import umbe.utils` stays light (as register_all_modules)
    from umbe.datasets import pipeline_settings
    from umbe.evaluation import parse_subsets
    from umbe.structures import MODALITY_GROUPS
    pipeline = cfg.test_dataloader.get('dataset', {}).get('pipeline', [])
    return parse_subsets(value,
                         pipeline_settings(pipeline).groups or MODALITY_GROUPS)


def seed_like_runner(cfg: Config) -> int:
    """Seed the random generators with the config's ``randomness.seed``, as
    ``Runner.from_cfg`` does before it builds the model, so that a model
    built next has the random weights (towers) of a run's model.

    Args:
        cfg (Config): The config.

    Returns:
        int: The seed; 0 when the config sets none (nothing is seeded).
    """
    from mmengine.runner import set_random_seed
    seed = (cfg.get('randomness') or {}).get('seed')
    if seed is not None:
        set_random_seed(seed)
    return seed or 0
