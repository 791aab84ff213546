from .attention_masks import (key_padding_to_attn_mask, shared_prefix_mask,
                              shared_prefix_positions)
from .clip_weights import (ClipWeightsUnavailableError, RandomTowersError,
                           TowerWeightsError, load_tower_weights,
                           read_clip_state_dict, resolve_clip_cfg,
                           resolve_pretrained, tower_state_dict)
from .frozen_tower import (FROZEN_DTYPES, FrozenTowerModule, set_frozen_dtype,
                           set_trainable_by_patterns)
from .masked_mean_transformer import MaskedMeanTransformer, masked_mean
from .model_parts import find_module, unwrap_model
from .packed_linear import (PackedLinear, onednn_linear_available,
                            pack_linear_layers, pack_tower)
from .self_attention import SelfAttention, replace_attention
from .sequence_first import mha_fastpath, set_sequence_first
from .summary_token_transformer import SummaryTokenTransformer
from .token_checks import check_frame_tokens, check_modality_tokens
from .tower_check import (check_tower_weights, random_towers_message,
                          use_random_towers)

__all__ = [
    'use_random_towers',
    'key_padding_to_attn_mask', 'shared_prefix_mask',
    'shared_prefix_positions', 'set_sequence_first', 'mha_fastpath',
    'load_tower_weights',
    'read_clip_state_dict', 'resolve_clip_cfg', 'resolve_pretrained',
    'tower_state_dict',
    'TowerWeightsError', 'ClipWeightsUnavailableError', 'RandomTowersError',
    'FROZEN_DTYPES', 'FrozenTowerModule', 'set_frozen_dtype',
    'set_trainable_by_patterns',
    'SummaryTokenTransformer', 'MaskedMeanTransformer', 'masked_mean',
    'find_module', 'unwrap_model', 'PackedLinear', 'pack_linear_layers',
    'pack_tower', 'onednn_linear_available', 'SelfAttention',
    'replace_attention', 'check_tower_weights',
    'random_towers_message', 'check_modality_tokens', 'check_frame_tokens'
]
