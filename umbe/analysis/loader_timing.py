"""Throughput of a dataloader, in clips per second."""
import copy
import time

from mmengine.runner import Runner


def loader_clips_per_s(dl_cfg: dict, dataset, batch_size: int,
                       num_workers, steps: int) -> float:
    """Clips over wall time of a dataloader built like the Runner does.

    The first batch (worker start-up) is not timed; then ``max(steps, 16)``
    batches (at most one epoch), so the few batches the workers prefetch
    while the first one is awaited weigh little.

    Args:
        dl_cfg (dict): A dataloader config (``train_dataloader``).
        dataset (Dataset): The built dataset it reads.
        batch_size (int): Clips per batch.
        num_workers (int, optional): Workers; None keeps the config's.
        steps (int): Batches to time at least.

    Returns:
        float: clips/s.
    """
    dl_cfg = copy.deepcopy(dl_cfg)
    dl_cfg.update(batch_size=batch_size, dataset=dataset)
    if num_workers is not None:
        dl_cfg['num_workers'] = num_workers
    if not dl_cfg.get('num_workers'):
        dl_cfg['persistent_workers'] = False
    loader = Runner.build_dataloader(dl_cfg, seed=0)
    it = iter(loader)
    next(it)
    clips, start = 0, time.perf_counter()
    for _ in range(min(max(steps, 16), len(loader) - 1)):
        clips += len(next(it)['data_samples'])
    return clips / (time.perf_counter() - start)
