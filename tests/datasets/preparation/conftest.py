import os.path as osp
import sys

# the fake release builders live with the tool tests
sys.path.insert(
    0, osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))), 'tools',
                'data'))
