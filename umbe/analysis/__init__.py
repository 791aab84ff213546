"""Measuring models and runs: parameters, FLOPs, step and epoch timing,
result tables, t-SNE and prompt-usage figures (the logic behind
tools/analysis/)."""
from .benchmark_configs import (CACHED_DATASET, set_random_towers,
                                source_dataset_cfg)
from .complexity import (FLOPS_PER_MULTIPLY_ADD, ParameterCount,
                         count_flops, count_parameters, flops_per_clip,
                         parameters_per_child)
from .embedding_plots import (INPUT_KEYS, class_separation, input_features,
                              plot_tsne, tsne_2d)
from .epoch_benchmark import (EpochRun, check_twins, epoch_benchmark_table,
                              prepare_run, summarize_epochs, time_training)
from .gpu_check import gpu_check, gpu_check_report
from .kfold_summary import kfold_tables, read_test_results, summarize_folds
from .loader_timing import loader_clips_per_s
from .memory import peak_memory, peak_rss_gib, reset_peak_memory
from .modality_ablation import (RECIPES, ablation_table, recipe_config,
                                run_ablation)
from .prompt_usage_plots import plot_prompt_usage, run_panels, with_entropy
from .step_benchmark import benchmark_steps, step_benchmark_table
from .step_timing import (frozen_features, inference_times,
                          paired_median_times, synchronize, train_step_times)
from .synthetic_batch import first_clip, synthetic_batch, synthetic_clips
from .tower_speed import (class_text_speed, full_class_embeddings,
                          vision_tower_speed)

__all__ = [
    'CACHED_DATASET', 'set_random_towers', 'source_dataset_cfg',
    'FLOPS_PER_MULTIPLY_ADD', 'ParameterCount', 'count_flops',
    'count_parameters', 'flops_per_clip', 'parameters_per_child', 'EpochRun',
    'check_twins', 'epoch_benchmark_table', 'prepare_run',
    'summarize_epochs', 'time_training', 'gpu_check', 'gpu_check_report',
    'kfold_tables', 'read_test_results',
    'summarize_folds', 'loader_clips_per_s', 'peak_memory', 'peak_rss_gib',
    'reset_peak_memory', 'RECIPES', 'ablation_table', 'recipe_config',
    'run_ablation', 'benchmark_steps', 'step_benchmark_table',
    'frozen_features', 'inference_times', 'paired_median_times',
    'synchronize', 'train_step_times', 'first_clip', 'synthetic_batch',
    'synthetic_clips', 'class_text_speed', 'full_class_embeddings',
    'vision_tower_speed', 'INPUT_KEYS', 'class_separation', 'input_features',
    'plot_tsne', 'tsne_2d', 'plot_prompt_usage', 'run_panels', 'with_entropy'
]
