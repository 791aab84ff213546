"""Preparing the official DFEW release (``tools/data/dfew/prepare.py``).

Reads the five official folds (``EmoLabel_DataSplit/*train*/set_k.csv`` and
``*test*/set_k.csv``), the face frames (``Clip/clip_224x224/<5-digit id>/``,
or ``clip_224x224_16f``) and the source clips (``Clip/original/**/<id>.mp4``,
padded or not), extracts each clip's audio once to
``OUT_DIR/audio/<5-digit id>.wav`` and writes
``OUT_DIR/annotations/fold{1..5}_{train,val,test}.json``. See
docs/datasets.md for the layout and the variants detected.
"""
import csv
import os
import os.path as osp
import re
from typing import Optional

from .common import (SAMPLE_RATE, VAL_RATIO, by_clip_id, check_frame_dirs,
                     extract_all_audio, start_report)
from .folds import clip_records, fold_counts, fold_labels, write_fold_splits
from .release import (ReleaseError, find_dir, find_dirs, index_clip_dirs,
                      index_files, normalize_name, official_label_name,
                      pad_id, parse_int_id, read_text_lines)
from .report import PrepReport

#: The release's label ids 1..7, by name (DFEW README v1.0).
OFFICIAL_LABELS = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust',
                   'fear')
#: Lines of the official split files per fold: (train, test).
OFFICIAL_FOLD_SIZES = {
    1: (9356, 2341),
    2: (9356, 2341),
    3: (9357, 2340),
    4: (9358, 2339),
    5: (9361, 2336)
}
#: Clips per class over the five test folds.
OFFICIAL_CLASS_TOTALS = dict(
    happy=2445,
    sad=1894,
    neutral=2669,
    angry=2173,
    surprise=1469,
    disgust=145,
    fear=902)
NUM_FOLDS = 5
#: The face frame sets of the release, by --frame-set.
FRAME_SETS = {'all': 'clip_224x224', '16f': 'clip_224x224_16f'}


def find_split_files(root: str) -> dict:
    """Locate ``set_{1..5}.csv`` of the official train and test folders.

    Returns:
        dict: ``(k, 'train'|'test')`` -> path.

    Raises:
        ReleaseError: Naming the folders searched and the missing files.
    """
    split_root = find_dir(root, lambda n: n == 'emolabeldatasplit',
                          'DFEW split files', 'EmoLabel_DataSplit')
    children = sorted(
        d for d in (osp.join(split_root, n)
                    for n in os.listdir(split_root))
        if osp.isdir(d))
    files, missing = {}, []
    for part in ('train', 'test'):
        dirs = [d for d in children if part in normalize_name(osp.basename(d))]
        single = [d for d in dirs if 'single' in normalize_name(d)]
        dirs = single or dirs
        if len(dirs) != 1:
            raise ReleaseError(
                f'DFEW split files: expected one folder like '
                f'"{part}(single-labeled)" in {split_root}, found '
                f'{[osp.basename(d) for d in dirs] or "none"} among '
                f'{[osp.basename(d) for d in children]}.')
        names = {normalize_name(n): n for n in os.listdir(dirs[0])}
        for k in range(1, NUM_FOLDS + 1):
            name = names.get(f'set{k}.csv')
            if name is None:
                missing.append(osp.join(dirs[0], f'set_{k}.csv'))
            else:
                files[(k, part)] = osp.join(dirs[0], name)
    if missing:
        raise ReleaseError('DFEW split files missing: ' + ', '.join(missing) +
                           '. Unpack EmoLabel_DataSplit of the release again.')
    return files


def read_split(path: str, classes: list, report: PrepReport) -> list:
    """Read one ``set_k.csv`` into ``(clip id, 0-based label)`` pairs.

    The header (``video_name,label``) is optional and columns are found by
    name when present; ids may be zero-padded or not; labels 1..7 are the
    official ids. Bad lines are reported and skipped.
    """
    rows = list(csv.reader(read_text_lines(path)))
    id_col, label_col, start = 0, 1, 0
    if rows and parse_int_id(rows[0][0]) is None:
        header = [normalize_name(c) for c in rows[0]]
        id_col = next((i for i, c in enumerate(header) if 'name' in c
                       or c in ('video', 'clip', 'id')), 0)
        label_col = next((i for i, c in enumerate(header) if 'label' in c), 1)
        start = 1
    pairs = []
    for line_no, row in enumerate(rows[start:], start + 1):
        where = f'{path}:{line_no}'
        clip = parse_int_id(row[id_col]) if len(row) > id_col else None
        raw = row[label_col].strip() if len(row) > label_col else ''
        if clip is None:
            report.fail('bad_line', where, f'{where}: no clip id in {row}')
            continue
        name = official_label_name(raw, OFFICIAL_LABELS)
        if name is None:
            report.fail(
                'bad_label', pad_id(clip),
                f'{where}: label "{raw}" is not one of the official ids '
                f'1..7 ({", ".join(OFFICIAL_LABELS)}); line skipped')
            continue
        pairs.append((clip, classes.index(name)))
    return pairs


def prepare_dfew(release_root: str,
                 out_dir: str,
                 frame_set: str = 'all',
                 sample_rate: int = SAMPLE_RATE,
                 no_audio: bool = False,
                 config: Optional[str] = None,
                 val_ratio: float = VAL_RATIO,
                 seed: int = 0,
                 workers: int = 1) -> PrepReport:
    """Prepare a DFEW release; see the module docstring.

    Args:
        release_root (str): The unpacked official release.
        out_dir (str): The output folder (the configs' ``data_root``).
        frame_set (str): Face frames: ``'all'`` (``clip_224x224``) or
            ``'16f'`` (``clip_224x224_16f``). Defaults to 'all'.
        sample_rate (int): Rate of the extracted wavs in Hz. Defaults to
            ``SAMPLE_RATE``.
        no_audio (bool): Skip audio extraction (records carry no audio).
            Defaults to False.
        config (str, optional): Another config holding ``classes``.
            Defaults to None (configs/_base_/datasets/dfew.py).
        val_ratio (float): Fraction of each class of a fold's official
            train list moved to its val split. Defaults to ``VAL_RATIO``.
        seed (int): Seed of the val split. Defaults to 0.
        workers (int): Processes for the audio extraction. Defaults to 1.

    Returns:
        PrepReport: Counts, failures and warnings (also written to
        ``OUT_DIR/prepare_report.{txt,json}``).

    Raises:
        ReleaseError: The release lacks the split files.
    """
    if frame_set not in FRAME_SETS:
        raise ValueError(f'frame_set must be one of {sorted(FRAME_SETS)}, '
                         f'got {frame_set!r}')
    root = release_root
    classes, report = start_report('DFEW', OFFICIAL_LABELS, root, config)

    files = find_split_files(root)
    folds = {}
    for k in range(1, NUM_FOLDS + 1):
        folds[k] = tuple(
            read_split(files[(k, part)], classes, report)
            for part in ('train', 'test'))
    labels = fold_labels(folds, report)
    complete = report.compare(
        'official split file lines',
        fold_counts({k: tuple(map(len, v)) for k, v in folds.items()}),
        fold_counts(OFFICIAL_FOLD_SIZES))

    # the frame sets and the source clips ship in parts (clip_224x224_part_k
    # .zip, data_part_*.zip): every matching folder is indexed
    frame_name = normalize_name(FRAME_SETS[frame_set])
    frame_roots = find_dirs(
        root, lambda n: n == frame_name or re.fullmatch(
            frame_name + r'part\d+', n) is not None)
    index = {}
    for folder in frame_roots:
        found = index_clip_dirs(folder, 1,
                                lambda names: parse_int_id(names[-1]))
        index.update({c: d for c, d in found.items() if c not in index})
    report.note(f'face frames ({FRAME_SETS[frame_set]}): {len(index)} '
                f'clip folders in {frame_roots}')
    if not frame_roots:
        report.warn(f'no Clip/{FRAME_SETS[frame_set]} folder under '
                    f'{root}: records get no frame_dir')
    frame_dirs = check_frame_dirs(
        by_clip_id(index, labels), report, 'face frame')
    for clip in sorted(set(labels) - set(index)):
        report.fail('no_frames', pad_id(clip),
                    f'no frame folder {pad_id(clip)}/ in {frame_roots}')

    originals = find_dirs(root, lambda n: n == 'original')
    duplicates, index = [], {}
    for folder in originals:
        found = index_files(folder, ('.mp4', ), lambda p, r: parse_int_id(p),
                            duplicates)
        duplicates += [p for c, p in found.items() if c in index]
        index.update({c: p for c, p in found.items() if c not in index})
    for path in duplicates:
        report.warn(f'{path}: a second source clip with the same id, ignored')
    if not originals:
        report.warn(f'no Clip/original folder under {root}: records get no '
                    'filename and no audio')
    videos = by_clip_id(index, labels)
    for clip in sorted(set(labels) - set(index)):
        report.fail('no_clip', pad_id(clip),
                    f'no source clip {clip}.mp4 (padded or not) in '
                    f'{originals}')

    outcomes = {}
    if not no_audio and videos:
        outcomes = extract_all_audio(videos, out_dir, sample_rate,
                                     workers, report)
    records = clip_records(labels, out_dir, report, videos, outcomes,
                           frame_dirs,
                           missing='no readable source clip and no face '
                           'frames')
    write_fold_splits(out_dir, folds, records, report, complete,
                      OFFICIAL_FOLD_SIZES, OFFICIAL_CLASS_TOTALS, val_ratio,
                      seed)
    report.write(out_dir)
    return report
