"""Run the public UMBEnet model and umbe's official preset on one batch and
compare them to the last digit.

    python tools/analysis/compare_official.py --official-repo PATH \\
        [--model-module model_unimod_mafw_vat] [--batch 2] [--json OUT]

The public code (github Xinji-Mai/UMBEnet, commit c8f75840) has no license:
nothing of it is copied into umbe. This tool imports its model module from
the checkout given (``--official-repo``), which needs the ``openai-clip``,
``pytorch-lightning`` and ``torchmetrics`` packages (not umbe dependencies:
use a throwaway virtual environment that sees umbe's packages). No weights
are downloaded: ``clip.load`` is replaced by a builder of OpenAI's CLIP
(ViT-L/14 and ViT-B/32 hyper-parameters) with seeded random weights, with
``clip.load``'s fp16 round trip and ``.float()`` on CPU; modules the model
file imports but never runs are stubbed (tensorboardX, ConfusionMatrix,
sklearn, esresnet; torchvision where it cannot be imported).

Steps: build the public ``JMPF``; save its two CLIP models as weight files;
build ``configs/umbenet/official/umbenet_mafw_vat_official.py`` with the
sizes read from the public tensors (``umbe.models.official``) and those
files as ``pretrained``; convert the public state dict with
``convert_official_state_dict`` (the converter's own code) and load it
strictly; run both on one seeded batch (B clips, 16 frames, the second clip
with 10 valid frames, captions with underscores, 110,250 audio samples) in
train mode (neither model has dropout: checked) with a backward pass, then
in eval mode without gradients.

Printed: max |Δ| and max relative |Δ| (max |Δ| over max |public|, per
tensor) of the logits, the loss and the gradient of every trainable tensor,
then one verdict line. Exit 0 only when logits and loss are within 1e-4
relative and every gradient within 1e-3 relative (fp32, CPU).

``--json OUT`` writes: ``model_module``, ``tiny``, ``batch``, ``sizes``
(what the converter read), ``prompt_names`` (the public logits' names, from
the class-name set), ``train`` and ``eval`` (each ``logits`` and ``loss``:
``{max_abs, max_rel}``; ``train`` also ``grads``: ``{umbe key: {max_abs,
max_rel, public}}`` and ``grad_worst``), ``no_grad`` (trainable tensors
without a gradient, per side), ``selected_prompts_equal``,
``caption_tokens_equal``, ``targets``, ``within_targets``, ``wall_s`` and
``peak_rss_mib``.

``--tiny`` is a self-test at reduced size (CLIP towers of one narrow
layer, the public model's 12-layer transformers cut to ``--tiny-layers``):
the same code paths in a minute instead of ~15.
"""
import argparse
import os.path as osp
import sys

from umbe.analysis.official_comparison import (OfficialComparisonError,
                                               print_comparison,
                                               run_comparison)
from umbe.atomic_io import atomic_write_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--official-repo', required=True,
                        help='checkout of github Xinji-Mai/UMBEnet')
    parser.add_argument('--model-module', default='model_unimod_mafw_vat',
                        help='public module holding JMPF (the MAFW vat '
                        'model or a model_unimod_mafw_vat_{length}_{pool}_'
                        '{k} variant)')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--json', help='write the figures to this file')
    parser.add_argument('--config',
                        default='configs/umbenet/official/'
                        'umbenet_mafw_vat_official.py',
                        help='the umbe preset to compare')
    parser.add_argument('--tiny', action='store_true',
                        help='reduced-size self-test (see the description)')
    parser.add_argument('--tiny-layers', type=int, default=2)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(osp.join(args.official_repo or '',
                               args.model_module + '.py')):
        raise SystemExit(
            f'compare_official.py: error: {args.official_repo} has no '
            f'{args.model_module}.py; give a checkout of the public UMBEnet '
            'code with --official-repo')
    try:
        figures = run_comparison(args)
    except OfficialComparisonError as err:
        raise SystemExit(f'compare_official.py: error: {err}')
    print_comparison(figures)
    if args.json:
        atomic_write_json(figures, args.json, indent=2)
    return 0 if figures['within_targets'] else 1


if __name__ == '__main__':
    sys.exit(main())
