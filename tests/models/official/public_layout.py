"""A synthetic state dict laid out as the public UMBEnet code saves its
model (key names and tensor shapes of its JMPF; random values), at tiny
sizes. No code of the public repository is used."""
import torch
from tiny_clip import tiny_clip

from umbe.models import class_name_token_ids

D = 32  # modality tokens, temporal / fusion width (768 in the public code)
POOL, LENGTH, CONTEXT = 6, 2, 2  # pool size, pool prompt / inherent tokens
AUDIO = dict(num_samples=400, channels=(4, ), hidden_dims=(8, ))


def _block(prefix, width):
    return {
        f'{prefix}attn.in_proj_weight': torch.randn(3 * width, width),
        f'{prefix}attn.in_proj_bias': torch.randn(3 * width),
        f'{prefix}attn.out_proj.weight': torch.randn(width, width),
        f'{prefix}attn.out_proj.bias': torch.randn(width),
        f'{prefix}ln_1.weight': torch.randn(width),
        f'{prefix}ln_1.bias': torch.randn(width),
        f'{prefix}mlp.c_fc.weight': torch.randn(4 * width, width),
        f'{prefix}mlp.c_fc.bias': torch.randn(4 * width),
        f'{prefix}mlp.c_proj.weight': torch.randn(width, 4 * width),
        f'{prefix}mlp.c_proj.bias': torch.randn(width),
        f'{prefix}ln_2.weight': torch.randn(width),
        f'{prefix}ln_2.bias': torch.randn(width),
    }


def public_state_dict(prompt_names, clip_seed=0, seed=1):
    """The public layout, prompting logit i with ``prompt_names[i]``.

    The CLIP towers are ``tiny_clip(clip_seed)`` (the ViT-L/14 and the
    ViT-B/32 stand-in alike), so its token table reads the class order.
    """
    clip = tiny_clip(clip_seed).state_dict()
    torch.manual_seed(seed)
    state = {}
    for key, value in clip.items():
        if key.startswith('visual.'):
            state['image_encoder.' + key[7:]] = value
            state['image_encoder_s.' + key[7:]] = value
        elif key.startswith(('transformer.', 'positional_embedding',
                             'ln_final.', 'text_projection')):
            state['text_encoder.' + key] = value
            state['cap_encoder.' + key] = value
    state['token_embedding.weight'] = clip['token_embedding.weight']
    state['logit_scale'] = clip['logit_scale']
    width = clip['ln_final.weight'].shape[0]
    for i in range(2):
        state.update(_block(f'transformerClip.resblocks.{i}.', D))
        state.update(_block(f'seq_transformerClip.resblocks.{i}.', D))
        state.update(_block(f'prompt_pool.transformerClip.resblocks.{i}.', D))
    state['pencoding.frame_position_embeddings.weight'] = torch.randn(16, D)
    state['cpencoding.frame_position_embeddings.weight'] = torch.randn(16, D)
    state['prompt_pool.pencoding.frame_position_embeddings.weight'] = (
        torch.randn(16, D))
    state['ctransTo768.weight'] = torch.randn(D, clip['text_projection'].
                                              shape[1])
    state['ctransTo768.bias'] = torch.randn(D)
    state['audio_encoder.conv1.weight'] = torch.randn(4, 1, 15)
    state['audio_encoder.conv1.bias'] = torch.randn(4)
    state['audio_encoder.fc.0.weight'] = torch.randn(8, 4 * 78)
    state['audio_encoder.fc.0.bias'] = torch.randn(8)
    state['audio_encoder.fc.1.weight'] = torch.randn(D, 8)
    state['audio_encoder.fc.1.bias'] = torch.randn(D)
    state['audio_encoder.ln.weight'] = torch.randn(D)
    state['audio_encoder.ln.bias'] = torch.randn(D)
    for name in ('weight_ih_l0', 'weight_hh_l0'):
        state[f'lstm.{name}'] = torch.randn(4 * D, D)
    for name in ('bias_ih_l0', 'bias_hh_l0'):
        state[f'lstm.{name}'] = torch.randn(4 * D)
    state['prompt_pool.prompt_pool'] = torch.randn(POOL, LENGTH, width)
    state['prompt_pool.prompt_key'] = torch.randn(POOL, width)
    state['prompt_pool.ctx'] = torch.randn(CONTEXT, width)
    state['prompt_pool.alpha.0.weight'] = torch.randn(1, width)
    state['prompt_pool.alpha.0.bias'] = torch.randn(1)
    table = clip['token_embedding.weight']
    suffix = 77 - 1 - LENGTH - CONTEXT
    ids = class_name_token_ids(prompt_names, suffix)
    state['prompt_pool.token_prefix'] = table[49406].expand(
        len(prompt_names), 1, width).clone()
    state['prompt_pool.token_suffix'] = table[ids]
    return state


def preset_overrides(clip_file=None):
    """Model overrides shrinking the official preset to these sizes."""
    from tiny_clip import tiny_umbenet_overrides
    over = tiny_umbenet_overrides(pretrained=clip_file)
    over.pop('data_preprocessor')
    over['clip_len'] = 4
    over['audio_encoder'] = dict(type='FlattenAudioEncoder', **AUDIO)
    over['temporal'] = dict(num_layers=2, num_heads=2)
    over['fusion'] = dict(num_layers=2, num_heads=2)
    over['head']['prompt_pool'] = dict(pool_size=POOL, prompt_length=LENGTH,
                                       top_k=2)
    over['head']['inherent_prompts'] = dict(num_tokens=CONTEXT)
    return over
