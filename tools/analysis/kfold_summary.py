"""Mean ± std of test UAR/WAR over the folds of a k-fold protocol.

    python tools/analysis/kfold_summary.py WORK_DIR [WORK_DIR ...] \
        [--dataset dfew] [--out summary.json]

Each WORK_DIR is the work dir of one fold (one training run) in which
``tools/test.py`` was run on a checkpoint; best-epoch (``best_*``) and
last-epoch results are summarised apart, beside the published numbers of
SPEC.md. The logic is :mod:`umbe.analysis.kfold_summary`.
"""
import argparse
import json
import os.path as osp
import sys

from umbe.analysis.kfold_summary import (PUBLISHED, guess_dataset,
                                         kfold_tables, summarize_folds)


def main(argv=None) -> dict:
    """Parse the command line, print the tables and optionally save them."""
    parser = argparse.ArgumentParser(
        description='Mean ± std of test UAR/WAR over folds, beside the '
        'published numbers.')
    parser.add_argument('work_dirs', nargs='+', help='one work dir per fold')
    parser.add_argument(
        '--dataset',
        choices=sorted(PUBLISHED),
        help='dataset of the published numbers (default: guessed from the '
        'work dir names)')
    parser.add_argument('--out', help='also write the summary to this JSON')
    args = parser.parse_args(argv)
    missing = [d for d in args.work_dirs if not osp.isdir(d)]
    if missing:
        sys.exit(f'error: work dirs not found: {missing}')
    result = summarize_folds(args.work_dirs,
                             args.dataset or guess_dataset(args.work_dirs))
    empty = [d for d, runs in result['folds'].items() if not runs]
    if empty:
        print(f'WARNING: no test result in {empty}: run tools/test.py '
              'CONFIG CHECKPOINT --work-dir WORK_DIR there first.')
    if not result['summary']:
        sys.exit('error: no test results found in the given work dirs')
    print(kfold_tables(result))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
