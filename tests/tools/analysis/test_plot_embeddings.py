"""tools/analysis/plot_embeddings.py on a real features file of the demo
model and on PromptStatisticsHook-style files."""
import json
import os.path as osp

from mmengine.config import Config

from umbe.apis import extract_split_features, init_recognizer, save_features
from umbe.engine.hooks.prompt_statistics_hook import statistics_dict
from umbe.structures import NUM_SUBSETS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py')


def test_tsne_and_prompt_usage(tool_main, make_small_demo, demo_checkpoint,
                               tmp_path, capsys):
    import numpy as np
    cfg = Config.fromfile(CONFIG)
    cfg.test_dataloader.dataset.data_root = make_small_demo(1, 1, 2)
    model = init_recognizer(cfg, demo_checkpoint, 'cpu')
    feats = str(tmp_path / 'feats.npz')
    save_features(feats, extract_split_features(model, 'test'))
    counts = np.zeros((NUM_SUBSETS, 8), dtype=np.int64)
    counts[15, :2] = 10
    (tmp_path / 'prompt_stats_final.json').write_text(
        json.dumps(statistics_dict(counts)))
    out = tmp_path / 'plots'
    plot = tool_main('tools/analysis/plot_embeddings.py')
    assert plot(['--features', feats, '--input', 'tokens', '--prompt-stats',
                 str(tmp_path / 'prompt_stats_final.json'), '--out-dir',
                 str(out)]) == 0
    stdout = capsys.readouterr().out
    assert '14 clips, silhouette (by label) tokens' in stdout
    assert 'final: entropy 1.000 of 3.000 bits, 2 prompts used' in stdout
    for name in ('tsne.png', 'prompt_usage.png'):
        assert (out / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    report = json.loads((out / 'tsne.json').read_text())
    assert report['clips'] == 14 and report['input'] == 'tokens'
    assert plot(['--prompt-stats', str(tmp_path / 'none'), '--out-dir',
                 str(out)]) == 2
    assert 'does not exist' in capsys.readouterr().err
