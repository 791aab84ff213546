"""Preparing the official MAFW release, single-label set
(``tools/data/mafw/prepare.py``).

Reads the official five folds of the single-label set
(``Train & Test Set/single/no_caption/set_k/{train,test}.txt``), the clips
(``data/clips/<5-digit>.mp4``), the frames (``data/frames/<5-digit>/``; face
crops or full frames, detected) and the English captions
(``Labels/descriptive_text.xlsx``, else ``single/with_caption`` lists),
extracts each clip's audio once to ``OUT_DIR/audio/<5-digit id>.wav`` and
writes ``OUT_DIR/annotations/fold{1..5}_{train,val,test}.json``. See
docs/datasets.md for the layout and the variants detected.
"""
import os
import os.path as osp
from typing import Dict, Optional

import cv2

from umbe.datasets.utils import list_images
from .common import (SAMPLE_RATE, VAL_RATIO, by_clip_id, check_frame_dirs,
                     extract_all_audio, start_report)
from .folds import clip_records, fold_counts, fold_labels, write_fold_splits
from .release import (ReleaseError, find_dir, find_dirs, index_clip_dirs,
                      index_files, normalize_name, official_label_name,
                      pad_id, parse_int_id, read_text_lines)
from .report import PrepReport
from .xlsx import read_xlsx_rows

#: Label names of the split files; their position + 1 is the id used in
#: Labels/single-set.xlsx (MAFW paper, Table 3).
OFFICIAL_LABELS = ('anger', 'disgust', 'fear', 'happiness', 'neutral',
                   'sadness', 'surprise', 'contempt', 'anxiety',
                   'helplessness', 'disappointment')
#: Lines of single/no_caption/set_k/{train,test}.txt: (train, test).
OFFICIAL_FOLD_SIZES = {
    1: (7333, 1839),
    2: (7335, 1837),
    3: (7339, 1833),
    4: (7340, 1832),
    5: (7341, 1831)
}
OFFICIAL_CLASS_TOTALS = dict(
    anger=1390,
    disgust=639,
    fear=625,
    happiness=1242,
    neutral=1138,
    sadness=1470,
    surprise=1072,
    contempt=236,
    anxiety=916,
    helplessness=262,
    disappointment=182)
#: Clips of the single set whose mp4 has no extractable audio (DATASETS.md).
KNOWN_WITHOUT_AUDIO = (903, 3414, 3440, 3721, 3724, 3726, 3727, 3728, 3730,
                       3732, 3810, 3855, 3927, 3928, 3931, 9529)
#: Clips of the single set with an English caption (all but neutral).
OFFICIAL_CAPTIONS = 8034
NUM_FOLDS = 5


def clip_number(cell: str) -> Optional[int]:
    """Clip id of a split line or sheet cell (``00025.mp4``, ``25.0``)."""
    cell = str(cell).strip()
    clip = parse_int_id(cell)
    if clip is None:
        try:
            value = float(cell)
        except ValueError:
            return None
        clip = int(value) if value.is_integer() else None
    return clip


def find_fold_dirs(root: str, kind: str, required: bool = True) -> dict:
    """The ``set_k`` folders of ``single/<kind>`` (``no_caption`` or
    ``with_caption``), any spelling.

    Returns:
        dict: k -> folder (empty when not required and not found).
    """
    target = normalize_name(kind)
    found = [
        d for d in find_dirs(root, lambda n: n == target, max_depth=5)
        if normalize_name(osp.basename(osp.dirname(d))) == 'single'
    ]
    if len(found) != 1:
        if not required and not found:
            return {}
        raise ReleaseError(
            f'MAFW single-label folds: expected one folder like "Train & '
            f'Test Set/single/{kind}" under {root}, found {found or "none"}. '
            'Pass the root of the unpacked release.')
    names = {normalize_name(n): n for n in os.listdir(found[0])}
    dirs, missing = {}, []
    for k in range(1, NUM_FOLDS + 1):
        name = names.get(f'set{k}')
        if name is None:
            missing.append(osp.join(found[0], f'set_{k}'))
        else:
            dirs[k] = osp.join(found[0], name)
    if missing and required:
        raise ReleaseError(f'MAFW folds missing: {", ".join(missing)}')
    return dirs


def split_file(folder: str, part: str) -> str:
    """``folder/<part>.txt`` in any case; a clear error when absent."""
    for name in sorted(os.listdir(folder)):
        if normalize_name(name) == f'{part}.txt':
            return osp.join(folder, name)
    raise ReleaseError(f'MAFW split file missing: {osp.join(folder, part)}'
                       '.txt. Unpack "Train & Test Set" of the release again.')


def read_split(path: str, classes: list, report: PrepReport) -> list:
    """Read ``<clip>.mp4 <label name>`` lines into (clip id, label) pairs."""
    pairs = []
    for line_no, line in enumerate(read_text_lines(path), 1):
        where = f'{path}:{line_no}'
        fields = line.split()
        clip = clip_number(fields[0]) if fields else None
        if clip is None or len(fields) < 2:
            report.fail('bad_line', where, f'{where}: expected "<clip>.mp4 '
                        f'<label>", got "{line.strip()}"')
            continue
        name = official_label_name(fields[1], OFFICIAL_LABELS)
        if name is None:
            report.fail(
                'bad_label', pad_id(clip),
                f'{where}: label "{fields[1]}" is not a MAFW single-label '
                f'class ({", ".join(OFFICIAL_LABELS)}); line skipped')
            continue
        pairs.append((clip, classes.index(name)))
    return pairs


def read_caption_sheet(path: str, report: PrepReport) -> Dict[int, str]:
    """English captions of ``descriptive_text.xlsx``, header or not.

    The first row is a header when its first cell is not a clip id; the
    English column is then the one named like ``e_cap`` or ``English``,
    otherwise the third column (clip, Chinese, English).
    """
    rows = read_xlsx_rows(path)
    column, start = 2, 0
    if rows and clip_number(rows[0][0]) is None:
        header = [normalize_name(c) for c in rows[0]]
        column = next((i for i, c in enumerate(header)
                       if c in ('ecap', 'english', 'en', 'englishtext')),
                      len(header) - 1)
        start = 1
        report.note(f'{path}: header row {rows[0]}; English in column '
                    f'{column + 1}')
    else:
        report.note(f'{path}: no header row; English in column 3')
    captions = {}
    for row in rows[start:]:
        clip = clip_number(row[0]) if row else None
        if clip is not None and len(row) > column and row[column].strip():
            captions[clip] = row[column].strip()
    return captions


def read_caption_lists(fold_dirs: dict) -> Dict[int, str]:
    """English captions of the ``single/with_caption`` lists (tab-separated
    ``clip, label, Chinese, English``; UTF-8 or GB18030)."""
    captions = {}
    for folder in fold_dirs.values():
        for name in sorted(os.listdir(folder)):
            if not name.lower().endswith('.txt'):
                continue
            for line in read_text_lines(osp.join(folder, name)):
                fields = line.split('\t')
                clip = clip_number(fields[0])
                if clip is not None and len(fields) >= 4:
                    captions.setdefault(clip, fields[-1].strip())
    return captions


def frames_are_faces(folders: Dict[str, str]) -> Optional[bool]:
    """Guess whether ``data/frames`` holds face crops (small, square images)
    or full frames, from the first image of the first folder."""
    for folder in folders.values():
        images = list_images(folder)
        if images:
            image = cv2.imread(images[0])
            if image is not None:
                h, w = image.shape[:2]
                return h == w and h <= 256
    return None


def prepare_mafw(release_root: str,
                 out_dir: str,
                 face_dir: Optional[str] = None,
                 sample_rate: int = SAMPLE_RATE,
                 no_audio: bool = False,
                 config: Optional[str] = None,
                 val_ratio: float = VAL_RATIO,
                 seed: int = 0,
                 workers: int = 1) -> PrepReport:
    """Prepare a MAFW release; see the module docstring.

    Args:
        release_root (str): The unpacked official release.
        out_dir (str): The output folder (the configs' ``data_root``).
        face_dir (str, optional): Face crops ``<5-digit id>/`` made by the
            user, used as ``frame_dir`` instead of ``data/frames``.
            Defaults to None.
        sample_rate (int): Rate of the extracted wavs in Hz. Defaults to
            ``SAMPLE_RATE``.
        no_audio (bool): Skip audio extraction (records carry no audio).
            Defaults to False.
        config (str, optional): Another config holding ``classes``.
            Defaults to None (configs/_base_/datasets/mafw.py).
        val_ratio (float): Fraction of each class of a fold's official
            train list moved to its val split. Defaults to ``VAL_RATIO``.
        seed (int): Seed of the val split. Defaults to 0.
        workers (int): Processes for the audio extraction. Defaults to 1.

    Returns:
        PrepReport: Counts, failures and warnings (also written to
        ``OUT_DIR/prepare_report.{txt,json}``).

    Raises:
        ReleaseError: The release lacks the single-label split files.
    """
    root = release_root
    classes, report = start_report('MAFW', OFFICIAL_LABELS, root, config)

    fold_dirs = find_fold_dirs(root, 'no_caption')
    folds = {
        k: tuple(
            read_split(split_file(fold_dirs[k], part), classes, report)
            for part in ('train', 'test'))
        for k in fold_dirs
    }
    labels = fold_labels(folds, report)
    complete = report.compare(
        'official split file lines',
        fold_counts({k: tuple(map(len, v)) for k, v in folds.items()}),
        fold_counts(OFFICIAL_FOLD_SIZES))

    # frames: data/frames (faces or full frames, detected) or --face-dir
    face_dirs, scene_dirs = {}, {}
    frames_root = find_dir(root, lambda n: n == 'frames', 'MAFW frames',
                           'data/frames', required=False)
    if frames_root is not None:
        index = index_clip_dirs(frames_root, 1,
                                lambda names: parse_int_id(names[-1]))
        found = check_frame_dirs(by_clip_id(index, labels), report, 'frame')
        for clip in sorted(set(labels) - set(index)):
            report.fail('no_frames', pad_id(clip),
                        f'{frames_root}: no frame folder {pad_id(clip)}/')
        faces = frames_are_faces(found)
        report.note(f'{frames_root}: {len(found)} frame folders; '
                    f'{"face crops" if faces else "full frames"} (detected '
                    'from the image size)')
        if faces:
            face_dirs = found
        else:
            scene_dirs = found
    else:
        report.warn(f'no data/frames folder under {root}')
    if face_dir:
        index = index_clip_dirs(face_dir, 1,
                                lambda names: parse_int_id(names[-1]))
        face_dirs = check_frame_dirs(
            by_clip_id(index, labels), report, 'face crop')
    if not face_dirs:
        report.warn('no face crops: records carry no frame_dir (make crops '
                    'and pass --face-dir, see docs/datasets.md)')

    clips_root = find_dir(root, lambda n: n == 'clips', 'MAFW clips',
                          'data/clips', required=False)
    videos = {}
    if clips_root is None:
        report.warn(f'no data/clips folder under {root}: records get no '
                    'filename and no audio')
    else:
        index = index_files(clips_root, ('.mp4', ),
                            lambda p, r: parse_int_id(p))
        videos = by_clip_id(index, labels)
        for clip in sorted(set(labels) - set(index)):
            report.fail('no_clip', pad_id(clip),
                        f'{clips_root}: no clip {pad_id(clip)}.mp4')

    # captions: descriptive_text.xlsx first, the with_caption lists second
    captions = {}
    sheets = [
        osp.join(d, n)
        for d in find_dirs(root, lambda n: n == 'labels', max_depth=3)
        for n in os.listdir(d) if normalize_name(n) == 'descriptivetext.xlsx'
    ]
    if sheets:
        captions = read_caption_sheet(sheets[0], report)
    listed = read_caption_lists(
        find_fold_dirs(root, 'with_caption', required=False))
    for clip, text in listed.items():
        captions.setdefault(clip, text)
    with_caption = sum(1 for c in labels if c in captions)
    report.note(f'captions: {with_caption} of {len(labels)} clips (sources: '
                f'{sheets[:1] or "no descriptive_text.xlsx"}, '
                f'{len(listed)} from with_caption lists)')

    outcomes = {}
    if not no_audio and videos:
        outcomes = extract_all_audio(videos, out_dir, sample_rate,
                                     workers, report)
    records = clip_records(labels, out_dir, report, videos, outcomes,
                           face_dirs, scene_dirs, captions)
    write_fold_splits(out_dir, folds, records, report, complete,
                      OFFICIAL_FOLD_SIZES, OFFICIAL_CLASS_TOTALS, val_ratio,
                      seed)
    silent = sorted(
        int(c) for c, o in outcomes.items() if o in ('no_audio', 'corrupt'))
    if complete:
        if not no_audio and silent != list(KNOWN_WITHOUT_AUDIO):
            report.warn(f'clips without audio {silent} differ from the 16 '
                        f'known ones {list(KNOWN_WITHOUT_AUDIO)}')
        if with_caption != OFFICIAL_CAPTIONS:
            report.warn(f'{with_caption} clips have a caption; the release '
                        f'has {OFFICIAL_CAPTIONS} (all but neutral)')
    report.write(out_dir)
    return report
