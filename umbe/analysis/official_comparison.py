"""Parity of umbe's official preset with the public UMBEnet code, one batch
(behind ``tools/analysis/compare_official.py``, whose description says what
is run and printed).

The public code (github Xinji-Mai/UMBEnet, commit c8f75840) has no license:
nothing of it is here. ``run_comparison`` imports its model module from the
checkout a user gives and stands in for what it would download (CLIP
weights: seeded random towers of the published hyper-parameters) or import
without running.
"""
import copy
import importlib
import importlib.machinery
import os.path as osp
import resource
import sys
import tempfile
import time
import types

import torch

TARGETS = dict(logits=1e-4, loss=1e-4, grads=1e-3)

#: OpenAI CLIP hyper-parameters (what clip.model.build_model reads from the
#: published checkpoints) and open_clip's names of the same architectures.
CLIP_ARCH = {
    'ViT-L/14': dict(embed_dim=768, image_resolution=224, vision_layers=24,
                     vision_width=1024, vision_patch_size=14,
                     context_length=77, vocab_size=49408,
                     transformer_width=768, transformer_heads=12,
                     transformer_layers=12),
    'ViT-B/32': dict(embed_dim=512, image_resolution=224, vision_layers=12,
                     vision_width=768, vision_patch_size=32,
                     context_length=77, vocab_size=49408,
                     transformer_width=512, transformer_heads=8,
                     transformer_layers=12),
}
OPEN_CLIP_NAME = {'ViT-L/14': 'ViT-L-14-quickgelu',
                  'ViT-B/32': 'ViT-B-32-quickgelu'}
#: --tiny: the widths the public model hard-codes stay (768-d tokens and
#: ViT-L/14 text width, 512-d ViT-B/32 embeddings); depth and the image
#: tower shrink.
TINY_ARCH = {
    'ViT-L/14': dict(CLIP_ARCH['ViT-L/14'], image_resolution=28,
                     vision_layers=1, vision_width=64, transformer_layers=1),
    'ViT-B/32': dict(CLIP_ARCH['ViT-B/32'], image_resolution=32,
                     vision_layers=1, vision_width=64, transformer_width=64,
                     transformer_heads=2, transformer_layers=1),
}
CAPTIONS = ('A_woman frowns and lowers her head, her voice trembling.',
            'a man laughs loudly while_talking to someone off camera')


# ---------------------------------------------------------------- stats
def compare(ours: torch.Tensor, public: torch.Tensor) -> dict:
    """``max_abs`` = max |ours - public|, ``max_rel`` = that over
    max |public| (inf when public is all zero and ours is not)."""
    ours, public = ours.detach().double(), public.detach().double()
    if ours.shape != public.shape:
        raise ValueError(f'shapes differ: {tuple(ours.shape)} vs '
                         f'{tuple(public.shape)}')
    max_abs = (ours - public).abs().max().item() if ours.numel() else 0.0
    scale = public.abs().max().item() if public.numel() else 0.0
    if scale > 0:
        max_rel = max_abs / scale
    else:
        max_rel = 0.0 if max_abs == 0 else float('inf')
    return dict(max_abs=max_abs, max_rel=max_rel)


def verdict(figures: dict, targets: dict = TARGETS) -> tuple:
    """``(ok, worst)``: whether every figure is within its target and the
    worst figure relative to its target, as a line."""
    checks = []
    for mode in ('train', 'eval'):
        for name in ('logits', 'loss'):
            checks.append((f'{mode} {name}', figures[mode][name]['max_rel'],
                           targets[name]))
    for key, fig in figures['train']['grads'].items():
        checks.append((f'grad {key}', fig['max_rel'], targets['grads']))
    ok = all(value <= target for _, value, target in checks)
    ok = ok and not figures['no_grad']['mismatch']
    name, value, target = max(checks, key=lambda c: c[1] / c[2])
    return ok, f'worst: {name} {value:.2e} (target {target:.0e})'


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---------------------------------------------------------------- public side
def _stub(name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    sys.modules[name] = module
    return module


def install_stubs() -> None:
    """Modules the public model file imports but its forward never uses."""

    class Silent:

        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    _stub('tensorboardX').SummaryWriter = Silent  # writes to the authors' home
    matrix = _stub('ConfusionMatrix')  # plotting, test epoch end only
    matrix.display_cls_confusion_matrix = lambda *a, **k: None
    matrix.display_cls_confusion_matrix_6 = lambda *a, **k: None
    sklearn, metrics = _stub('sklearn'), _stub('sklearn.metrics')
    metrics.classification_report = lambda *a, **k: {}  # test_step only
    sklearn.metrics = metrics
    _stub('esresnet').ESResNeXtFBSP = Silent  # imported, use commented out


def install_torchvision_standin() -> None:
    """The model file imports torchvision transforms it does not run."""
    try:
        import torchvision.transforms  # noqa: F401
        return
    except Exception:
        pass
    for name in [m for m in sys.modules if m.split('.')[0] == 'torchvision']:
        del sys.modules[name]
    vision, transforms = _stub('torchvision'), _stub('torchvision.transforms')

    class Transform:

        def __init__(self, *args, **kwargs):
            pass

    for name in ('Compose', 'Resize', 'CenterCrop', 'ToTensor', 'Normalize'):
        setattr(transforms, name, type(name, (Transform, ), {}))

    class InterpolationMode:
        BICUBIC, BILINEAR, NEAREST = 'bicubic', 'bilinear', 'nearest'

    transforms.InterpolationMode = InterpolationMode
    vision.transforms = transforms


def patch_clip_load(archs: dict) -> dict:
    """Replace ``clip.load`` by a random-weight builder; returns the dict
    that collects the CLIP models it builds, by name."""
    import clip
    import clip.model as clip_model
    built = {}

    def load(name, device='cpu', jit=False, download_root=None):
        if name not in archs:
            raise RuntimeError(f'compare_official: no architecture for '
                               f'{name!r}')
        model = clip_model.CLIP(**archs[name])  # CLIP.initialize_parameters
        clip_model.convert_weights(model)  # fp16, as build_model does
        model = model.eval().to(device)
        if str(device) == 'cpu':
            model.float()  # as clip.load does on CPU
        built[name] = model
        return model, None

    clip.load = load
    clip.clip.load = load
    return built


class CapturingFunctional(types.ModuleType):
    """``torch.nn.functional`` for the public module, keeping the logits
    its ``cross_entropy`` receives."""

    def __init__(self, functional):
        super().__init__('compare_official_functional')
        self._functional = functional
        self.logits = None

    def __getattr__(self, name):
        return getattr(self._functional, name)

    def cross_entropy(self, logits, *args, **kwargs):
        self.logits = logits
        return self._functional.cross_entropy(logits, *args, **kwargs)


def import_public_module(repo: str, module: str, archs: dict = CLIP_ARCH):
    """Import a public model module from the checkout ``repo`` with the
    stand-ins above and ``clip.load`` building random CLIPs of ``archs``.

    Returns:
        tuple: the module and the dict of CLIP models ``clip.load`` built.
    """
    install_stubs()
    import pytorch_lightning  # noqa: F401  (before the torchvision stand-in)
    import torchmetrics  # noqa: F401
    install_torchvision_standin()
    sys.path.insert(0, osp.abspath(repo))
    built = patch_clip_load(archs)
    return importlib.import_module(module), built


def public_jmpf(repo: str, module: str = 'model_unimod_mafw_vat'):
    """The public code's ``JMPF`` with random CLIP towers of the published
    hyper-parameters; its forward takes ``[faces, scenes, captions,
    labels, audio, valid]``."""
    return import_public_module(repo, module)[0].JMPF()


def build_official(options):
    """Import the public module and build its JMPF with random CLIPs."""
    module, built = import_public_module(
        options.official_repo, options.model_module,
        TINY_ARCH if options.tiny else CLIP_ARCH)
    if options.tiny:
        cap = options.tiny_layers
        full = module.TransformerClip

        class Shallow(full):

            def __init__(self, width, layers, heads):
                super().__init__(width, min(layers, cap), heads)

        module.TransformerClip = Shallow
    captured = CapturingFunctional(module.F)
    module.F = captured
    torch.manual_seed(options.seed)
    model = module.JMPF()
    return module, model, built, captured


# ---------------------------------------------------------------- umbe side
def umbe_tower_cfg(name: str, arch: dict, path: str, tiny: bool) -> dict:
    """A tower config loading ``path`` (a saved public CLIP)."""
    cfg = dict(model_name=OPEN_CLIP_NAME[name], pretrained=path)
    if tiny:
        cfg['model_name'] = 'tiny-' + OPEN_CLIP_NAME[name]
        cfg['arch_cfg'] = dict(
            embed_dim=arch['embed_dim'],
            quick_gelu=True,
            vision_cfg=dict(image_size=arch['image_resolution'],
                            layers=arch['vision_layers'],
                            width=arch['vision_width'],
                            patch_size=arch['vision_patch_size'],
                            head_width=64),
            text_cfg=dict(context_length=arch['context_length'],
                          vocab_size=arch['vocab_size'],
                          width=arch['transformer_width'],
                          heads=arch['transformer_heads'],
                          layers=arch['transformer_layers']))
    return cfg


def build_umbe(options, sizes, files, archs, top_k):
    from mmengine.config import Config

    from umbe.registry import MODELS
    cfg = Config.fromfile(options.config)
    model = copy.deepcopy(cfg.model)
    large = umbe_tower_cfg('ViT-L/14', archs['ViT-L/14'], files['ViT-L/14'],
                           options.tiny)
    small = umbe_tower_cfg('ViT-B/32', archs['ViT-B/32'], files['ViT-B/32'],
                           options.tiny)
    model.vision_encoder.update(large)
    model.head.text_encoder.update(large)
    model.caption_encoder.text_encoder.update(small)
    model.embed_dim = sizes.embed_dim
    model.clip_len = sizes.position_rows
    model.temporal.num_layers = sizes.temporal_layers
    model.fusion.num_layers = sizes.fusion_layers
    model.head.prompt_pool.update(pool_size=sizes.pool_size,
                                  prompt_length=sizes.pool_prompt_length,
                                  top_k=top_k)
    model.head.inherent_prompts.num_tokens = sizes.inherent_length
    return MODELS.build(model), cfg


# ---------------------------------------------------------------- the batch
def make_batch(options, image_size, clip_len, num_samples, num_classes):
    g = torch.Generator().manual_seed(options.seed + 1)
    B, T = options.batch, clip_len
    face = torch.randn(B, T, 3, image_size, image_size, generator=g)
    scene = torch.randn(B, T, 3, image_size, image_size, generator=g)
    valid = torch.ones(B, T)
    if B > 1:  # a short clip: the public loader repeats its last frame
        valid[1, 10:] = 0
        face[1, 10:] = face[1, 9]
        scene[1, 10:] = scene[1, 9]
    audio = torch.randn(B, 1, num_samples, generator=g) * 3000
    labels = torch.randint(0, num_classes, (B, ), generator=g)
    captions = [CAPTIONS[i % len(CAPTIONS)] for i in range(B)]
    return face, scene, captions, labels, audio, valid


def umbe_inputs(batch):
    from mmaction.structures import ActionDataSample

    from umbe.datasets.transforms import ReplaceInCaption, TokenizeCaption
    from umbe.structures import MODALITIES
    face, scene, captions, labels, audio, valid = batch
    replace, tokenize = ReplaceInCaption(), TokenizeCaption(77)
    tokens = torch.stack([
        torch.as_tensor(
            tokenize(replace(dict(caption=c)))['caption_tokens'])
        for c in captions
    ])
    B = face.shape[0]
    inputs = dict(face=face, scene=scene, audio=audio[:, 0], caption=tokens,
                  frame_mask=valid.bool(),
                  present={m: torch.ones(B, dtype=torch.bool)
                           for m in MODALITIES})
    samples = []
    for label in labels:
        sample = ActionDataSample()
        sample.set_gt_label(int(label))
        samples.append(sample)
    return inputs, samples


def run_public(model, captured, batch, train):
    model.train(train)
    model.zero_grad(set_to_none=True)
    with torch.set_grad_enabled(train):
        loss, _, _ = model(list(batch))
        logits = captured.logits
        if train:
            loss.backward()
    return logits.detach(), loss.detach()


def run_umbe(model, inputs, samples, train):
    model.train(train)
    model.zero_grad(set_to_none=True)
    seen = {}
    handle = model.head.register_forward_hook(
        lambda m, i, out: seen.update(out))
    try:
        with torch.set_grad_enabled(train):
            losses = model(inputs, samples, mode='loss')
            loss = sum(v for k, v in losses.items() if 'loss' in k)
            if train:
                loss.backward()
    finally:
        handle.remove()
    return seen['logits'].detach(), loss.detach(), seen['prompt_ids']


def dropout_modules(model):
    return [n for n, m in model.named_modules()
            if isinstance(m, torch.nn.modules.dropout._DropoutNd) and m.p > 0
            ] + [n for n, m in model.named_modules()
                 if isinstance(m, (torch.nn.MultiheadAttention, torch.nn.LSTM))
                 and m.dropout > 0]


def public_selection(model, fused, train):
    """The public pool's top-k for a fused batch (its own arithmetic)."""
    pool = model.prompt_pool
    query = fused.mean(dim=0)
    query = query / query.norm(p=2, dim=-1, keepdim=True)
    keys = pool.prompt_key / pool.prompt_key.norm(p=2, dim=-1, keepdim=True)
    sim = query @ keys.T
    if train:
        sim = sim * pool.penalty_factors
    return torch.topk(sim, pool.top_k, dim=-1).indices


# ---------------------------------------------------------------- main


class OfficialComparisonError(RuntimeError):
    """The comparison cannot be made (public code, dropout, a tensor)."""


def run_comparison(options) -> dict:
    """Build both models, run one seeded batch, return the figures.

    Args:
        options: ``official_repo``, ``model_module``, ``batch``, ``seed``,
            ``threads``, ``config``, ``tiny``, ``tiny_layers`` (the tool's
            arguments).

    Returns:
        dict: the figures ``--json`` writes (see the tool), with
        ``within_targets`` and ``worst`` (the verdict's line).

    Raises:
        OfficialComparisonError: One line saying what is wrong.
    """
    start = time.perf_counter()
    torch.set_num_threads(options.threads)
    try:
        module, public, built, captured = build_official(options)
    except ImportError as err:
        raise OfficialComparisonError(
            f'{err}; the public code needs '
            'openai-clip, pytorch-lightning and torchmetrics (install them '
            'in a throwaway virtual environment)')
    from umbe.models.official import (convert_official_state_dict,
                                      map_official_tensor, official_sizes)
    from umbe.utils import register_all_modules
    register_all_modules()
    archs = TINY_ARCH if options.tiny else CLIP_ARCH
    public_state = public.state_dict()
    sizes = official_sizes(public_state, top_k=module.top_k)
    print(f'public {options.model_module}: {sizes}')

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, clip_model in built.items():
            files[name] = osp.join(tmp, name.replace('/', '-') + '.pt')
            torch.save({'state_dict': clip_model.state_dict()}, files[name])
        token_table = built['ViT-L/14'].token_embedding.weight.detach()
        built.clear()
        ours, cfg = build_umbe(options, sizes, files, archs, module.top_k)
    converted = convert_official_state_dict(
        public_state,
        classes=cfg.classes,
        source_labels=cfg.public_label_order,
        token_table=token_table,
        clip_len=sizes.position_rows)
    ours.load_state_dict(converted.state_dict, strict=True)
    del public_state, token_table
    print(f'converted: {len(converted.mapped)} keys mapped, '
          f'{len(converted.unused)} unused; public logits prompted with '
          f'{converted.prompts.names}')

    drop = dropout_modules(public) + dropout_modules(ours)
    if drop:
        raise OfficialComparisonError(f'dropout in {drop}')
    image_size = archs['ViT-L/14']['image_resolution']
    batch = make_batch(options, image_size, sizes.position_rows,
                       ours.audio_encoder.num_samples, len(cfg.classes))
    inputs, samples = umbe_inputs(batch)
    import clip
    public_tokens = torch.cat(
        [clip.tokenize(c.replace('_', ' ')) for c in batch[2]])
    figures = dict(
        model_module=options.model_module,
        tiny=options.tiny,
        batch=options.batch,
        sizes=vars(sizes),
        prompt_names=converted.prompts.names,
        caption_tokens_equal=bool(
            torch.equal(public_tokens, inputs['caption'])),
        targets=TARGETS)

    fused = {}
    handle = public.prompt_pool.register_forward_pre_hook(
        lambda m, a: fused.update(query=a[0].detach()))
    p_logits, p_loss = run_public(public, captured, batch, train=True)
    p_ids = public_selection(public, fused['query'], True)
    o_logits, o_loss, o_ids = run_umbe(ours, inputs, samples, train=True)
    figures['selected_prompts_equal'] = bool(
        torch.equal(p_ids.sort().values, o_ids.reshape(-1).sort().values))
    grads, public_no_grad, mapped_keys = {}, [], set()
    params = dict(ours.named_parameters())
    for key, param in public.named_parameters():
        if not param.requires_grad:
            continue
        if param.grad is None:
            public_no_grad.append(key)
            continue
        mapped = map_official_tensor(key, param.grad, sizes.position_rows)
        if mapped is None:
            raise OfficialComparisonError(
                f'public {key} has a gradient but no umbe counterpart')
        name, grad = mapped
        mapped_keys.add(name)
        if params[name].grad is None:
            grads[name] = dict(max_abs=float('inf'), max_rel=float('inf'),
                               public=key)
            continue
        grads[name] = dict(compare(params[name].grad, grad), public=key)
    umbe_no_grad = [n for n, p in params.items()
                    if p.requires_grad and p.grad is None]
    umbe_unmatched = [n for n, p in params.items() if p.requires_grad
                      and p.grad is not None and n not in mapped_keys]
    expected_none = {map_official_tensor(k, torch.zeros(1))[0]
                     for k in public_no_grad
                     if map_official_tensor(k, torch.zeros(1)) is not None}
    figures['no_grad'] = dict(
        public=public_no_grad, umbe=umbe_no_grad,
        umbe_without_public=umbe_unmatched,
        mismatch=sorted(set(umbe_no_grad) ^ expected_none) + umbe_unmatched)
    worst = max(grads.items(), key=lambda kv: kv[1]['max_rel'])
    figures['train'] = dict(logits=compare(o_logits, p_logits),
                            loss=compare(o_loss, p_loss), grads=grads,
                            grad_worst=dict(key=worst[0], **worst[1]))
    public.zero_grad(set_to_none=True)
    ours.zero_grad(set_to_none=True)

    p_logits, p_loss = run_public(public, captured, batch, train=False)
    o_logits, o_loss, _ = run_umbe(ours, inputs, samples, train=False)
    handle.remove()
    figures['eval'] = dict(logits=compare(o_logits, p_logits),
                           loss=compare(o_loss, p_loss))
    figures['wall_s'] = round(time.perf_counter() - start, 1)
    figures['peak_rss_mib'] = round(peak_rss_mib(), 1)
    ok, worst_line = verdict(figures)
    figures['within_targets'] = ok
    figures['worst'] = worst_line
    return figures


def print_comparison(figures: dict) -> None:
    """Print the table of max |d| and the summary lines of ``figures``."""
    grads = figures['train']['grads']
    public_no_grad = figures['no_grad']['public']
    umbe_no_grad = figures['no_grad']['umbe']

    print(f'\n{"quantity":58s} {"max |d|":>10s} {"max rel |d|":>12s}')
    for mode in ('train', 'eval'):
        for name in ('logits', 'loss'):
            fig = figures[mode][name]
            print(f'{mode + " " + name:58s} {fig["max_abs"]:10.3e} '
                  f'{fig["max_rel"]:12.3e}')
    for name, fig in sorted(grads.items()):
        print(f'{"grad " + name:58s} {fig["max_abs"]:10.3e} '
              f'{fig["max_rel"]:12.3e}')
    print(f'\n{len(grads)} gradients compared; without a gradient: public '
          f'{len(public_no_grad)} tensors (prompt keys, the unused '
          f'transformer), umbe {len(umbe_no_grad)} '
          f'({", ".join(umbe_no_grad) or "none"}); mismatch: '
          f'{figures["no_grad"]["mismatch"] or "none"}')
    print(f'selected prompts equal: {figures["selected_prompts_equal"]}; '
          f'caption tokens equal: {figures["caption_tokens_equal"]}; '
          f'{figures["wall_s"]} s, peak RSS {figures["peak_rss_mib"]:.0f} '
          'MiB')
    line = ('WITHIN TARGETS' if figures['within_targets'] else
            'OUTSIDE TARGETS')
    print(f'verdict: {line} (logits/loss <= {TARGETS["logits"]:.0e}, '
          f'gradients <= {TARGETS["grads"]:.0e} relative); '
          f'{figures["worst"]}')
