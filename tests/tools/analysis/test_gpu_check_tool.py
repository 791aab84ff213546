"""tools/analysis/gpu_check.py, exercised on CPU with the demo model (no
GPU here): every figure the GPU run prints is produced, the agreement
passes its tolerance, the bf16 towers are the frozen ones."""
import json
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))


def test_gpu_check_runs_on_cpu(tool_main, tmp_path, capsys):
    out = tmp_path / 'gpu.json'
    assert tool_main('tools/analysis/gpu_check.py')([
        osp.join(REPO, 'configs', 'umbenet', 'umbenet_demo.py'), '--device',
        'cpu', '--infer-batch', '3', '--train-batch', '2', '--steps', '1',
        '--warmup', '0', '--json', str(out)]) == 0
    res = json.loads(out.read_text())
    assert res['device'] == 'cpu' and res['agreement_ok']
    assert res['agreement_fp32']['max_abs_logit'] == 0.0  # same device
    assert 0 < res['agreement_bf16']['max_abs_cos'] <= 3e-2
    # the demo's image tower trains: only the two text towers go bf16
    assert res['bf16_towers'] == ['caption_encoder.text_encoder',
                                  'head.text_encoder']
    for key in ('inference_bf16_clips_per_s', 'train_uncached_s',
                'train_cached_s'):
        assert res[key] > 0
    assert set(res['peak_memory_inference']) == {'cpu_rss_gib'}
    printed = capsys.readouterr().out
    assert 'inference bf16, batch 3:' in printed
    assert 'agreement OK' in printed
