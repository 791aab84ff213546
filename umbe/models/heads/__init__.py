from .dual_stream_head import DualStreamHead

__all__ = ['DualStreamHead']
