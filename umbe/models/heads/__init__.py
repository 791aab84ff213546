from .dual_stream_head import DualStreamHead
from .stateful_dual_stream_head import (StatefulDualStreamHead,
                                        class_name_token_ids)

__all__ = ['DualStreamHead', 'StatefulDualStreamHead', 'class_name_token_ids']
