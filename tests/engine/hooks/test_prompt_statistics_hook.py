import copy
import json
import os.path as osp

import pytest

import umbe  # noqa: F401
from toy_pool_model import P, ToyPoolTestCase
from umbe.engine import PromptStatisticsHook


class TestPromptStatisticsHook(ToyPoolTestCase):

    def setUp(self):
        super().setUp()
        self.epoch_based_cfg.train_cfg = dict(by_epoch=True, max_epochs=2)

    def test_writes_json_and_png(self):
        cfg = copy.deepcopy(self.epoch_based_cfg)
        cfg.custom_hooks = [dict(type='PromptStatisticsHook', interval=1)]
        runner = self.build_runner(cfg)
        runner.train()
        counts = runner.model.prompt_pool.selection_counts
        for tag in ('epoch_1', 'epoch_2', 'final'):
            stem = osp.join(runner.log_dir, f'prompt_stats_{tag}')
            with open(stem + '.png', 'rb') as f:
                assert f.read(8) == b'\x89PNG\r\n\x1a\n'
            with open(stem + '.json') as f:
                stats = json.load(f)
            assert stats['pool_size'] == P
            assert len(stats['subsets']) == 15  # every non-empty subset
        assert stats['epochs_done'] == 2
        by_name = {'+'.join(s['modalities']): s for s in stats['subsets']}
        # 8 of 12 samples have all modalities, 4 face+audio; k=2, 2 epochs
        full = by_name['face+scene+audio+caption']
        assert full['total'] == 8 * 2 * 2
        assert by_name['face+audio']['total'] == 4 * 2 * 2
        assert full['counts'] == counts[15].tolist()
        assert by_name['face+audio']['counts'] == counts[5].tolist()
        assert sum(full['frequency']) == pytest.approx(1)
        assert by_name['scene']['total'] == 0
        with open(osp.join(runner.log_dir,
                           'prompt_stats_epoch_1.json')) as f:
            first = json.load(f)
        assert sum(s['total'] for s in first['subsets']) == 12 * 2


def test_interval_checked():
    with pytest.raises(ValueError, match='-2'):
        PromptStatisticsHook(interval=-2)
