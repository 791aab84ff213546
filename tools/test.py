"""Test a umbe checkpoint: ``python tools/test.py CONFIG CHECKPOINT``.

``--modalities video,audio`` keeps only those modalities (the others are
marked absent by the data preprocessor; ``video`` = face + scene);
``--modalities all-subsets`` evaluates every non-empty subset of the
modalities the config loads, in one run, and prints one table.
"""
import argparse
import itertools
import json
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from terminaltables import AsciiTable

from umbe.structures import MODALITIES
from umbe.utils import (register_all_modules, setup_cpu_threads,
                        setup_distributed)
from umbe.utils.config_utils import (add_runner_arguments, export_local_rank,
                                     load_config)

SUBSET_NAMES = ('video', 'audio', 'caption')
# pipeline transform -> modality group it loads
LOADERS = dict(
    LoadFaceSceneFrames='video', LoadAudio='audio', TokenizeCaption='caption')


def parse_args():
    parser = argparse.ArgumentParser(description='Test a umbe checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='directory for logs and results; defaults to '
        './work_dirs/<config name>')
    parser.add_argument(
        '--dump',
        help='dump the predictions to this pickle file (.pkl); with '
        'all-subsets one file per subset, suffixed with its name')
    parser.add_argument(
        '--modalities',
        help='comma-separated modalities to keep (video, face, scene, audio, '
        'caption), or "all-subsets" to evaluate every subset')
    add_runner_arguments(parser)
    args = parser.parse_args()
    export_local_rank(args)
    return args


def config_modalities(cfg):
    """The modality groups (video/audio/caption) the test pipeline loads."""
    dataset = cfg.test_dataloader.get('dataset', {})
    steps = [step.get('type') for step in dataset.get('pipeline', [])]
    found = {LOADERS[s] for s in steps if s in LOADERS}
    return tuple(m for m in SUBSET_NAMES if m in found) or SUBSET_NAMES


def parse_modalities(value, cfg):
    """Return the list of modality subsets to evaluate (None: no change)."""
    if value is None:
        return None
    if value == 'all-subsets':
        names = config_modalities(cfg)
        return [
            subset for k in range(1, len(names) + 1)
            for subset in itertools.combinations(names, k)
        ]
    subset = tuple(m.strip() for m in value.split(',') if m.strip())
    valid = ('video', ) + tuple(MODALITIES)
    bad = [m for m in subset if m not in valid]
    if bad or not subset:
        raise ValueError(f'--modalities {value!r}: unknown {bad}; use a '
                         f'comma-separated list of {valid} or all-subsets')
    return [subset]


def merge_args(cfg, args):
    """Write the command-line choices into the config."""
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(
            f'checkpoint {args.checkpoint} not found; train first with '
            'tools/train.py (checkpoints are in its --work-dir)')
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: use a .pkl file name')
        evaluator = cfg.test_evaluator
        metrics = list(evaluator) if isinstance(evaluator, (list, tuple)) \
            else [evaluator]
        cfg.test_evaluator = metrics + [
            dict(type='DumpResults', out_file_path=args.dump)
        ]
    return cfg


def set_subset(runner, subset, dump):
    """Make the built runner evaluate with only ``subset`` present."""
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    preprocessor = model.data_preprocessor
    if not hasattr(preprocessor, 'keep_modalities'):
        raise AttributeError(
            f'{type(preprocessor).__name__} has no keep_modalities; '
            '--modalities needs umbe\'s MultimodalEmotionPreprocessor')
    # the attribute holds plain modality names (the constructor expands
    # 'video' the same way)
    kept = set(subset) | ({'face', 'scene'} if 'video' in subset else set())
    preprocessor.keep_modalities = tuple(m for m in MODALITIES if m in kept)
    tag = '+'.join(subset)
    for metric in runner.test_loop.evaluator.metrics:
        if hasattr(metric, 'tag'):
            metric.tag = tag
        if dump is not None and hasattr(metric, 'out_file_path'):
            stem, ext = osp.splitext(dump)
            metric.out_file_path = f'{stem}_{tag}{ext}'


def report_subsets(rows, work_dir):
    """Print the per-subset table and save it as JSON and markdown."""
    header = ['modalities', 'UAR (%)', 'WAR (%)']
    body = [[name, f"{m['UAR']:.2f}", f"{m['WAR']:.2f}"] for name, m in rows]
    table = AsciiTable([header] + body, title='Modality subsets').table
    print_log('\n' + table, logger='current')
    os.makedirs(work_dir, exist_ok=True)
    with open(osp.join(work_dir, 'modality_subsets.json'), 'w') as f:
        json.dump({name: m for name, m in rows}, f, indent=2)
    lines = ['| ' + ' | '.join(header) + ' |', '|---|---|---|']
    lines += ['| ' + ' | '.join(row) + ' |' for row in body]
    with open(osp.join(work_dir, 'modality_subsets.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main():
    args = parse_args()
    register_all_modules()
    try:
        cfg = merge_args(load_config(args.config, args.cfg_options), args)
        subsets = parse_modalities(args.modalities, cfg)
        if subsets is not None and len(subsets) == 1:
            cfg.model.data_preprocessor.keep_modalities = subsets[0]
        setup_distributed(cfg, args.launcher)
        setup_cpu_threads(cfg, args.cpu_threads)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as e:
        # a bad command line or config: the message, not a traceback
        raise SystemExit(f'tools/test.py: error: {e.args[0]}')
    runner = Runner.from_cfg(cfg)
    if subsets is None or len(subsets) == 1:
        if subsets is not None:
            set_subset(runner, subsets[0], None)
        runner.test()
        return
    rows = []
    for subset in subsets:
        set_subset(runner, subset, args.dump)  # one dump file per subset
        rows.append(('+'.join(subset), runner.test()))
    if is_main_process():
        report_subsets(rows, runner.work_dir)


if __name__ == '__main__':
    main()
