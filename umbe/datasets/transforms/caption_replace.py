"""ReplaceInCaption: a text replacement in the caption before tokenising."""
from typing import Dict

from mmcv.transforms import BaseTransform

from umbe.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ReplaceInCaption(BaseTransform):
    """Replace ``old`` by ``new`` in the record's ``caption``.

    The public UMBEnet code tokenises ``caption.replace('_', ' ')`` (the
    defaults). Put it before ``TokenizeCaption``; a missing or None caption
    passes unchanged.

    Required keys: ``caption`` (optional). Modified keys: ``caption``.

    Args:
        old (str): Defaults to ``'_'``.
        new (str): Defaults to ``' '``.
    """

    def __init__(self, old: str = '_', new: str = ' ') -> None:
        if not old:
            raise ValueError('old must be a non-empty string')
        self.old = old
        self.new = new

    def transform(self, results: Dict) -> Dict:
        """Replace in the caption.

        Args:
            results (dict): The record.

        Returns:
            dict: ``results`` with the caption changed.
        """
        caption = results.get('caption')
        if isinstance(caption, str):
            results['caption'] = caption.replace(self.old, self.new)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(old={self.old!r}, new={self.new!r})'
