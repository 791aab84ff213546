from .umbenet import UMBEnet
from .zero_shot_clip import ZeroShotCLIP

__all__ = ['UMBEnet', 'ZeroShotCLIP']
