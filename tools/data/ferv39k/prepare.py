"""Prepare the official FERV39k release for umbe.

    python tools/data/ferv39k/prepare.py RELEASE_ROOT OUT_DIR

Writes ``OUT_DIR/annotations/{train,val,test}.json`` (val carved from
train_All) and ``prepare_report.{txt,json}``; FERV39k has no audio. The
logic is :func:`umbe.datasets.preparation.prepare_ferv39k`. See
docs/datasets.md for the layout and the variants detected.
"""
from umbe.datasets.preparation import build_parser, prepare_ferv39k, run_tool


def main(argv=None):
    """Parse the command line and prepare the release."""
    return run_tool(prepare_ferv39k, build_parser('FERV39k', prepare_ferv39k),
                    argv)


if __name__ == '__main__':
    main()
