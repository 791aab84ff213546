from .dual_stream_head import DualStreamHead
from .stateful_dual_stream_head import (StatefulDualStreamHead,
                                        class_name_token_ids)
from .zero_shot_head import FACE_TEMPLATES, ZeroShotHead

__all__ = [
    'DualStreamHead', 'StatefulDualStreamHead', 'class_name_token_ids',
    'ZeroShotHead', 'FACE_TEMPLATES'
]
