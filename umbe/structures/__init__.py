"""The ground floor: the modality vocabulary and the presence samplers.

Imports nothing of umbe; everything above uses it.
"""
from .modalities import (MODALITIES, MODALITY_ALIASES, MODALITY_GROUPS,
                         MODALITY_NAMES, NUM_SUBSETS, expand_modalities,
                         nonempty_subsets, presence_dict, presence_matrix,
                         subset_ids, subset_mask, subset_membership,
                         subset_modalities, subset_name)
from .modality_sampling import (DEFAULT_DROP_PROBS, ModalityDropoutSampler,
                                PresenceSampler, UnimodalSampler,
                                drop_prob_vector, sample_modality_dropout,
                                sample_unimodal, weight_vector)

__all__ = [
    'MODALITIES', 'MODALITY_ALIASES', 'MODALITY_NAMES', 'MODALITY_GROUPS',
    'NUM_SUBSETS', 'expand_modalities', 'presence_matrix', 'presence_dict',
    'subset_mask', 'subset_ids', 'subset_modalities', 'subset_name',
    'subset_membership', 'nonempty_subsets', 'DEFAULT_DROP_PROBS',
    'drop_prob_vector', 'weight_vector', 'sample_modality_dropout',
    'sample_unimodal', 'PresenceSampler', 'ModalityDropoutSampler',
    'UnimodalSampler'
]
