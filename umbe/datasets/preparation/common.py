"""The steps shared by the DFEW, FERV39k and MAFW preparation tools."""
import argparse
import ast
import inspect
import os
import os.path as osp
import sys
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmengine.utils import track_parallel_progress, track_progress

from umbe.datasets.transforms import LoadAudio
from umbe.datasets.utils import IMAGE_EXTENSIONS
from .audio import (AUDIO_CORRUPT, AUDIO_EXISTS, AUDIO_NONE, AUDIO_OK,
                    extract_audio_task)
from .io import atomic_write_json, rel_or_abs
from .release import ReleaseError, pad_id
from .report import PrepReport

#: Rate of the extracted mono wavs in Hz: the audio loader's own default
#: (SPEC's audio encoder rate), so that the wavs need no resampling.
SAMPLE_RATE = LoadAudio().sample_rate
#: Fraction of each class of an official train split moved to validation.
VAL_RATIO = 0.1


#: The options the tools share: keyword argument -> (flag, argparse
#: keywords, help). ``build_parser`` adds those the function takes.
_SHARED_OPTIONS = OrderedDict(
    sample_rate=('--sample-rate', dict(type=int),
                 'rate of the extracted mono wavs in Hz'),
    no_audio=('--no-audio', dict(action='store_true'),
              'skip audio extraction (records then carry no audio)'),
    config=('--config', {}, 'config defining the class list `classes` '
            '(default: configs/_base_/datasets/{dataset}.py)'),
    val_ratio=('--val-ratio', dict(type=float),
               'fraction of each class of the official train split moved '
               'to the validation split'),
    seed=('--seed', dict(type=int), 'seed of the validation split'),
    workers=('--workers', dict(type=int),
             'processes for the audio extraction'),
)


def build_parser(dataset: str, prepare: Callable) -> argparse.ArgumentParser:
    """The command line shared by the preparation tools.

    The positionals are ``release_root`` and ``out_dir``; the options are
    those of ``_SHARED_OPTIONS`` that ``prepare`` (a ``prepare_<dataset>``
    function) takes as keyword arguments. An option left out of the command
    line is left out of the parsed namespace, so ``prepare``'s own default
    applies (the help texts show it).

    Args:
        dataset (str): The dataset's name, for the help text.
        prepare (Callable): The function :func:`run_tool` calls.

    Returns:
        argparse.ArgumentParser: The parser.
    """
    params = inspect.signature(prepare).parameters
    parser = argparse.ArgumentParser(
        description=f'Prepare the official {dataset} release for umbe: '
        'annotation files (JSON lists), extracted audio and a count report.',
        argument_default=argparse.SUPPRESS)
    parser.add_argument('release_root', help='the unpacked official release')
    parser.add_argument(
        'out_dir', help='output folder (the configs\' data_root)')
    for name, (flag, kwargs, text) in _SHARED_OPTIONS.items():
        if name not in params:
            continue
        default = params[name].default
        if not (default is None or default is False
                or default is inspect.Parameter.empty):
            text += f' (default {default})'
        parser.add_argument(
            flag, help=text.format(dataset=dataset.lower()), **kwargs)
    return parser


def run_tool(prepare: Callable,
             parser: argparse.ArgumentParser,
             argv: Optional[List[str]] = None) -> PrepReport:
    """Parse the command line and run ``prepare(**options)``.

    A :class:`ReleaseError` (a release missing what the tool needs) ends the
    program with its message instead of a traceback.

    Args:
        prepare (Callable): A ``prepare_<dataset>`` function.
        parser (argparse.ArgumentParser): Its :func:`build_parser`.
        argv (list[str], optional): The command line. Defaults to
            ``sys.argv[1:]``.

    Returns:
        PrepReport: What ``prepare`` returns.
    """
    args = parser.parse_args(argv)
    try:
        return prepare(**vars(args))
    except ReleaseError as e:
        sys.exit(f'error: {e}')


def start_report(dataset: str,
                 official_labels: Sequence[str],
                 release_root: str,
                 config: Optional[str] = None) -> Tuple[List[str], PrepReport]:
    """The class list and an empty report of a run, the release root checked.

    Args:
        dataset (str): The dataset's name (``'DFEW'``); its lower-case form
            names the dataset base config that holds the class list.
        official_labels (Sequence[str]): The release's class names; the
            config's list must hold the same names (its order is ours).
        release_root (str): The unpacked release.
        config (str, optional): Another config holding ``classes``.
            Defaults to None (the dataset base config).

    Returns:
        tuple[list[str], PrepReport]: The class names in label order and
        the report.

    Raises:
        ValueError: The class list does not hold the release's classes.
        ReleaseError: The release root is not a folder.
    """
    classes = load_classes(dataset.lower(), config)
    if sorted(classes) != sorted(official_labels):
        raise ValueError(f'the {dataset} class list {classes} does not hold '
                         f'the release\'s classes {official_labels}')
    report = PrepReport(dataset, classes)
    if not osp.isdir(release_root):
        raise ReleaseError(f'{release_root}: release root not found')
    return classes, report


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


def by_clip_id(index: dict, clips) -> Dict[str, str]:
    """``{5-digit id: index[clip]}`` for the clips (ints) found in index."""
    return {pad_id(c): index[c] for c in sorted(clips) if c in index}


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
    tasks = [(videos[i], wav_path(out_dir, i), sample_rate) for i in ids]
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


def wav_path(out_dir: str, clip_id: str) -> str:
    """Where a clip's audio is extracted: ``OUT_DIR/audio/<clip_id>.wav``."""
    return osp.join(out_dir, 'audio', f'{clip_id}.wav')


def clip_media(clip_id: str, videos: Dict[str, str], outcomes: Dict[str, str],
               out_dir: str) -> Tuple[Optional[str], Optional[str]]:
    """A clip's source video and wav for its record, after extraction.

    A clip that could not be decoded keeps no video; only an extracted (or
    kept) wav is named, so a clip without a track gets no ``audio``.

    Args:
        clip_id (str): The clip id.
        videos (dict): clip id -> source clip.
        outcomes (dict): clip id -> outcome of :func:`extract_all_audio`.
        out_dir (str): The output folder.

    Returns:
        tuple: ``(video or None, wav or None)``.
    """
    outcome = outcomes.get(clip_id)
    video = videos.get(clip_id) if outcome != AUDIO_CORRUPT else None
    audio = (
        wav_path(out_dir, clip_id) if outcome in (AUDIO_OK,
                                                  AUDIO_EXISTS) else None)
    return video, audio


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
