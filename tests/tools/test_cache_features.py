"""tools/cache_features.py as a user runs it (``main(argv)``): caches a
split, has nothing left to do the second time, refuses trainable towers
with a message. The writer is tested in tests/datasets/feature_cache/."""
import json
import os.path as osp

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo_cached.py')


def test_command_line(tiny_demo_root, tmp_path, capsys, tool_main):
    main = tool_main('tools/cache_features.py')
    out = str(tmp_path / 'cache')
    args = [
        CONFIG, '--split', 'val', '--num-workers', '0', '--cfg-options',
        f'val_dataloader.dataset.source.data_root={tiny_demo_root}',
        f'val_dataloader.dataset.cache_dir={out}'
    ]
    assert main(args) == 0
    clips = json.load(open(osp.join(out, 'clips.json')))
    assert sorted(c['label'] for c in clips) == list(range(7))
    np.testing.assert_array_equal(
        np.load(osp.join(out, 'label.npy')), [c['label'] for c in clips])
    assert np.load(osp.join(out, 'done.npy')).all()
    # a second run has nothing left to do
    assert main(args) == 0
    assert '0 views to write (7 done)' in capsys.readouterr().out
    # an uncached config with --out: the cache goes under --out/<split>
    plain = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')
    code = main([
        plain, '--split', 'test', '--num-workers', '0', '--out',
        str(tmp_path / 'plain'), '--cfg-options',
        f'test_dataloader.dataset.data_root={tiny_demo_root}'
    ])
    assert code == 1  # the demo towers train: refused with a message
    assert 'frozen=True' in capsys.readouterr().err
