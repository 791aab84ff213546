"""Makes tests/models/tiny_clip.py importable from every model test."""
import os.path as osp
import sys

import umbe  # noqa: F401  (before mmaction.models: the drn stub)
from umbe.utils import register_all_modules

sys.path.insert(0, osp.dirname(__file__))
register_all_modules()
