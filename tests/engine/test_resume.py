"""find_resume_checkpoint: what --resume continues from when the work dir
is damaged, copied or half-written."""
import os
import os.path as osp
import shutil

import torch

from umbe.engine import find_resume_checkpoint, is_complete_checkpoint


def save(path, **extra):
    torch.save(dict(state_dict=dict(w=torch.randn(256)), **extra), path)
    return path


def test_complete_checkpoints(tmp_path):
    good = save(str(tmp_path / 'epoch_1.pth'))
    assert is_complete_checkpoint(good)
    cut = tmp_path / 'epoch_2.pth'
    cut.write_bytes(open(good, 'rb').read()[:600])
    assert not is_complete_checkpoint(str(cut))
    (tmp_path / 'empty.pth').write_bytes(b'')
    assert not is_complete_checkpoint(str(tmp_path / 'empty.pth'))
    assert not is_complete_checkpoint(str(tmp_path / 'missing.pth'))


def test_named_checkpoint_relative_to_the_work_dir(tmp_path):
    save(str(tmp_path / 'epoch_3.pth'))
    (tmp_path / 'last_checkpoint').write_text('epoch_3.pth')
    warnings = []
    assert find_resume_checkpoint(str(tmp_path), warnings.append) == str(
        tmp_path / 'epoch_3.pth')
    assert warnings == []


def test_missing_or_truncated_falls_back_with_a_warning(tmp_path):
    work = str(tmp_path)
    save(osp.join(work, 'epoch_1.pth'))
    save(osp.join(work, 'epoch_2.pth'))
    (tmp_path / 'epoch_3.pth').write_bytes(b'PK\x03\x04 cut short')
    (tmp_path / 'last_checkpoint').write_text(osp.join(work, 'epoch_4.pth'))
    warnings = []
    assert find_resume_checkpoint(work, warnings.append) == osp.join(
        work, 'epoch_2.pth')
    assert len(warnings) == 1
    assert 'epoch_4.pth, which is missing' in warnings[0]
    assert 'resuming from' in warnings[0] and 'epoch_2.pth' in warnings[0]
    (tmp_path / 'last_checkpoint').write_text('epoch_3.pth')
    warnings.clear()
    assert find_resume_checkpoint(work, warnings.append).endswith(
        'epoch_2.pth')
    assert 'truncated or damaged' in warnings[0]


def test_only_a_best_checkpoint_left(tmp_path):
    save(str(tmp_path / 'best_UAR_epoch_2.pth'))
    (tmp_path / 'last_checkpoint').write_text('epoch_3.pth')
    warnings = []
    found = find_resume_checkpoint(str(tmp_path), warnings.append)
    assert found.endswith('best_UAR_epoch_2.pth')
    assert 'no optimizer state' in warnings[0]


def test_a_copied_work_dir_resumes_from_its_own_files(tmp_path):
    original = tmp_path / 'run'
    original.mkdir()
    save(str(original / 'epoch_5.pth'))
    # mmengine writes an absolute path into last_checkpoint
    (original / 'last_checkpoint').write_text(str(original / 'epoch_5.pth'))
    copy = tmp_path / 'copy'
    shutil.copytree(original, copy)
    assert find_resume_checkpoint(str(copy)) == str(copy / 'epoch_5.pth')


def test_nothing_to_resume(tmp_path):
    assert find_resume_checkpoint(str(tmp_path)) is None
    (tmp_path / 'last_checkpoint').write_text('epoch_1.pth')
    warnings = []
    assert find_resume_checkpoint(str(tmp_path), warnings.append) is None
    assert 'starts afresh' in warnings[0]
    assert not os.listdir(tmp_path) == []
