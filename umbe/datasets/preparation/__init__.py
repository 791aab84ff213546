"""Helpers of the release preparation tools (``tools/data/*/prepare.py``).

A standalone sub-package: ``umbe.datasets`` does not import it, the tools do.
"""
from .audio import extract_audio, wav_is_valid
from .common import (build_parser, by_clip_id, check_frame_dirs, clip_media,
                     extract_all_audio, load_classes, make_record, run_tool,
                     start_report, wav_path, write_splits)
from .folds import (check_folds, fold_counts, fold_labels, fold_splits,
                    write_fold_splits)
from .io import atomic_write_json, atomic_write_text, rel_or_abs
from .release import (ReleaseError, find_dir, find_dirs, index_clip_dirs,
                      index_files, innermost, normalize_name,
                      official_label_name, pad_id, parse_int_id,
                      read_text_lines)
from .report import PrepReport
from .splits import stratified_split
from .xlsx import read_xlsx_rows

__all__ = [
    'extract_audio', 'wav_is_valid', 'build_parser', 'by_clip_id',
    'check_frame_dirs', 'clip_media', 'extract_all_audio', 'load_classes',
    'make_record', 'run_tool', 'start_report', 'wav_path', 'write_splits',
    'check_folds', 'fold_counts', 'fold_labels', 'fold_splits',
    'write_fold_splits', 'atomic_write_json', 'atomic_write_text',
    'rel_or_abs', 'ReleaseError', 'find_dir', 'find_dirs', 'index_clip_dirs',
    'index_files', 'innermost', 'normalize_name', 'official_label_name',
    'pad_id', 'parse_int_id',
    'read_text_lines', 'PrepReport', 'stratified_split', 'read_xlsx_rows'
]
