from .batch_query_prompt_pool import BatchQueryPromptPool
from .inherent_prompts import InherentPrompts
from .prompt_aggregation import (activated_prompts, aggregate_prompt_pool,
                                 per_modality_counts)
from .prompt_pool import PromptPool

__all__ = [
    'PromptPool', 'BatchQueryPromptPool', 'InherentPrompts',
    'aggregate_prompt_pool', 'activated_prompts', 'per_modality_counts'
]
