"""The steps shared by the DFEW, FERV39k and MAFW preparation tools."""
import argparse
import ast
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional

from mmengine.utils import track_parallel_progress, track_progress

from umbe.datasets.utils import IMAGE_EXTENSIONS
from .audio import AUDIO_CORRUPT, AUDIO_NONE, extract_audio_task
from .io import atomic_write_json, rel_or_abs
from .report import PrepReport
from .splits import stratified_split


def build_parser(dataset: str, audio: bool = True) -> argparse.ArgumentParser:
    """The command line shared by the preparation tools.

    Args:
        dataset (str): The dataset's name, for the help text.
        audio (bool): Whether the dataset has audio to extract.
            Defaults to True.

    Returns:
        argparse.ArgumentParser: The parser.
    """
    parser = argparse.ArgumentParser(
        description=f'Prepare the official {dataset} release for umbe: '
        'annotation files (JSON lists), extracted audio and a count report.')
    parser.add_argument('release_root', help='the unpacked official release')
    parser.add_argument(
        'out_dir', help='output folder (the configs\' data_root)')
    if audio:
        parser.add_argument(
            '--sample-rate',
            type=int,
            default=22050,
            help='rate of the extracted mono wavs in Hz')
        parser.add_argument(
            '--no-audio',
            action='store_true',
            help='skip audio extraction (records then carry no audio)')
    parser.add_argument(
        '--config',
        help='config defining the class list `classes` (default: '
        f'configs/_base_/datasets/{dataset.lower()}.py)')
    parser.add_argument(
        '--val-ratio',
        type=float,
        default=0.1,
        help='fraction of each class of the official train split moved to '
        'the validation split')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the validation split')
    parser.add_argument(
        '--workers', type=int, default=1, help='processes for the media')
    return parser


def has_images(folder: str) -> bool:
    """Whether a folder holds at least one image file."""
    try:
        return any(e.name.lower().endswith(IMAGE_EXTENSIONS)
                   for e in os.scandir(folder) if e.is_file())
    except OSError:
        return False


def check_frame_dirs(clips: Dict[str, str], report: PrepReport,
                     what: str) -> Dict[str, str]:
    """Keep the frame folders that hold images; report the others.

    Args:
        clips (dict): clip id -> frame folder.
        report (PrepReport): Receives the empty folders as ``no_frames``.
        what (str): The frame set's name, for the messages.

    Returns:
        dict: The clips whose folder holds images.
    """
    kept = {}
    results = _map(has_images, list(clips.values()), 1, f'checking {what}')
    for (clip_id, folder), ok in zip(clips.items(), results):
        if ok:
            kept[clip_id] = folder
        else:
            report.fail('no_frames', clip_id,
                        f'{folder}: no image files in this {what} folder')
    return kept


def _map(func, tasks: list, workers: int, title: str) -> list:
    """Run ``func`` over ``tasks`` with mmengine's progress bar."""
    if not tasks:
        return []
    print(f'{title} ({len(tasks)})', flush=True)
    if workers > 1:
        return track_parallel_progress(func, tasks, workers)
    return track_progress(func, tasks)


def extract_all_audio(videos: Dict[str, str], out_dir: str, sample_rate: int,
                      workers: int, report: PrepReport) -> Dict[str, str]:
    """Extract the audio of clips to ``OUT_DIR/audio/<clip_id>.wav``.

    Valid wavs from an earlier run are kept. Clips without an audio track or
    that cannot be decoded are reported (``no_audio``, ``corrupt``).

    Args:
        videos (dict): clip id -> source clip.
        out_dir (str): The output folder.
        sample_rate (int): The wav rate in Hz.
        workers (int): Processes.
        report (PrepReport): Receives counts and failures.

    Returns:
        dict: clip id -> outcome (see :mod:`.audio`).
    """
    ids = sorted(videos)
    tasks = [(videos[i], osp.join(out_dir, 'audio', f'{i}.wav'), sample_rate)
             for i in ids]
    results = _map(extract_audio_task, tasks, workers, 'extracting audio')
    outcomes = {}
    for clip_id, (outcome, message) in zip(ids, results):
        outcomes[clip_id] = outcome
        if outcome in (AUDIO_NONE, AUDIO_CORRUPT):
            report.fail(outcome, clip_id, message)
    counts = OrderedDict()
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    report.note('audio: ' + ', '.join(f'{k} {v}' for k, v in counts.items()))
    return outcomes


def make_record(clip_id: str,
                label: int,
                out_dir: str,
                filename: Optional[str] = None,
                frame_dir: Optional[str] = None,
                scene_dir: Optional[str] = None,
                audio: Optional[str] = None,
                caption: Optional[str] = None) -> dict:
    """One annotation record per docs/architecture.md; None fields omitted.

    Paths under ``out_dir`` become relative to it, others stay absolute.
    """
    record = dict(clip_id=clip_id, label=label)
    for key, path in (('filename', filename), ('frame_dir', frame_dir),
                      ('scene_dir', scene_dir), ('audio', audio)):
        if path is not None:
            record[key] = rel_or_abs(path, out_dir)
    if caption:
        record['caption'] = caption
    return record


def write_splits(out_dir: str, splits: Dict[str, List[dict]],
                 report: PrepReport) -> List[str]:
    """Write ``OUT_DIR/annotations/<split>.json`` for every split.

    Files whose content is unchanged are not rewritten.

    Args:
        out_dir (str): The output folder.
        splits (dict): split name -> records.
        report (PrepReport): Receives the per-class counts.

    Returns:
        list[str]: The files that were (re)written.
    """
    written = []
    for name, records in splits.items():
        path = osp.join(out_dir, 'annotations', f'{name}.json')
        if atomic_write_json(records, path):
            written.append(path)
        report.add_split(name, records)
    report.note(f'{len(written)} of {len(splits)} annotation files written '
                f'under {osp.join(out_dir, "annotations")} '
                '(the others were already up to date)')
    return written



def load_classes(dataset: str, config: Optional[str] = None) -> List[str]:
    """The class list of a dataset, read from its dataset base config.

    The list is written once, in ``configs/_base_/datasets/<dataset>.py``;
    labels, prompts and metrics all take it from there.

    Args:
        dataset (str): ``'dfew'``, ``'ferv39k'`` or ``'mafw'``.
        config (str, optional): Another config file holding ``classes``.
            Defaults to the dataset base config of this checkout.

    Returns:
        list[str]: The class names in label order.
    """
    if config is None:
        repo = osp.dirname(
            osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
        config = osp.join(repo, 'configs', '_base_', 'datasets',
                          f'{dataset}.py')
    if not osp.isfile(config):
        raise FileNotFoundError(
            f'{config}: dataset config with the class list not found; pass '
            '--config with a config that defines `classes`.')
    # read the literal without running the config's bases (the pipelines)
    with open(config, encoding='utf-8') as f:
        tree = ast.parse(f.read(), filename=config)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == 'classes'
                for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise KeyError(f'{config} defines no literal `classes` list')


def fold_splits(folds: Dict[int, tuple], val_ratio: float,
                seed: int) -> Dict[str, List[dict]]:
    """The ``fold{k}_{train,val,test}`` splits of a k-fold protocol.

    Args:
        folds (dict): fold number -> (official train records, official test
            records).
        val_ratio (float): Fraction of each class of the train records
            moved to val.
        seed (int): Seed of the val split.

    Returns:
        dict: split name -> records.
    """
    splits = OrderedDict()
    for k in sorted(folds):
        train, test = folds[k]
        train, val = stratified_split(train, val_ratio, seed)
        splits[f'fold{k}_train'] = train
        splits[f'fold{k}_val'] = val
        splits[f'fold{k}_test'] = test
    return splits


def check_folds(folds: Dict[int, tuple], report: PrepReport) -> None:
    """Warn when the official folds are not a partition of the clips.

    Each fold's train and test must be disjoint and every clip must be in
    exactly one test fold.

    Args:
        folds (dict): fold number -> (train ids, test ids).
        report (PrepReport): Receives the warnings.
    """
    seen = {}
    for k in sorted(folds):
        train, test = (set(ids) for ids in folds[k])
        both = train & test
        if both:
            report.warn(f'fold {k}: {len(both)} clips in both train and '
                        f'test, e.g. {sorted(both)[:5]}')
        for clip_id in test:
            if clip_id in seen:
                report.warn(f'clip {clip_id} is in the test split of folds '
                            f'{seen[clip_id]} and {k}')
            seen[clip_id] = k
