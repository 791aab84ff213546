import os.path as osp
import sys

# the fake release builders (fake_releases.py) live beside these tests
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
