from .umbenet import UMBEnet

__all__ = ['UMBEnet']
