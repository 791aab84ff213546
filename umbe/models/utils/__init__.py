from .attention_masks import key_padding_to_attn_mask
from .clip_weights import (load_tower_weights, read_clip_state_dict,
                           resolve_clip_cfg, tower_state_dict)
from .frozen_tower import FrozenTowerModule, set_trainable_by_patterns
from .model_parts import find_module, unwrap_model
from .summary_token_transformer import SummaryTokenTransformer

__all__ = [
    'key_padding_to_attn_mask', 'load_tower_weights', 'read_clip_state_dict',
    'resolve_clip_cfg', 'tower_state_dict', 'FrozenTowerModule',
    'set_trainable_by_patterns', 'SummaryTokenTransformer', 'find_module',
    'unwrap_model'
]
