"""Preparing the official FERV39k release (``tools/data/ferv39k/prepare.py``).

Reads the standard split (``4_setups/All_scenes/{train,test}_All.csv``:
space-separated ``Scene/Emotion/NNNN ClassName``, no header), the face
frames (``2_ClipsforFaceCrop/<Scene>/<Emotion>/<NNNN>/``, archives often
unpack it one level deeper), the scene frames (``3_ClipsforScenImages``,
when present) and the clips (``0_7_LabelClips/.../<NNNN>.mp4``), and writes
``OUT_DIR/annotations/{train,val,test}.json``; val is carved from
train_All. FERV39k has no audio. See docs/datasets.md.
"""
import os
import os.path as osp
from collections import OrderedDict
from typing import Optional

from .common import (VAL_RATIO, check_frame_dirs, make_record, start_report,
                     write_splits)
from .release import (ReleaseError, find_dir, index_clip_dirs, index_files,
                      normalize_name, read_text_lines)
from .report import PrepReport
from .splits import stratified_split

#: Class names of the split files (no numeric ids in the release).
OFFICIAL_LABELS = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust',
                   'fear')
#: Clips per class in train_All / test_All (DATASETS.md).
OFFICIAL_COUNTS = {
    'train': dict(
        happy=5854,
        sad=5523,
        neutral=7790,
        angry=5906,
        surprise=2502,
        disgust=1833,
        fear=1680),
    'test': dict(
        happy=1473,
        sad=1393,
        neutral=1958,
        angry=1487,
        surprise=638,
        disgust=467,
        fear=431)
}
NUM_SCENES = 22


def clip_key(parts) -> Optional[tuple]:
    """Key ``(scene, emotion, number)`` of ``Scene/Emotion/NNNN``, any case
    and padding; None when the last part is not a number."""
    parts = list(parts)[-3:]
    if len(parts) != 3:
        return None
    stem = osp.splitext(parts[2])[0]
    if not stem.isdigit():
        return None
    return parts[0].lower(), parts[1].lower(), int(stem)


def find_split_file(setups: str, part: str) -> str:
    """``All_scenes/<part>_All.csv`` under ``4_setups``, any spelling."""
    folder = find_dir(setups, lambda n: n == 'allscenes',
                      'FERV39k standard split', '4_setups/All_scenes')
    for name in sorted(os.listdir(folder)):
        if normalize_name(name).startswith(part) and name.endswith('.csv'):
            return osp.join(folder, name)
    raise ReleaseError(f'FERV39k split file missing: {folder}/{part}_All.csv'
                       f' (found {sorted(os.listdir(folder))}).')


def read_split(path: str, classes: list, report: PrepReport) -> list:
    """Read ``Scene/Emotion/NNNN ClassName`` lines into (path, label) pairs.

    A header line is detected and skipped (the release has none; reading
    it with a header would drop the first clip).
    """
    pairs = []
    for line_no, line in enumerate(read_text_lines(path), 1):
        where = f'{path}:{line_no}'
        fields = line.split()
        key = clip_key(fields[0].split('/')) if fields else None
        if key is None or len(fields) < 2:
            if line_no == 1:
                report.note(f'{where}: header line "{line.strip()}" skipped')
            else:
                report.fail('bad_line', where, f'{where}: expected '
                            f'"Scene/Emotion/NNNN Class", got "{line}"')
            continue
        name = fields[1].lower()
        if name not in OFFICIAL_LABELS:
            report.fail('bad_label', fields[0],
                        f'{where}: label "{fields[1]}" is not a FERV39k '
                        f'class ({", ".join(OFFICIAL_LABELS)}); line skipped')
            continue
        pairs.append((fields[0], classes.index(name)))
    return pairs


def prepare_ferv39k(release_root: str,
                    out_dir: str,
                    config: Optional[str] = None,
                    val_ratio: float = VAL_RATIO,
                    seed: int = 0) -> PrepReport:
    """Prepare a FERV39k release; see the module docstring.

    Args:
        release_root (str): The unpacked official release.
        out_dir (str): The output folder (the configs' ``data_root``).
        config (str, optional): Another config holding ``classes``.
            Defaults to None (configs/_base_/datasets/ferv39k.py).
        val_ratio (float): Fraction of each class of train_All moved to
            val. Defaults to ``VAL_RATIO``.
        seed (int): Seed of the val split. Defaults to 0.

    Returns:
        PrepReport: Counts, failures and warnings (also written to
        ``OUT_DIR/prepare_report.{txt,json}``).

    Raises:
        ReleaseError: The release lacks the split files or face frames.
    """
    root = release_root
    classes, report = start_report('FERV39k', OFFICIAL_LABELS, root,
                                   config)
    setups = find_dir(root, lambda n: n == '4setups', 'FERV39k split files',
                      '4_setups')
    official = OrderedDict(
        (part, read_split(find_split_file(setups, part), classes, report))
        for part in ('train', 'test'))
    keys = {}
    for part, pairs in official.items():
        for rel, label in pairs:
            key = clip_key(rel.split('/'))
            if key in keys:
                report.warn(f'clip {rel} listed twice ({keys[key][0]} and '
                            f'{part})')
            keys[key] = (part, rel, label)
    complete = all([
        report.compare(
            f'official {part}_All.csv lines per class',
            {classes[i]: sum(1 for _, lab in official[part] if lab == i)
             for i in range(len(classes))}, OFFICIAL_COUNTS[part])
        for part in ('train', 'test')
    ])

    face_root = find_dir(root, lambda n: n == '2clipsforfacecrop',
                         'FERV39k face frames', '2_ClipsforFaceCrop')
    index = index_clip_dirs(face_root, 3, clip_key)
    scenes = sorted({k[0] for k in index})
    report.note(f'{face_root}: {len(index)} clip folders in {len(scenes)} '
                'scene folders')
    faces = check_frame_dirs(
        {k: index[k] for k in sorted(keys) if k in index}, report,
        'face frame')
    for key in sorted(set(keys) - set(index)):
        report.fail('no_frames', keys[key][1],
                    f'{face_root}: no frame folder {keys[key][1]}/')
    scene_root = find_dir(root, lambda n: n.startswith('3clipsforscen'),
                          'FERV39k scene frames', '3_ClipsforScenImages',
                          required=False)
    scene_dirs = {}
    if scene_root is None:
        report.note('no 3_ClipsforScenImages: scenes come from the clips')
    else:
        index = index_clip_dirs(scene_root, 3, clip_key)
        scene_dirs = {k: index[k] for k in keys if k in index}
    clip_root = find_dir(root, lambda n: n == '07labelclips',
                         'FERV39k clips', '0_7_LabelClips', required=False)
    videos = {}
    if clip_root is not None:
        videos = index_files(
            clip_root, ('.mp4', ),
            lambda p, r: clip_key(r.replace(os.sep, '/').split('/')))

    splits = OrderedDict((part, []) for part in official)
    for key in sorted(keys, key=lambda k: keys[k][1]):
        part, rel, label = keys[key]
        if key not in faces and key not in scene_dirs and key not in videos:
            report.fail('skipped', rel, f'clip {rel}: no frames and no clip; '
                        'left out')
            continue
        splits[part].append(
            make_record(
                rel,
                label,
                out_dir,
                filename=videos.get(key),
                frame_dir=faces.get(key),
                scene_dir=scene_dirs.get(key)))
    train, val = stratified_split(splits['train'], val_ratio, seed)
    splits = OrderedDict(train=train, val=val, test=splits['test'])
    write_splits(out_dir, splits, report)
    if complete:
        if len(scenes) != NUM_SCENES:
            report.warn(f'{len(scenes)} scene folders in {face_root}; the '
                        f'release has {NUM_SCENES}')
        for part, names in (('train', ('train', 'val')),
                            ('test', ('test', ))):
            report.compare(
                f'prepared {part} clips per class', {
                    c: sum(report.counts[s][i] for s in names)
                    for i, c in enumerate(classes)
                }, OFFICIAL_COUNTS[part])
    report.write(out_dir)
    return report
