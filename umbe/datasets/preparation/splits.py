"""Carving a validation split out of an official training split."""
import random
from collections import defaultdict
from typing import List, Tuple


def stratified_split(records: List[dict],
                     val_ratio: float,
                     seed: int = 0) -> Tuple[List[dict], List[dict]]:
    """Split records into train and val, keeping each class's proportion.

    Every class gives ``round(n * val_ratio)`` of its ``n`` clips to val, at
    least one when it has two or more and ``val_ratio > 0``. The choice
    depends only on the clip ids, the labels and ``seed``, not on the order
    of ``records``, so every run gives the same split.

    Args:
        records (list[dict]): Records with ``label`` and ``clip_id``.
        val_ratio (float): Fraction of each class moved to val, in [0, 1).
        seed (int): Seed of the choice. Defaults to 0.

    Returns:
        tuple[list[dict], list[dict]]: train and val, each in the order of
        ``records``.
    """
    if not 0 <= val_ratio < 1:
        raise ValueError(f'val_ratio must lie in [0, 1), got {val_ratio}')
    by_class = defaultdict(list)
    for record in records:
        by_class[record['label']].append(record['clip_id'])
    val_ids = set()
    for label in sorted(by_class):
        ids = sorted(by_class[label])
        n_val = int(round(len(ids) * val_ratio))
        if val_ratio > 0 and n_val == 0 and len(ids) >= 2:
            n_val = 1
        rng = random.Random(f'{seed}-{label}')
        val_ids.update(rng.sample(ids, n_val))
    train = [r for r in records if r['clip_id'] not in val_ids]
    val = [r for r in records if r['clip_id'] in val_ids]
    return train, val
