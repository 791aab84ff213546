from .batch_query_prompt_pool import BatchQueryPromptPool
from .inherent_prompts import InherentPrompts
from .prompt_pool import PromptPool

__all__ = ['PromptPool', 'BatchQueryPromptPool', 'InherentPrompts']
