"""Preparing the official releases: ``prepare_dfew``, ``prepare_ferv39k``,
``prepare_mafw`` and the helpers they share (the logic behind
``tools/data/*/prepare.py``).

A standalone sub-package: ``umbe.datasets`` does not import it, the tools do.
"""
from .audio import extract_audio, wav_is_valid
from .common import (SAMPLE_RATE, VAL_RATIO, build_parser, by_clip_id,
                     check_frame_dirs, clip_media, extract_all_audio,
                     load_classes, make_record, run_tool, start_report,
                     wav_path, write_splits)
from .dfew import prepare_dfew
from .ferv39k import prepare_ferv39k
from .folds import (check_folds, fold_counts, fold_labels, fold_splits,
                    write_fold_splits)
from .io import atomic_write_json, atomic_write_text, rel_or_abs
from .mafw import prepare_mafw
from .release import (ReleaseError, find_dir, find_dirs, index_clip_dirs,
                      index_files, innermost, normalize_name,
                      official_label_name, pad_id, parse_int_id,
                      read_text_lines)
from .report import PrepReport
from .splits import stratified_split
from .xlsx import read_xlsx_rows

__all__ = [
    'prepare_dfew', 'prepare_ferv39k', 'prepare_mafw', 'SAMPLE_RATE',
    'VAL_RATIO', 'extract_audio', 'wav_is_valid', 'build_parser', 'by_clip_id',
    'check_frame_dirs', 'clip_media', 'extract_all_audio', 'load_classes',
    'make_record', 'run_tool', 'start_report', 'wav_path', 'write_splits',
    'check_folds', 'fold_counts', 'fold_labels', 'fold_splits',
    'write_fold_splits', 'atomic_write_json', 'atomic_write_text',
    'rel_or_abs', 'ReleaseError', 'find_dir', 'find_dirs', 'index_clip_dirs',
    'index_files', 'innermost', 'normalize_name', 'official_label_name',
    'pad_id', 'parse_int_id',
    'read_text_lines', 'PrepReport', 'stratified_split', 'read_xlsx_rows'
]
