"""Tiny open_clip models and UMBEnet configs for offline, fast tests."""
import copy

import torch
from open_clip.model import CLIP

#: an open_clip model config small enough for CPU tests
TINY_ARCH = dict(
    embed_dim=32,
    quick_gelu=True,
    vision_cfg=dict(image_size=16, patch_size=8, width=32, layers=1,
                    head_width=16),
    text_cfg=dict(context_length=77, vocab_size=49408, width=32, heads=2,
                  layers=1))

CLASSES = ('happy', 'sad', 'neutral')


def tiny_clip(seed: int = 0) -> CLIP:
    """A random tiny CLIP (eval mode)."""
    torch.manual_seed(seed)
    cfg = copy.deepcopy(TINY_ARCH)
    return CLIP(**cfg).eval()


def save_open_clip_format(model: CLIP, path: str) -> None:
    """open_clip training checkpoint layout (DDP prefix, 'state_dict')."""
    torch.save(
        {'epoch': 1,
         'state_dict': {'module.' + k: v for k, v in
                        model.state_dict().items()}}, path)


def save_openai_format(model: CLIP, path: str) -> None:
    """A TorchScript archive like OpenAI's, with its non-weight entries."""

    class Wrapped(torch.nn.Module):

        def __init__(self, clip):
            super().__init__()
            for name, child in clip.named_children():
                self.add_module(name, child)
            for name, param in clip.named_parameters(recurse=False):
                self.register_parameter(name, param)
            self.register_buffer('input_resolution', torch.tensor(16))
            self.register_buffer('context_length', torch.tensor(77))
            self.register_buffer('vocab_size', torch.tensor(49408))

        def forward(self, image):
            return self.visual(image)

    wrapped = Wrapped(copy.deepcopy(model)).eval()
    traced = torch.jit.trace(
        wrapped, torch.zeros(1, 3, 16, 16), check_trace=False)
    traced.save(path)


def tiny_umbenet_overrides(width: int = 32, pretrained=None,
                           frozen: bool = True) -> dict:
    """Overrides shrinking a shipped UMBEnet config for CPU tests.

    Args:
        width (int): Token width of every part. Defaults to 32.
        pretrained (str, optional): A tiny CLIP file for all towers.
        frozen (bool): Freeze the CLIP towers. Defaults to True.
    """
    arch = copy.deepcopy(TINY_ARCH)
    arch['embed_dim'] = width
    arch['text_cfg']['width'] = width
    tower = dict(model_name='tiny', arch_cfg=arch, pretrained=pretrained,
                 frozen=frozen)
    return dict(
        classes=CLASSES,
        embed_dim=width,
        allow_random_towers=pretrained is None,
        clip_len=4,
        # tests set presence themselves: no random modality dropout
        data_preprocessor=dict(modality_augments=[]),
        vision_encoder=dict(tower),
        audio_encoder=dict(channels=(8, 8), kernel_sizes=(9, 9),
                           strides=(4, 4)),
        caption_encoder=dict(text_encoder=dict(tower)),
        temporal=dict(num_layers=1, num_heads=2),
        fusion=dict(num_layers=1, num_heads=2),
        head=dict(
            text_encoder=dict(tower),
            prompt_pool=dict(pool_size=6, prompt_length=2, top_k=2),
            inherent_prompts=dict(num_tokens=2)))


def synthetic_batch(B: int = 3, T: int = 4, S: int = 400, seed: int = 0,
                    present=None, frame_lens=None):
    """A collated batch as the pipeline (PackMultimodalInputs) gives it."""
    from mmaction.structures import ActionDataSample
    from open_clip.tokenizer import SimpleTokenizer
    from umbe.structures import MODALITIES
    g = torch.Generator().manual_seed(seed)
    tok = SimpleTokenizer()
    captions = tok(['a person smiles', 'someone is crying', ''][:B] *
                   (B // 3 + 1))[:B]
    inputs = dict(
        face=list(torch.randint(0, 256, (B, T, 3, 16, 16), generator=g,
                                dtype=torch.uint8)),
        scene=list(torch.randint(0, 256, (B, T, 3, 16, 16), generator=g,
                                 dtype=torch.uint8)),
        audio=list(torch.randn(B, S, generator=g)),
        caption=list(captions))
    samples = []
    for i in range(B):
        s = ActionDataSample()
        s.set_gt_label(i % len(CLASSES))
        n = T if frame_lens is None else frame_lens[i]
        s.set_field(torch.arange(T) < n, 'frame_mask')
        s.set_field({m: True if present is None else bool(present[i][j])
                     for j, m in enumerate(MODALITIES)}, 'present')
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)
