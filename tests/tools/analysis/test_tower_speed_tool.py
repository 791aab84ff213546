"""tools/analysis/tower_speed.py on the demo's tiny head."""
import json
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


def test_head_only_writes_the_json(tool_main, tmp_path, capsys):
    out = tmp_path / 'speed.json'
    assert tool_main('tools/analysis/tower_speed.py')([
        '--skip-vision', '--head-config',
        osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py'),
        '--steps', '1', '--warmup', '0', '--json', str(out)]) == 0
    res = json.loads(out.read_text())
    assert set(res) == {'class_texts'}
    assert set(res['class_texts']['over_umbe']) == {
        'umbe', 'full_sequences', 'batch_first'}
    assert 'over umbe' in capsys.readouterr().out
