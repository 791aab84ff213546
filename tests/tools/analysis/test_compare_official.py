"""tools/analysis/compare_official.py without the public code: its
refusals."""
import pytest

from tools.analysis import compare_official


def test_refuses_a_path_without_the_public_module(tmp_path):
    with pytest.raises(SystemExit, match='model_unimod_mafw_vat.py'):
        compare_official.main(['--official-repo', str(tmp_path)])
