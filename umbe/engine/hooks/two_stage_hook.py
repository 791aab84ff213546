"""The two-stage prompt training switch (UMBEnet, Fig. 4)."""
import copy
import inspect
from typing import Dict, List, Optional

import torch
from mmengine.dist import (all_reduce, broadcast, broadcast_object_list,
                           get_rank, is_distributed)
from mmengine.hooks import Hook
from mmengine.optim import OptimWrapper, OptimWrapperDict

from umbe.models.prompts import PromptPool
from umbe.models.utils import (find_module, set_trainable_by_patterns,
                               unwrap_model)
from umbe.registry import HOOKS, MODELS

CKPT_KEY = 'two_stage'


@HOOKS.register_module()
class TwoStageHook(Hook):
    """Switch from unimodal prompt training (stage 1) to multimodal (stage 2).

    The hook only decides *when*; what happens at the switch belongs to the
    modules it finds by type: the data preprocessor's
    ``set_modality_augments`` (stage 1: ``stage1_augments``, a unimodal
    sampler; stage 2: ``stage2_augments``, modality dropout), the prompt
    pool's ``aggregate`` and ``reset_counts`` (:class:`PromptPool`, rule in
    ``docs/two_stage.md``), and the freezing rule
    (:func:`umbe.models.utils.set_trainable_by_patterns`). Parameters that
    start training join the first optimizer param group; the learning rate
    changes if configured.

    The stage is decided by ``position >= switch_at`` together with the stage
    saved in the checkpoint, so ``--resume`` in either stage works and the
    switch (with its aggregation) happens exactly once.

    Args:
        switch_at (int, optional): Length of stage 1 in epochs
            (``by_epoch=True``) or iterations; stage 2 starts when
            ``runner.epoch`` (or ``runner.iter``) ``>= switch_at``. None
            reads the config's top-level ``stage1_epochs`` when the run
            starts (the recipe's variable, so a config that inherits the
            recipe changes the stage length in one line). Defaults to None.
        by_epoch (bool): Count ``switch_at`` in epochs. Defaults to True.
        stage1_augments (list[dict], optional): Configs of the stage-1
            augments; None keeps those the preprocessor was built with.
            Defaults to None.
        stage2_augments (list[dict]): Configs of the stage-2 augments.
            Defaults to ``[dict(type='BatchModalityDropout')]``.
        aggregate (bool): Aggregate the pool at the switch. Defaults to True.
        activation_ratio (float): Activation threshold, as a multiple of the
            mean count. Defaults to 0.5.
        reinit_keep (float): Share of a re-initialised prompt's own values.
            Defaults to 0.1.
        reset_counts (bool): Zero the pool's counts after aggregating, so
            the stage-2 statistics start afresh (the stage-1 counts are kept
            in the checkpoint under ``two_stage``). Defaults to True.
        stage2_frozen (list[str], optional): Regexes (``re.search`` on
            parameter names) of parameters to freeze in stage 2.
            Defaults to None.
        stage2_trainable (list[str], optional): Regexes of parameters to
            train in stage 2 (applied after ``stage2_frozen``). Defaults to
            None.
        stage2_lr (float, optional): Learning rate of every param group at
            the switch. Defaults to None.
        stage2_lr_factor (float, optional): Factor on every group's learning
            rate at the switch; exclusive with ``stage2_lr``. Defaults to
            None.
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 switch_at: Optional[int] = None,
                 by_epoch: bool = True,
                 stage1_augments: Optional[List[Dict]] = None,
                 stage2_augments: Optional[List[Dict]] = None,
                 aggregate: bool = True,
                 activation_ratio: float = 0.5,
                 reinit_keep: float = 0.1,
                 reset_counts: bool = True,
                 stage2_frozen: Optional[List[str]] = None,
                 stage2_trainable: Optional[List[str]] = None,
                 stage2_lr: Optional[float] = None,
                 stage2_lr_factor: Optional[float] = None) -> None:
        if switch_at is not None:
            self._check_length(switch_at, 'switch_at')
        if activation_ratio < 0:
            raise ValueError('activation_ratio must be >= 0, got '
                             f'{activation_ratio!r}')
        if not 0 <= reinit_keep <= 1:
            raise ValueError(f'reinit_keep must be in [0, 1], got '
                             f'{reinit_keep!r}')
        if stage2_lr is not None and stage2_lr_factor is not None:
            raise ValueError('give stage2_lr or stage2_lr_factor, not both '
                             f'(got {stage2_lr!r} and {stage2_lr_factor!r})')
        for name, value in (('stage2_lr', stage2_lr),
                            ('stage2_lr_factor', stage2_lr_factor)):
            if value is not None and value <= 0:
                raise ValueError(f'{name} must be > 0, got {value!r}')
        for name, value in (('stage2_frozen', stage2_frozen),
                            ('stage2_trainable', stage2_trainable)):
            if isinstance(value, str) or not isinstance(
                    value, (list, tuple, type(None))):
                raise TypeError(f'{name} must be a list of regexes, got '
                                f'{value!r}')
        self.switch_at = switch_at
        self.by_epoch = by_epoch
        self.stage1_augments = copy.deepcopy(stage1_augments)
        self.stage2_augments = copy.deepcopy(
            [dict(type='BatchModalityDropout')]
            if stage2_augments is None else stage2_augments)
        for cfg in (self.stage1_augments or []) + self.stage2_augments:
            MODELS.build(copy.deepcopy(cfg))  # fail early on a bad config
        self.aggregate = aggregate
        self.activation_ratio = activation_ratio
        self.reinit_keep = reinit_keep
        self.reset_counts = reset_counts
        self.stage2_frozen = list(stage2_frozen or [])
        self.stage2_trainable = list(stage2_trainable or [])
        self.stage2_lr = stage2_lr
        self.stage2_lr_factor = stage2_lr_factor
        self.stage = 1
        self.switched_at: Optional[Dict[str, int]] = None
        self.stage1_counts: Optional[torch.Tensor] = None
        self.report: Optional[Dict] = None
        self._stage1_built = None
        self._applied = False

    @staticmethod
    def _check_length(value, name: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f'{name} must be an int >= 0, got {value!r}')
        return value

    # --- the modules the hook drives ----------------------------------------
    @staticmethod
    def _preprocessor(runner):
        preprocessor = unwrap_model(runner.model).data_preprocessor
        if not hasattr(preprocessor, 'set_modality_augments'):
            raise AttributeError(
                f'{type(preprocessor).__name__} has no set_modality_augments;'
                ' TwoStageHook needs the MultimodalEmotionPreprocessor')
        return preprocessor

    def _set_augments(self, runner, stage: int) -> None:
        preprocessor = self._preprocessor(runner)
        if self._stage1_built is None:
            self._stage1_built = list(preprocessor.modality_augments)
        if stage == 1 and self.stage1_augments is None:
            preprocessor.set_modality_augments(self._stage1_built)
        else:
            cfgs = self.stage1_augments if stage == 1 else \
                self.stage2_augments
            preprocessor.set_modality_augments(
                [self._seeded(cfg, runner) for cfg in cfgs])

    @staticmethod
    def _seeded(cfg: Dict, runner) -> Dict:
        """``cfg`` with the run's seed when its class takes one and the
        config gives none: the masks depend on the run, not on when the
        augment was built."""
        cfg = copy.deepcopy(cfg)
        cls = MODELS.get(cfg['type']) if isinstance(cfg.get('type'),
                                                    str) else cfg.get('type')
        seed = getattr(runner, 'seed', None)
        if cls is not None and seed is not None and 'seed' not in cfg and (
                'seed' in inspect.signature(cls).parameters):
            cfg['seed'] = seed
        return cfg

    @staticmethod
    def _optimizers(runner) -> List[torch.optim.Optimizer]:
        wrapper = runner.optim_wrapper
        if hasattr(wrapper, 'optimizer'):
            return [wrapper.optimizer]
        return [w.optimizer for w in wrapper.values()]  # OptimWrapperDict

    def _enter_stage2(self, runner) -> None:
        """Stage-2 augments and trainable set (at the switch and after a
        resume in stage 2, before the optimizer state is loaded)."""
        self._set_augments(runner, 2)
        if not (self.stage2_frozen or self.stage2_trainable):
            return
        started = set_trainable_by_patterns(
            unwrap_model(runner.model), self.stage2_frozen,
            self.stage2_trainable)
        optimizers = self._optimizers(runner)
        if started and optimizers:
            optimizer = optimizers[0]
            held = {id(p) for g in optimizer.param_groups
                    for p in g['params']}
            optimizer.param_groups[0]['params'].extend(
                p for p in started if id(p) not in held)

    # --- hook points ---------------------------------------------------------
    def before_run(self, runner) -> None:
        """Read ``stage1_epochs`` from the config when ``switch_at`` is
        None."""
        if self.switch_at is not None:
            return
        cfg = getattr(runner, 'cfg', None) or {}
        if cfg.get('stage1_epochs') is None:
            raise ValueError(
                'TwoStageHook has no switch_at and the config no '
                'stage1_epochs; set stage1_epochs = N in the config (as '
                'configs/_base_/recipes/umbenet_two_stage.py does) or '
                'switch_at=N in the hook')
        self.switch_at = self._check_length(cfg['stage1_epochs'],
                                            'stage1_epochs')

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        """Restore the stage; in stage 2, re-apply the trainable set.

        Called before the optimizer state is loaded, so params that joined
        the optimizer at the switch are added again first.
        """
        state = checkpoint.get(CKPT_KEY)
        if state is None:
            return
        self.stage = int(state['stage'])
        self.switched_at = state.get('switched_at')
        self.stage1_counts = state.get('stage1_counts')
        self.report = state.get('report')
        if self.stage == 2 and isinstance(
                getattr(runner, 'optim_wrapper', None),
            (OptimWrapper, OptimWrapperDict)):
            self._enter_stage2(runner)
            self._applied = True

    def before_train(self, runner) -> None:
        """Set the current stage's augments (and trainable set); the switch
        itself waits for ``before_train_epoch`` / ``before_train_iter``, as
        in an uninterrupted run."""
        if self.stage == 2:
            if not self._applied:
                self._enter_stage2(runner)
                self._applied = True
            runner.logger.info(
                f'TwoStageHook: continuing in stage 2 (switched at '
                f'{self.switched_at})')
        else:
            self._set_augments(runner, 1)

    def before_train_epoch(self, runner) -> None:
        """Switch when ``runner.epoch >= switch_at`` (by epoch)."""
        if self.by_epoch:
            self._check_switch(runner)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Switch when ``runner.iter >= switch_at`` (by iteration)."""
        if not self.by_epoch:
            self._check_switch(runner)

    def before_save_checkpoint(self, runner, checkpoint: Dict) -> None:
        """Save the stage, the switch point and the stage-1 statistics."""
        checkpoint[CKPT_KEY] = dict(
            stage=self.stage,
            switched_at=self.switched_at,
            stage1_counts=self.stage1_counts,
            report=self.report)

    # --- the switch ------------------------------------------------------------
    def _check_switch(self, runner) -> None:
        position = runner.epoch if self.by_epoch else runner.iter
        if self.stage == 1 and position >= self.switch_at:
            self._switch(runner)

    def _switch(self, runner) -> None:
        self.switched_at = dict(epoch=runner.epoch, iter=runner.iter)
        if self.aggregate:
            self._aggregate(find_module(runner.model, PromptPool))
        self._enter_stage2(runner)
        self._applied = True
        for optimizer in self._optimizers(runner):
            for group in optimizer.param_groups:
                if self.stage2_lr is not None:
                    group['lr'] = self.stage2_lr
                elif self.stage2_lr_factor is not None:
                    group['lr'] = group['lr'] * self.stage2_lr_factor
        self.stage = 2
        self._log_switch(runner)

    def _aggregate(self, pool: PromptPool) -> None:
        """Aggregate once for all processes: the counts summed over ranks,
        the pool aggregated on rank 0 and broadcast, so that every process
        holds the same prompts and keys (DDP does not re-sync them)."""
        counts = pool.selection_counts.detach().clone()
        all_reduce(counts, op='sum')
        self.stage1_counts = counts.cpu()
        report = [None]
        if get_rank() == 0:
            report[0] = pool.aggregate(counts, self.activation_ratio,
                                       self.reinit_keep)
        if is_distributed():
            broadcast(pool.prompts.data, src=0)
            broadcast(pool.keys.data, src=0)
            broadcast_object_list(report, src=0)
        self.report = report[0]
        if self.reset_counts:
            pool.reset_counts()

    def _log_switch(self, runner) -> None:
        lines = [f'TwoStageHook: stage 1 -> stage 2 at epoch '
                 f'{self.switched_at["epoch"]}, iter '
                 f'{self.switched_at["iter"]}']
        if self.report is not None:
            for name, ids in self.report['activated'].items():
                lines.append(f'  prompts activated by {name}: {ids}')
            lines.append(f'  kept {len(self.report["kept"])} prompts, '
                         're-initialised '
                         f'{len(self.report["reinitialised"])}')
        augments = self._preprocessor(runner).modality_augments
        lines.append(f'  modality_augments: {augments}')
        runner.logger.info('\n'.join(lines))
