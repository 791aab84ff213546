import copy
import json
import os.path as osp

import pytest

import umbe  # noqa: F401
from toy_pool_model import P, ToyPoolTestCase
from umbe.engine import PromptStatisticsHook
from umbe.models.prompts import usage_entropy


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
        # entropy: of all selections, per subset, and in the training log
        total = counts.sum(0).double()
        freq = total[total > 0] / total.sum()
        expected = float(-(freq * freq.log2()).sum())
        assert stats['entropy'] == pytest.approx(expected, abs=1e-5)
        assert stats['max_entropy'] == pytest.approx(3.0)  # log2(P=8)
        assert 0 < stats['entropy'] <= 3.0
        assert full['entropy'] == pytest.approx(
            float(usage_entropy(counts[15])), abs=1e-5)
        assert by_name['scene']['entropy'] == 0
        logged = runner.message_hub.get_scalar('train/prompt_entropy')
        assert logged.current() == pytest.approx(expected)
        assert len(logged.data[0]) == 6  # every iteration: 3 per epoch
        with open(osp.join(runner.log_dir,
                           osp.basename(runner.log_dir) + '.log')) as f:
            assert 'prompt_entropy: ' in f.read()


def test_interval_checked():
    with pytest.raises(ValueError, match='-2'):
        PromptStatisticsHook(interval=-2)
