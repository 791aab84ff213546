"""The k-fold protocol of DFEW and MAFW: official folds in, fold splits out.

``fold{k}_test`` is the official test list of fold k; ``fold{k}_train`` and
``fold{k}_val`` split its official train list per class (docs/datasets.md).
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

from .common import VAL_RATIO, clip_media, make_record, write_splits
from .release import pad_id
from .report import PrepReport
from .splits import stratified_split


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


def fold_labels(folds: Dict[int, tuple], report: PrepReport) -> Dict[int, int]:
    """Check the official folds and gather the label of every clip.

    Args:
        folds (dict): fold number -> (train pairs, test pairs), each pair
            ``(int clip id, label)``.
        report (PrepReport): Receives the warnings of :func:`check_folds`
            and of clips labelled differently in two split files.

    Returns:
        dict: clip id -> label (the first one read).
    """
    check_folds(
        {
            k: tuple([c for c, _ in p] for p in v)
            for k, v in folds.items()
        }, report)
    labels = {}
    for pairs in folds.values():
        for clip, label in pairs[0] + pairs[1]:
            if labels.setdefault(clip, label) != label:
                report.warn(f'clip {pad_id(clip)} has different labels in '
                            'different split files')
    return labels


def clip_records(labels: Dict[int, int],
                 out_dir: str,
                 report: PrepReport,
                 videos: Dict[str, str],
                 outcomes: Dict[str, str],
                 frame_dirs: Dict[str, str],
                 scene_dirs: Optional[Dict[str, str]] = None,
                 captions: Optional[Dict[int, str]] = None,
                 missing: str = 'no readable clip and no frames'
                 ) -> Dict[int, dict]:
    """The record of every labelled clip of a k-fold release.

    A clip with neither a readable video nor frames is reported
    (``skipped``) and left out of every split.

    Args:
        labels (dict): int clip id -> label.
        out_dir (str): The output folder.
        report (PrepReport): Receives the skipped clips.
        videos (dict): 5-digit id -> source clip.
        outcomes (dict): 5-digit id -> audio outcome
            (:func:`extract_all_audio`; empty without audio).
        frame_dirs (dict): 5-digit id -> face frame folder.
        scene_dirs (dict, optional): 5-digit id -> full frame folder.
            Defaults to None.
        captions (dict, optional): int clip id -> caption. Defaults to None.
        missing (str): What a skipped clip lacks, for the message.

    Returns:
        dict: int clip id -> record.
    """
    scene_dirs, captions = scene_dirs or {}, captions or {}
    records = {}
    for clip in sorted(labels):
        clip_id = pad_id(clip)
        video, audio = clip_media(clip_id, videos, outcomes, out_dir)
        if video is None and clip_id not in frame_dirs \
                and clip_id not in scene_dirs:
            report.fail('skipped', clip_id,
                        f'clip {clip_id}: {missing}; left out of every '
                        'split')
            continue
        records[clip] = make_record(
            clip_id,
            labels[clip],
            out_dir,
            filename=video,
            frame_dir=frame_dirs.get(clip_id),
            scene_dir=scene_dirs.get(clip_id),
            audio=audio,
            caption=captions.get(clip))
    return records


def fold_counts(sizes: Dict[int, Sequence[int]]) -> Dict[str, int]:
    """``{'fold{k} train': n, 'fold{k} test': n}`` of per-fold sizes.

    Args:
        sizes (dict): fold number -> (train size, test size).
    """
    return {
        f'fold{k} {p}': n[i]
        for k, n in sizes.items()
        for i, p in enumerate(('train', 'test'))
    }


def write_fold_splits(out_dir: str,
                      folds: Dict[int, tuple],
                      records: Dict[int, dict],
                      report: PrepReport,
                      complete: bool,
                      official_sizes: Dict[int, tuple],
                      official_class_totals: Dict[str, int],
                      val_ratio: float = VAL_RATIO,
                      seed: int = 0) -> Dict[str, List[dict]]:
    """Write the ``fold{k}_{train,val,test}`` files of a k-fold release.

    On a complete release (the official split files have the official
    sizes) the prepared records are compared with the official counts, per
    fold and per class over the test folds; a difference is a warning.

    Args:
        out_dir (str): The output folder.
        folds (dict): fold number -> (train pairs, test pairs) as read.
        records (dict): clip id -> record; clips without one are left out.
        report (PrepReport): Receives the counts and warnings.
        complete (bool): Whether the release is complete.
        official_sizes (dict): fold number -> official (train, test) sizes.
        official_class_totals (dict): class name -> clips over the test
            folds.
        val_ratio (float): Fraction of each class of a fold's train records
            moved to its val split. Defaults to ``VAL_RATIO``.
        seed (int): Seed of the val split. Defaults to 0.

    Returns:
        dict: split name -> records, as written.
    """
    splits = fold_splits(
        {
            k:
            tuple([records[c] for c, _ in pairs if c in records]
                  for pairs in folds[k])
            for k in folds
        }, val_ratio, seed)
    write_splits(out_dir, splits, report)
    if complete:
        report.compare(
            'prepared records of a complete release',
            fold_counts({
                k:
                (len(splits[f'fold{k}_train']) + len(splits[f'fold{k}_val']),
                 len(splits[f'fold{k}_test']))
                for k in folds
            }), fold_counts(official_sizes))
        totals = [0] * len(report.classes)
        for k in folds:
            for label, n in enumerate(report.counts[f'fold{k}_test']):
                totals[label] += n
        report.compare('prepared clips per class',
                       dict(zip(report.classes, totals)),
                       official_class_totals)
    return splits
