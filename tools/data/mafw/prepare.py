"""Prepare the official MAFW release (single-label set) for umbe.

    python tools/data/mafw/prepare.py RELEASE_ROOT OUT_DIR [--workers 4]

Writes ``OUT_DIR/annotations/fold{1..5}_{train,val,test}.json``, the clips'
audio (``OUT_DIR/audio/<5-digit id>.wav``) and ``prepare_report.{txt,json}``;
the logic is :func:`umbe.datasets.preparation.prepare_mafw`. See
docs/datasets.md for the layout and the variants detected.
"""
from umbe.datasets.preparation import build_parser, prepare_mafw, run_tool


def main(argv=None):
    """Parse the command line and prepare the release."""
    parser = build_parser('MAFW', prepare_mafw)
    parser.add_argument(
        '--face-dir',
        help='folder of face crops <5-digit id>/ made by the user (used as '
        'frame_dir instead of data/frames)')
    return run_tool(prepare_mafw, parser, argv)


if __name__ == '__main__':
    main()
