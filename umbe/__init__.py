"""umbe: UMBEnet and multimodal emotion recognition on OpenMMLab."""
from .compat import apply_all as _apply_environment_workarounds
from .version import __version__

_apply_environment_workarounds()

__all__ = ['__version__']
