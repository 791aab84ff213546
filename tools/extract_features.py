"""Save what the model computes per clip, for research.

``python tools/extract_features.py CONFIG CHECKPOINT SOURCE --out feats.npz``

SOURCE is a dataset split of the config (``train``, ``val``, ``test``; its
clips in the annotation order, read with the test pipeline) or videos (a
file, a folder, a ``.txt`` list; each video one clip, or sliding windows
with ``--window``). Per clip: the fused embedding, each modality token, the
presence flags, the selected prompt ids, the logits, the label, the clip
id, and the class embeddings the logits come from. CHECKPOINT ``none``
runs a zero-shot config. Shapes: docs/research_tools.md
(``umbe.apis.feature_extraction``).
"""
import argparse
import sys

from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from umbe.apis import collect_videos, init_recognizer
from umbe.apis.feature_extraction import (SPLITS, extract_split_features,
                                          extract_video_features,
                                          keep_modalities_cfg,
                                          prompt_usage_entropy, save_features)
from umbe.utils.config_utils import (add_checkpoint_trust_argument,
                                     apply_checkpoint_trust,
                                     checkpoint_or_none, load_config)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Extract per-clip embeddings, tokens, prompt ids and '
        'logits of a umbe model')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        'checkpoint',
        help='checkpoint file, or "none" for a zero-shot config')
    parser.add_argument(
        'source',
        help=f'a dataset split ({", ".join(SPLITS)}), or a video file, a '
        'folder of videos or a .txt list')
    parser.add_argument('--out', required=True, help='output .npz file')
    parser.add_argument(
        '--modalities',
        help='comma-separated modalities to use (video, face, scene, audio, '
        'caption); the others are marked absent')
    parser.add_argument(
        '--window',
        type=float,
        help='videos: window seconds (default: each video is one clip)')
    parser.add_argument(
        '--stride', type=float, help='videos: seconds between windows')
    parser.add_argument('--caption', help='videos: caption for every video')
    parser.add_argument(
        '--no-face',
        choices=['skip', 'scene'],
        default='skip',
        help='videos: a clip without a face is skipped or scored from the '
        'scene')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--num-workers', type=int, default=0, help='split: loader workers')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys (each must exist), e.g. '
        'test_dataloader.dataset.data_root=data/demo')
    add_checkpoint_trust_argument(parser)
    args = parser.parse_args(argv)
    if not args.out.endswith('.npz'):
        parser.error(f'--out {args.out}: use a .npz file name')
    if args.window is not None and args.window <= 0:
        parser.error(f'--window must be > 0 seconds, got {args.window}')
    return args


def main(argv=None):
    args = parse_args(argv)
    apply_checkpoint_trust(args)
    meta = dict(config=args.config, checkpoint=args.checkpoint)
    try:
        cfg = load_config(args.config, args.cfg_options)
        if args.source in SPLITS:
            keep_modalities_cfg(cfg, args.modalities.split(',')
                                if args.modalities else None)
        else:
            videos = collect_videos(args.source)
        model = init_recognizer(cfg, checkpoint_or_none(
            args.checkpoint, cfg.model), args.device)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as err:
        print(f'tools/extract_features.py: error: {err}', file=sys.stderr)
        return 2
    bar = {}

    def progress(done, total):
        if 'bar' not in bar:
            bar['bar'], bar['done'] = ProgressBar(total), 0
        for _ in range(done - bar['done']):
            bar['bar'].update()
        bar['done'] = done

    failures = []
    try:
        if args.source in SPLITS:
            arrays = extract_split_features(
                model, args.source, batch_size=args.batch_size,
                num_workers=args.num_workers, progress=progress, **meta)
        else:
            arrays = extract_video_features(
                model, videos, window=args.window, stride=args.stride,
                caption=args.caption,
                modalities=(args.modalities.split(',')
                            if args.modalities else None),
                no_face=args.no_face, batch_size=args.batch_size,
                on_error=lambda video, err: failures.append((video, err)),
                **meta)
    except ValueError as err:
        for video, reason in failures:
            print(f'failed: {video}: {reason}', file=sys.stderr)
        print(f'tools/extract_features.py: error: {err}', file=sys.stderr)
        return 1
    save_features(args.out, arrays)
    n, d = arrays['fused'].shape
    print(f'\n{n} clips: fused ({n}, {d}), tokens '
          f'{arrays["tokens"].shape}, logits {arrays["logits"].shape}, '
          f'prompt_ids {arrays["prompt_ids"].shape} -> {args.out}')
    pool = getattr(model.head, 'prompt_pool', None)
    if pool is not None:
        print(f'prompt usage over these clips: entropy '
              f'{prompt_usage_entropy(arrays, pool.pool_size):.3f} bits '
              f'(uniform: log2 {pool.pool_size})')
    for video, err in failures:
        print(f'failed: {video}: {err}', file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
