"""Two-stage training under DDP stays one model.

Two processes on gloo, launched as two nodes of one process each
(``tools/dist_train.sh`` with NNODES=2, NODE_RANK=0/1, MASTER_ADDR=127.0.0.1),
train the two-stage demo on a small set; a probe saves each rank's model
right after the stage switch. Checked:

* after the switch every parameter and buffer is bitwise equal across the
  ranks (the pool aggregated once and broadcast);
* the prompt statistics count the selections of both processes (per
  modality subset, the totals of the one-process run);
* the 2-process run (batch 4 per process) ends with the model of the
  1-process run with the same global batch (8): its logits on the test
  clips within LOGIT_TOLERANCE. Not bitwise: DDP averages the two
  processes' gradients, a different floating-point summation order than
  one batch of 8. Parameters are not compared one by one: Adam turns a
  gradient that is zero up to rounding (e.g. the attention's key bias,
  which cannot change a softmax) into a full step of +-lr, so such
  parameters differ by up to 2 x lr per step while the function the model
  computes does not change. Everything else (the data order, the modality
  masks of the global batch, the per-sample audio norm, the aggregation)
  is the same computation; with batch statistics in the audio encoder
  (BatchNorm) the logits differ by far more.
"""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_two_stage.py')
EPOCHS = 2
LOGIT_TOLERANCE = 1e-3  # logits are 100 x cosine

PROBE = '''
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from umbe.models.utils import unwrap_model
from umbe.registry import HOOKS


@HOOKS.register_module()
class SaveAfterSwitch(Hook):
    """Save this rank's model once the stage switch has happened."""
    priority = 'LOWEST'  # after TwoStageHook's before_train_epoch

    def before_train_epoch(self, runner):
        if runner.epoch == 1:
            torch.save(unwrap_model(runner.model).state_dict(),
                       osp.join(runner.work_dir,
                                f'after_switch_rank{get_rank()}.pth'))
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def demo_root(make_small_demo):
    return make_small_demo(2, 1, 1)  # 14 training clips


def options(root, batch):
    opts = [f'train_cfg.max_epochs={EPOCHS}', '+stage1_epochs=1',
            'randomness.deterministic=True', 'default_hooks.logger.interval=1']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.dataset.data_root={root}',
                 f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False',
                 f'{split}_dataloader.batch_size={batch}']
    return ['--cfg-options', *opts]


def test_two_nodes_hold_one_model(tmp_path, demo_root):
    (tmp_path / 'probe.py').write_text(PROBE)
    config = tmp_path / 'probed.py'
    config.write_text(
        f"_base_ = ['{CONFIG}']\n"
        "custom_imports = dict(imports=['probe'], allow_failed_imports=False)"
        "\ndefault_hooks = dict(probe=dict(type='SaveAfterSwitch'))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tmp_path), REPO, os.environ.get('PYTHONPATH', '')]),
        OMP_NUM_THREADS='1')
    two = str(tmp_path / 'two')
    port = str(free_port())
    nodes = [
        subprocess.Popen(
            ['bash', 'tools/dist_train.sh', str(config), '1', '--work-dir',
             two, *options(demo_root, 4)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env=dict(env, NNODES='2', NODE_RANK=str(rank),
                                MASTER_ADDR='127.0.0.1', PORT=port))
        for rank in (0, 1)
    ]
    logs = [node.communicate(timeout=600)[0] for node in nodes]
    for node, log in zip(nodes, logs):
        assert node.returncode == 0, log[-3000:]
    one = str(tmp_path / 'one')
    single = subprocess.run(
        [sys.executable, 'tools/train.py', str(config), '--work-dir', one,
         *options(demo_root, 8)], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=600)
    assert single.returncode == 0, single.stdout[-3000:] + single.stderr

    ranks = [torch.load(osp.join(two, f'after_switch_rank{r}.pth'))
             for r in (0, 1)]
    assert set(ranks[0]) == set(ranks[1])
    differ = [k for k in ranks[0] if not torch.equal(ranks[0][k],
                                                     ranks[1][k])]
    assert differ == []
    assert 'head.prompt_pool.prompts' in ranks[0]

    # PromptStatisticsHook writes the counts of both processes
    stats = [subset_totals(d) for d in (two, one)]
    assert stats[0] == stats[1] and sum(stats[1].values()) > 0

    logits = [logits_on_test_clips(demo_root, osp.join(d, f'epoch_{EPOCHS}.pth'))
              for d in (two, one)]
    gap = (logits[0] - logits[1]).abs().max().item()
    print(f'max |logit gap| 2 processes vs 1: {gap:.3e}')
    assert gap <= LOGIT_TOLERANCE, gap
    assert logits[0].abs().max() > 1  # real logits, not a degenerate model


def subset_totals(work_dir):
    """Selections per modality subset in the run's final prompt stats."""
    import glob
    import json
    path, = glob.glob(osp.join(work_dir, '*', 'prompt_stats_final.json'))
    with open(path) as f:
        return {'+'.join(s['modalities']): s['total']
                for s in json.load(f)['subsets']}


def logits_on_test_clips(root, checkpoint):
    """The model of ``checkpoint`` on the test clips of ``root``."""
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate

    from umbe.engine import load_checked_checkpoint
    from umbe.registry import DATASETS, MODELS
    from umbe.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    model = MODELS.build(cfg.model)
    load_checked_checkpoint(model, checkpoint)
    model.eval()
    dataset = cfg.test_dataloader.dataset
    dataset.data_root = root
    dataset = DATASETS.build(dataset)
    batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        return model(data['inputs'], data['data_samples'], mode='tensor')
