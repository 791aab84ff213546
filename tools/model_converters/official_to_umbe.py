"""Convert a checkpoint of the public UMBEnet code to umbe's official preset.

    python tools/model_converters/official_to_umbe.py SRC DST \\
        [--config configs/umbenet/official/umbenet_mafw_vat_official.py] \\
        [--clip-weights openai | FILE] [--prompt-classes a,b,...] [--top-k K]

SRC is a PyTorch Lightning ``.ckpt`` of the public ``JMPF`` (or a saved
``JMPF.state_dict()``); it is read with ``weights_only=True``. DST is an
mmengine checkpoint (``state_dict`` + ``meta.dataset_meta.classes``) of the
preset, for ``tools/test.py CONFIG DST`` or ``load_from``.

Every key mapped is printed (public -> umbe, shape); a key that has no place
in the preset stops the conversion (exit 1, keys listed), except the public
code's unused parameters, which are named (the prompt pool's 12-layer
transformer and position table, ``image_encoder_s`` = ``image_encoder``
saved twice, the fusion position rows past the four modalities).

Sizes (pool size, prompt lengths, widths, layers) are read from the
tensors, so the ``model_unimod_mafw_vat_{length}_{pool}_{k}`` variants
convert; the ``--cfg-options`` that set them on the preset are printed.
Top-k is not stored in the tensors: ``--top-k``, else the ``_{length}_
{pool}_{k}`` in SRC's file name (the public training scripts name their
checkpoints so), else the preset's value.

Class order: the public code keeps its class names in a Python set, so the
name each logit was prompted with varies run to run. It is read back from
the checkpoint's ``prompt_pool.token_suffix`` by matching it against the
ViT-L/14 token table of the CLIP weights the run used (``--clip-weights``:
a file or an open_clip tag, default the preset's ``pretrained``, i.e. the
OpenAI weights), or given with ``--prompt-classes`` in logit order. Labels
follow the preset's class list through its ``public_label_order`` (the
public loader's label ids); the converted head prompts each class as the
public run did (``head.class_token_ids``).
"""
import argparse
import copy
import os.path as osp
import re
import sys

import torch
from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='public checkpoint (.ckpt or state dict)')
    parser.add_argument('dst', help='umbe checkpoint to write')
    parser.add_argument(
        '--config',
        default='configs/umbenet/official/umbenet_mafw_vat_official.py',
        help='the official preset the checkpoint is for')
    parser.add_argument(
        '--clip-weights',
        help='ViT-L/14 CLIP weights of the public run (file or open_clip '
        'tag), to read its class order; default: the preset\'s head text '
        'tower `pretrained`')
    parser.add_argument(
        '--prompt-classes',
        help='comma-separated class names in the public logit order '
        '(instead of reading them with --clip-weights)')
    parser.add_argument('--top-k', type=int, help='k of the public run')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override preset settings (key=value)')
    return parser.parse_args(argv)


def top_k_of(args, sizes, cfg):
    """k and where it came from."""
    if args.top_k is not None:
        return args.top_k, '--top-k'
    match = re.search(r'_(\d+)_(\d+)_(\d+)(?:[-_.]|$)', osp.basename(args.src))
    if match:
        length, pool, k = map(int, match.groups())
        if (length == sizes.pool_prompt_length + sizes.inherent_length
                and pool == sizes.pool_size):
            return k, f'the file name (_{length}_{pool}_{k})'
    return cfg.model.head.prompt_pool.top_k, 'the preset (not in the tensors)'


def size_options(sizes, top_k):
    """The preset settings the checkpoint's sizes need."""
    return {
        'model.head.prompt_pool.pool_size': sizes.pool_size,
        'model.head.prompt_pool.prompt_length': sizes.pool_prompt_length,
        'model.head.prompt_pool.top_k': top_k,
        'model.head.inherent_prompts.num_tokens': sizes.inherent_length,
        'model.temporal.num_layers': sizes.temporal_layers,
        'model.fusion.num_layers': sizes.fusion_layers,
        'model.embed_dim': sizes.embed_dim,
    }


def expected_state(cfg, options):
    """Keys and shapes of the preset at these sizes (built on 'meta')."""
    from umbe.registry import MODELS
    cfg = copy.deepcopy(cfg)
    cfg.merge_from_dict(options)
    model = cfg.model
    model.allow_random_towers = True
    for tower in (model.vision_encoder, model.caption_encoder.text_encoder,
                  model.head.text_encoder):
        tower.pretrained = None
    with torch.device('meta'):
        built = MODELS.build(model)
    return {k: tuple(v.shape) for k, v in built.state_dict().items()}


def token_table(args, cfg):
    """The ViT-L/14 token embedding table of ``--clip-weights``."""
    from umbe.models.utils import (read_clip_state_dict, resolve_clip_cfg,
                                   resolve_pretrained, tower_state_dict)
    text = cfg.model.head.text_encoder
    source = args.clip_weights or text.pretrained
    if source is None:
        raise ValueError('no CLIP weights to read the class order with: '
                         'give --clip-weights or --prompt-classes')
    _, arch = resolve_clip_cfg(text.model_name, text.get('arch_cfg'))
    path = resolve_pretrained(source, text.model_name, arch)
    weights = tower_state_dict(read_clip_state_dict(path, arch), 'text')
    return weights['token_embedding.weight'], path


def main(argv=None):
    args = parse_args(argv)
    from umbe.models.official import (OfficialCheckpointError,
                                      convert_official_state_dict,
                                      official_sizes,
                                      read_official_checkpoint)
    from umbe.models.utils import TowerWeightsError
    from umbe.utils import register_all_modules
    register_all_modules()
    try:
        cfg = Config.fromfile(args.config)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        state = read_official_checkpoint(args.src)
        sizes = official_sizes(state)
        k, k_source = top_k_of(args, sizes, cfg)
        sizes = official_sizes(state, top_k=k)
        print(f'{args.src}: {sizes} (top_k from {k_source})')
        table = names = None
        if args.prompt_classes:
            names = [n.strip() for n in args.prompt_classes.split(',')]
        else:
            table, table_path = token_table(args, cfg)
            print(f'class order read with the token table of {table_path}')
        converted = convert_official_state_dict(
            state,
            classes=cfg.classes,
            source_labels=cfg.get('public_label_order'),
            token_table=table,
            prompt_names=names,
            clip_len=cfg.model.clip_len)
        options = size_options(sizes, k)
        expected = expected_state(cfg, options)
    except (OfficialCheckpointError, TowerWeightsError, ValueError,
            KeyError, FileNotFoundError) as err:
        raise SystemExit(f'official_to_umbe.py: error: {err}')

    out = converted.state_dict
    for src, dst in converted.mapped:
        shape = tuple(out[dst].shape) if dst in out else ''
        print(f'mapped  {src} -> {dst} {shape}')
    groups = {}
    for src, why in converted.unused:
        groups.setdefault(why, []).append(src)
    for why, keys in groups.items():
        count = sum(_values(state, k) for k in keys)
        shown = keys[0] if len(keys) == 1 else (
            f'{osp.commonprefix(keys)}* ({len(keys)} tensors)')
        print(f'unused  {shown}, {count / 1e6:.2f}M values: {why}')
    wrong = [f'{k}: {tuple(v.shape)} vs preset {expected[k]}'
             for k, v in out.items() if k in expected
             and tuple(v.shape) != expected[k]]
    extra = sorted(set(out) - set(expected))
    missing = sorted(set(expected) - set(out))
    filled_by_towers = [k for k in missing
                        if k == 'head.text_encoder.tower.token_embedding.'
                        'weight']
    missing = [k for k in missing if k not in filled_by_towers]
    if wrong or extra or missing:
        raise SystemExit(
            'official_to_umbe.py: error: the converted weights do not fit '
            f'{args.config} at the checkpoint\'s sizes: shapes {wrong}, '
            f'not in the preset {extra}, missing {missing}')
    for key in filled_by_towers:
        print(f'note    {key}: not in the public checkpoint; the preset '
              'loads it from its pretrained ViT-L/14 weights')
    for c, (name, row) in enumerate(zip(cfg.classes, converted.class_rows)):
        print(f'class   {c} {name}: public logit {row}, prompted '
              f'"{converted.prompts.names[row]}."')
    for row in converted.dropped_logits:
        print(f'dropped public logit {row} ("{converted.prompts.names[row]}'
              '."): no label of the public run')
    changed = {k: v for k, v in options.items()
               if cfg_value(cfg, k) != v}
    torch.save(
        dict(state_dict=out,
             meta=dict(
                 dataset_meta=dict(classes=list(cfg.classes)),
                 converted_from=osp.abspath(args.src),
                 config=args.config,
                 cfg_options=changed,
                 public_prompt_names=converted.prompts.names)), args.dst)
    print(f'wrote {args.dst}: {len(out)} tensors, {len(converted.mapped)} '
          f'mapped, {len(converted.unused)} unused')
    if changed:
        print('use it with --cfg-options ' +
              ' '.join(f'{k}={v}' for k, v in changed.items()))
    return 0


def _values(state, key):
    """Values of a public key, or of ``key[n:]`` (rows past n)."""
    base, _, rows = key.partition('[')
    tensor = state[base]
    return tensor[int(rows.rstrip(':]')):].numel() if rows else tensor.numel()


def cfg_value(cfg, dotted):
    node = cfg
    for part in dotted.split('.'):
        node = node.get(part) if hasattr(node, 'get') else None
    return node


if __name__ == '__main__':
    sys.exit(main())
