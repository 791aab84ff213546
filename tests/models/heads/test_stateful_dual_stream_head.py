"""StatefulDualStreamHead: class tokens and logit scale in the state dict."""
import math

import torch
import torch.nn.functional as F
from open_clip.tokenizer import SimpleTokenizer
from tiny_clip import CLASSES, TINY_ARCH

from umbe.models import (DualStreamHead, StatefulDualStreamHead,
                         class_name_token_ids)

TEXT = dict(type='CLIPTextEncoder', model_name='tiny', arch_cfg=TINY_ARCH)
STREAMS = dict(
    prompt_pool=dict(type='BatchQueryPromptPool', pool_size=4,
                     prompt_length=2, top_k=2, key_init_std=0.02),
    inherent_prompts=dict(type='InherentPrompts', num_tokens=3))


def test_token_ids_fill_the_context_and_are_saved():
    head = StatefulDualStreamHead(CLASSES, text_encoder=TEXT, **STREAMS)
    tok = SimpleTokenizer()
    ids = head.class_token_ids
    assert ids.shape == (3, 77 - (1 + 2 + 3))
    first = tok.encode(f'{CLASSES[0]}.') + [tok.eot_token_id]
    assert ids[0, :len(first)].tolist() == first
    assert ids[0, len(first):].eq(0).all()
    state = head.state_dict()
    assert 'class_token_ids' in state and 'log_logit_scale' in state
    assert torch.allclose(head.scale(), torch.tensor(100.0))
    _, eot = head.class_tokens()
    assert eot[0].item() == 6 + len(first) - 1


def test_same_logits_as_the_default_head_and_loaded_state_wins():
    torch.manual_seed(0)
    head = StatefulDualStreamHead(CLASSES, text_encoder=TEXT, **STREAMS)
    plain = DualStreamHead(CLASSES, text_encoder=TEXT, **STREAMS)
    plain.load_state_dict(head.state_dict(), strict=False)
    fused = F.normalize(torch.randn(2, 32), dim=-1)
    # full-context sequences vs cut after the longest [EOS]: the causal
    # mask makes them equal
    assert torch.allclose(head(fused)['logits'], plain(fused)['logits'],
                          atol=1e-4)
    # a checkpoint's prompts and scale replace the configured ones
    other = dict(head.state_dict())
    other['class_token_ids'] = class_name_token_ids(
        ['fear', 'anger', 'joy'], head.class_token_ids.shape[1])
    other['log_logit_scale'] = torch.tensor(math.log(1 / 0.07))
    head.load_state_dict(other)
    ref = StatefulDualStreamHead(('fear', 'anger', 'joy'), text_encoder=TEXT,
                                 logit_scale=1 / 0.07, **STREAMS)
    ref.load_state_dict(other)
    assert torch.allclose(head(fused)['logits'], ref(fused)['logits'])
    assert head.classes == CLASSES  # the label names stay
