"""The public-checkpoint converter on synthetic public layouts."""
import pytest
import torch
from mmengine.config import Config
from public_layout import POOL, preset_overrides, public_state_dict
from tiny_clip import CLASSES, save_open_clip_format, tiny_clip

from umbe.models import class_name_token_ids
from umbe.models.official import (OfficialCheckpointError,
                                  convert_official_state_dict,
                                  official_sizes)
from umbe.registry import MODELS

PRESET = 'configs/umbenet/official/umbenet_mafw_vat_official.py'
SET_ORDER = ('sad', 'neutral', 'happy')  # what a Python set gave one run


def official_model(tmp_path):
    path = str(tmp_path / 'clip.pt')
    save_open_clip_format(tiny_clip(0), path)
    cfg = Config.fromfile(PRESET)
    cfg.merge_from_dict(dict(model=preset_overrides(path)))
    return MODELS.build(cfg.model)


def test_sizes_read_from_the_tensors():
    sizes = official_sizes(public_state_dict(SET_ORDER), top_k=2)
    assert (sizes.pool_size, sizes.pool_prompt_length,
            sizes.inherent_length) == (POOL, 2, 2)
    assert (sizes.temporal_layers, sizes.fusion_layers) == (2, 2)
    assert (sizes.num_logits, sizes.suffix_length) == (3, 77 - 5)


def test_converts_into_the_preset_with_the_recovered_class_order(tmp_path):
    state = public_state_dict(SET_ORDER)
    table = tiny_clip(0).token_embedding.weight.detach()
    out = convert_official_state_dict(state, CLASSES, token_table=table,
                                      clip_len=4)
    assert out.prompts.recovered and out.prompts.names == list(SET_ORDER)
    model = official_model(tmp_path)
    model.load_state_dict(out.state_dict, strict=True)  # every key placed
    # label c (CLASSES[c]) is public logit c, prompted with SET_ORDER[c]
    ids = class_name_token_ids(SET_ORDER, 72)
    assert torch.equal(model.head.class_token_ids, ids)
    assert torch.equal(model.fusion.pos_embed,
                       state['cpencoding.frame_position_embeddings.weight']
                       [[0, 1, 3, 2]])
    assert torch.equal(model.temporal.pos_embed,
                       state['pencoding.frame_position_embeddings.weight']
                       [:4])
    assert torch.equal(model.audio_encoder.convs[0].weight,
                       state['audio_encoder.conv1.weight'])
    assert torch.equal(model.head.inherent_prompts.tokens,
                       state['prompt_pool.ctx'])
    assert torch.equal(model.head.log_logit_scale, state['logit_scale'])
    unused = {k for k, _ in out.unused}
    assert any(k.startswith('prompt_pool.transformerClip.') for k in unused)
    assert 'prompt_pool.pencoding.frame_position_embeddings.weight' in unused
    assert any(k.startswith('image_encoder_s.') for k in unused)


def test_labels_map_through_the_public_label_order():
    # the public run had 4 logits for 3 labels, in another label order
    state = public_state_dict(('sad', 'neutral', 'happy', 'fear'))
    table = tiny_clip(0).token_embedding.weight.detach()
    out = convert_official_state_dict(
        state, CLASSES, source_labels=('neutral', 'happy', 'sad'),
        token_table=table, clip_len=4)
    assert out.class_rows == [1, 2, 0] and out.dropped_logits == [3]
    assert torch.equal(out.state_dict['head.class_token_ids'],
                       class_name_token_ids(('neutral', 'happy', 'sad'), 72))


def test_refuses_a_stray_key_and_names_it():
    state = public_state_dict(SET_ORDER)
    state['feate.weight'] = torch.zeros(2, 2)
    table = tiny_clip(0).token_embedding.weight.detach()
    with pytest.raises(OfficialCheckpointError, match=r"feate\.weight"):
        convert_official_state_dict(state, CLASSES, token_table=table)


def test_class_order_must_be_recovered_or_given():
    state = public_state_dict(SET_ORDER)
    with pytest.raises(OfficialCheckpointError, match='not stored'):
        convert_official_state_dict(state, CLASSES, clip_len=4)
    out = convert_official_state_dict(state, CLASSES, clip_len=4,
                                      prompt_names=SET_ORDER)
    assert not out.prompts.recovered
    other = tiny_clip(7).token_embedding.weight.detach()
    with pytest.raises(OfficialCheckpointError, match='other CLIP weights'):
        convert_official_state_dict(state, CLASSES, token_table=other)
    table = tiny_clip(0).token_embedding.weight.detach()
    with pytest.raises(OfficialCheckpointError, match='given names'):
        convert_official_state_dict(state, CLASSES, token_table=table,
                                    prompt_names=CLASSES)
