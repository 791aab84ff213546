"""Prepare the official DFEW release for umbe.

    python tools/data/dfew/prepare.py RELEASE_ROOT OUT_DIR [--workers 4]

Writes ``OUT_DIR/annotations/fold{1..5}_{train,val,test}.json``, the clips'
audio (``OUT_DIR/audio/<5-digit id>.wav``) and ``prepare_report.{txt,json}``;
the logic is :func:`umbe.datasets.preparation.prepare_dfew`. See
docs/datasets.md for the layout and the variants detected.
"""
from umbe.datasets.preparation import build_parser, prepare_dfew, run_tool
from umbe.datasets.preparation.dfew import FRAME_SETS


def main(argv=None):
    """Parse the command line and prepare the release."""
    parser = build_parser('DFEW', prepare_dfew)
    parser.add_argument(
        '--frame-set',
        choices=tuple(FRAME_SETS),
        help='face frames: all (clip_224x224, the default) or 16f '
        '(clip_224x224_16f)')
    return run_tool(prepare_dfew, parser, argv)


if __name__ == '__main__':
    main()
