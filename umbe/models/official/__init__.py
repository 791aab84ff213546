"""Reading checkpoints of the public UMBEnet code into the official preset.

The public repository has no license: nothing of it is copied here. These
functions know its state-dict key names and tensor layouts (facts about its
checkpoints), and map them onto umbe's official preset
(``configs/umbenet/official/``).
"""
from .official_checkpoint import (OFFICIAL_UNUSED, ConvertedCheckpoint,
                                  OfficialCheckpointError,
                                  OfficialPromptTokens, OfficialSizes,
                                  convert_official_state_dict,
                                  map_official_tensor, official_sizes,
                                  read_official_checkpoint,
                                  recover_prompt_tokens)

__all__ = [
    'OFFICIAL_UNUSED', 'ConvertedCheckpoint', 'OfficialCheckpointError',
    'OfficialPromptTokens', 'OfficialSizes', 'convert_official_state_dict',
    'map_official_tensor', 'official_sizes', 'read_official_checkpoint',
    'recover_prompt_tokens'
]
