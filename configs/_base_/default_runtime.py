# Runtime shared by every umbe config: scope, hooks, environment, logging.
default_scope = 'umbe'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # keeps the last checkpoint and the best one by validation UAR
    # (key of umbe's UARWARMetric); see the schedules for the interval.
    # Atomic: a kill or a full disk never leaves the work dir unresumable.
    checkpoint=dict(
        type='AtomicCheckpointHook',
        interval=1,
        max_keep_ckpts=1,
        save_best='UAR',
        rule='greater',
        save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # refuses a frozen-feature cache built by other towers (no-op otherwise)
    feature_cache_check=dict(type='FeatureCacheCheckHook'),
    # refuses a checkpoint (load_from / resume) of another model or class
    # list, before its weights are used
    checkpoint_check=dict(type='CheckpointCheckHook'),
    # every random stream of training resumable bit for bit
    random_state=dict(type='RandomStateHook'))
# No SyncBuffersHook: it averages every buffer across ranks, which would turn
# the prompt pool's integer `selection_counts` into per-rank means.

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # tools/ switch to gloo on CPU
# On CPU, tools/train.py and tools/test.py set the main process's PyTorch
# threads to cores minus dataloader workers (at least 1) unless
# OMP_NUM_THREADS is set; env_cfg.cpu_threads=N (or --cpu-threads N) fixes
# the count (umbe/utils/cpu_threads.py).

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False

# The prompt pool selects top-k prompts per sample, so some parameters get
# no gradient in a step: DDP must look for unused parameters.
find_unused_parameters = True

randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
