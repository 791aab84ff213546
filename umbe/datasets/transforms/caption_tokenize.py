"""Tokenisation of a clip's caption with open_clip's bundled BPE."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from umbe.registry import TRANSFORMS


@TRANSFORMS.register_module()
class TokenizeCaption(BaseTransform):
    """Turn ``caption`` into open_clip token ids (offline, bundled vocab).

    An absent, None or blank caption gives zeros and ``present['caption']``
    False.

    Required keys: ``caption`` (optional). Added keys: ``caption_tokens``
    int64 (Lc,), ``present['caption']``.

    Args:
        context_length (int): Tokens Lc, with start and end tokens; longer
            captions are cut (the end token kept). Defaults to 77.
    """

    _tokenizer = None  # built on first use, shared by all instances

    def __init__(self, context_length: int = 77) -> None:
        if not isinstance(context_length, int) or context_length < 2:
            raise ValueError('context_length must be an int >= 2, got '
                             f'{context_length!r}')
        self.context_length = context_length

    @property
    def tokenizer(self):
        """open_clip's SimpleTokenizer (bundled vocabulary), built once."""
        if TokenizeCaption._tokenizer is None:
            from open_clip.tokenizer import SimpleTokenizer
            TokenizeCaption._tokenizer = SimpleTokenizer()
        return TokenizeCaption._tokenizer

    def transform(self, results: Dict) -> Dict:
        """Tokenise the caption.

        Args:
            results (dict): The record.

        Returns:
            dict: ``results`` with ``caption_tokens``.
        """
        caption = results.get('caption')
        if caption is not None and not isinstance(caption, str):
            raise TypeError(
                f'caption of {results.get("filename")} must be a string or '
                f'null, got {type(caption).__name__}')
        present = bool(caption and caption.strip())
        if present:
            tokens = self.tokenizer(
                [caption],
                context_length=self.context_length)[0].numpy().astype(
                    np.int64)
        else:
            tokens = np.zeros(self.context_length, np.int64)
        results['caption_tokens'] = tokens
        results.setdefault('present', {})['caption'] = present
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'context_length={self.context_length})')
