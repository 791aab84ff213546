from .batch_query_prompt_pool import BatchQueryPromptPool
from .inherent_prompts import InherentPrompts
from .prompt_aggregation import (activated_prompts, aggregate_prompt_pool,
                                 per_modality_counts)
from .prompt_pool import PromptPool
from .prompt_usage import total_usage_entropy, usage_entropy
from .usage_penalised_prompt_pool import UsagePenalisedPromptPool

__all__ = [
    'PromptPool', 'BatchQueryPromptPool', 'UsagePenalisedPromptPool',
    'InherentPrompts', 'aggregate_prompt_pool', 'activated_prompts',
    'per_modality_counts', 'usage_entropy', 'total_usage_entropy'
]
