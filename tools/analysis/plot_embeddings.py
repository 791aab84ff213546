"""The paper's pictures: t-SNE of input features against fused embeddings
(Fig. 5) and prompt-usage heatmaps per modality subset (Figs. 2-3).

    python tools/analysis/plot_embeddings.py --features feats.npz \
        [--input input_face|input_scene|input_caption|tokens] \
        [--prompt-stats WORK_DIR|prompt_stats_X.json ...] [--all-epochs] \
        --out-dir DIR

``--features``: a file of tools/extract_features.py; writes ``tsne.png``
(two panels, coloured by class; silhouette scores in the titles and in
``tsne.json``). ``--prompt-stats``: a run's work dir (or its
PromptStatisticsHook JSON files); writes ``prompt_usage.png``, one figure
per run, a heatmap per stage end (``--all-epochs``: per file) with the
prompt-usage entropy, and ``prompt_usage.json``. The logic is
:mod:`umbe.analysis.embedding_plots` and
:mod:`umbe.analysis.prompt_usage_plots`.
"""
import argparse
import os
import os.path as osp
import sys

from umbe.analysis.embedding_plots import INPUT_KEYS, plot_tsne
from umbe.analysis.prompt_usage_plots import plot_prompt_usage, run_panels
from umbe.apis import load_features
from umbe.atomic_io import atomic_write_json


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='t-SNE of features and prompt-usage heatmaps (PNG)')
    parser.add_argument('--features', help='.npz of tools/extract_features.py')
    parser.add_argument(
        '--input',
        default='input_face',
        choices=INPUT_KEYS,
        help='the input features of the t-SNE\'s first panel')
    parser.add_argument(
        '--prompt-stats',
        nargs='+',
        help='work dirs or prompt_stats_*.json files of one run')
    parser.add_argument(
        '--all-epochs',
        action='store_true',
        help='a heatmap per statistics file, not per stage end')
    parser.add_argument('--seed', type=int, default=0, help='t-SNE seed')
    parser.add_argument('--perplexity', type=float, help='t-SNE perplexity')
    parser.add_argument('--out-dir', required=True, help='output folder')
    args = parser.parse_args(argv)
    if not args.features and not args.prompt_stats:
        parser.error('give --features, --prompt-stats or both')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    try:
        if args.features:
            report = plot_tsne(
                load_features(args.features),
                osp.join(args.out_dir, 'tsne.png'),
                input_key=args.input, seed=args.seed,
                perplexity=args.perplexity)
            report['features'] = args.features
            atomic_write_json(report, osp.join(args.out_dir, 'tsne.json'),
                              indent=1)
            print(f'{osp.join(args.out_dir, "tsne.png")}: '
                  f'{report["clips"]} clips, silhouette (by '
                  f'{report["colour_by"]}) {args.input} '
                  f'{report["silhouette_input"]:.3f}, fused '
                  f'{report["silhouette_fused"]:.3f}')
        if args.prompt_stats:
            panels = run_panels(args.prompt_stats, args.all_epochs)
            report = plot_prompt_usage(
                panels, osp.join(args.out_dir, 'prompt_usage.png'),
                title='prompt usage: ' + ', '.join(args.prompt_stats))
            atomic_write_json(report,
                              osp.join(args.out_dir, 'prompt_usage.json'),
                              indent=1)
            for row in report:
                print(f'{row["name"]}: entropy {row["entropy"]:.3f} of '
                      f'{row["max_entropy"]:.3f} bits, '
                      f'{row["prompts_used"]} prompts used, '
                      f'{row["selections"]} selections')
    except (FileNotFoundError, KeyError, ValueError) as err:
        print(f'tools/analysis/plot_embeddings.py: error: {err}',
              file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
