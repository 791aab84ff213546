"""Generate umbe's bundled demo dataset (small real media, a test of fusion).

The classes, media and layout are described in
:mod:`umbe.testing.demo_dataset`, which writes them; the same seed gives the
same dataset. Example::

    python tools/data/make_demo_dataset.py --out data/demo --seed 0
"""
import argparse
import os
import os.path as osp
import sys
import time

from umbe.testing import DEMO_CLIPS_PER_CLASS, generate_demo_dataset


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the bundled demo dataset of umbe.')
    parser.add_argument('--out', default='data/demo', help='output folder')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--clips-per-class',
        type=int,
        nargs=3,
        default=DEMO_CLIPS_PER_CLASS,
        metavar=('TRAIN', 'VAL', 'TEST'),
        help='clips per class in train, val and test')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    meta = generate_demo_dataset(args.out, args.seed,
                                 tuple(args.clips_per_class))
    size = sum(
        osp.getsize(osp.join(root, name))
        for root, _, names in os.walk(args.out) for name in names)
    print(f'wrote {len(meta["clips"])} clips to {args.out} '
          f'({size / 2**20:.1f} MiB) in {time.time() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
