"""The two-stage prompt training switch (UMBEnet, Fig. 4)."""
import copy
import re
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict

from umbe.engine.prompt_aggregation import aggregate_prompt_pool
from umbe.registry import HOOKS, MODELS

CKPT_KEY = 'two_stage'


def find_pool(model, path: Optional[str]):
    """The prompt pool: at a dotted attribute path, or found by its counts.

    Args:
        model (nn.Module): The (possibly wrapped) model.
        path (str, optional): Dotted path from the unwrapped model, e.g.
            ``'head.prompt_pool'``; None finds the one sub-module that holds a
            ``selection_counts`` tensor.
    """
    module = model.module if is_model_wrapper(model) else model
    if path is None:
        found = [n for n, m in module.named_modules()
                 if isinstance(getattr(m, 'selection_counts', None),
                               torch.Tensor)]
        if len(found) != 1:
            raise AttributeError(
                'cannot find the prompt pool: sub-modules with '
                f'selection_counts are {found}; set pool_path')
        path = found[0]
        if not path:
            return module
    for name in path.split('.'):
        if not hasattr(module, name):
            raise AttributeError(
                f'{type(module).__name__} has no attribute {name!r} (path '
                f'{path!r}); set pool_path to the prompt pool or None')
        module = getattr(module, name)
    return module


def pool_tensor(pool, names: Sequence[str], required: bool = True):
    """The first of ``names`` that ``pool`` holds (Parameter or buffer)."""
    for name in names:
        value = getattr(pool, name, None)
        if isinstance(value, torch.Tensor):
            return value
    if required:
        held = [n for n, _ in pool.named_parameters(recurse=False)]
        held += [n for n, _ in pool.named_buffers(recurse=False)]
        raise AttributeError(f'the prompt pool has none of {list(names)}; '
                             f'it holds {held}')
    return None


@HOOKS.register_module()
class TwoStageHook(Hook):
    """Switch from unimodal prompt training (stage 1) to multimodal (stage 2).

    Stage 1 trains with the preprocessor's ``modality_augments`` set to
    ``stage1_augments`` (a unimodal sampler); from ``switch_at`` epochs (or
    iterations) on, stage 2 trains with ``stage2_augments`` (modality
    dropout). At the switch, once, the prompt pool is aggregated from the
    stage-1 ``selection_counts`` (rule in :mod:`umbe.engine.prompt_aggregation`
    and ``docs/two_stage.md``), parameters matching ``stage2_frozen`` stop
    training, those matching ``stage2_trainable`` start (joining the first
    optimizer param group), and the learning rate changes if configured.

    The stage is decided by ``position >= switch_at`` together with the stage
    saved in the checkpoint, so ``--resume`` in either stage works and the
    switch (with its aggregation) happens exactly once.

    Args:
        switch_at (int): Length of stage 1 in epochs (``by_epoch=True``) or
            iterations; stage 2 starts when ``runner.epoch`` (or
            ``runner.iter``) ``>= switch_at``.
        by_epoch (bool): Count ``switch_at`` in epochs. Defaults to True.
        stage1_augments (list[dict], optional): Configs of the stage-1
            callables; None keeps those the preprocessor was built with.
            Defaults to None.
        stage2_augments (list[dict]): Configs of the stage-2 callables.
            Defaults to ``[dict(type='BatchModalityDropout')]``.
        pool_path (str, optional): Dotted path of the prompt pool in the
            model (``'head.prompt_pool'`` in UMBEnet); None finds the one
            sub-module holding ``selection_counts``. Defaults to None.
        aggregate (bool): Aggregate the pool at the switch. Defaults to True.
        activation_ratio (float): Activation threshold, as a multiple of the
            mean count. Defaults to 0.5.
        reinit_keep (float): Share of a re-initialised prompt's own values.
            Defaults to 0.1.
        reset_counts (bool): Zero ``selection_counts`` after aggregating, so
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
                 switch_at: int,
                 by_epoch: bool = True,
                 stage1_augments: Optional[List[Dict]] = None,
                 stage2_augments: Optional[List[Dict]] = None,
                 pool_path: Optional[str] = None,
                 aggregate: bool = True,
                 activation_ratio: float = 0.5,
                 reinit_keep: float = 0.1,
                 reset_counts: bool = True,
                 stage2_frozen: Optional[List[str]] = None,
                 stage2_trainable: Optional[List[str]] = None,
                 stage2_lr: Optional[float] = None,
                 stage2_lr_factor: Optional[float] = None) -> None:
        if not isinstance(switch_at, int) or switch_at < 0:
            raise ValueError(f'switch_at must be an int >= 0, got '
                             f'{switch_at!r}')
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
        self.patterns = {}
        for name, value in (('stage2_frozen', stage2_frozen),
                            ('stage2_trainable', stage2_trainable)):
            if isinstance(value, str) or not isinstance(value,
                                                        (list, tuple,
                                                         type(None))):
                raise TypeError(f'{name} must be a list of regexes, got '
                                f'{value!r}')
            self.patterns[name] = [re.compile(p) for p in value or []]
        self.switch_at = switch_at
        self.by_epoch = by_epoch
        self.stage1_augments = copy.deepcopy(stage1_augments)
        self.stage2_augments = copy.deepcopy(
            [dict(type='BatchModalityDropout')]
            if stage2_augments is None else stage2_augments)
        for cfg in (self.stage1_augments or []) + self.stage2_augments:
            MODELS.build(copy.deepcopy(cfg))  # fail early on a bad config
        self.pool_path = pool_path
        self.aggregate = aggregate
        self.activation_ratio = activation_ratio
        self.reinit_keep = reinit_keep
        self.reset_counts = reset_counts
        self.stage2_lr = stage2_lr
        self.stage2_lr_factor = stage2_lr_factor
        self.stage = 1
        self.switched_at: Optional[Dict[str, int]] = None
        self.stage1_counts: Optional[torch.Tensor] = None
        self.report: Optional[Dict] = None
        self._stage1_built = None
        self._applied = False

    # --- helpers -----------------------------------------------------------
    def _preprocessor(self, runner):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        preprocessor = model.data_preprocessor
        if not hasattr(preprocessor, 'modality_augments'):
            raise AttributeError(
                f'{type(preprocessor).__name__} has no modality_augments; '
                'TwoStageHook needs the MultimodalEmotionPreprocessor')
        return preprocessor

    def _set_augments(self, runner, stage: int) -> None:
        preprocessor = self._preprocessor(runner)
        if self._stage1_built is None:
            self._stage1_built = list(preprocessor.modality_augments)
        if stage == 1 and self.stage1_augments is None:
            augments = list(self._stage1_built)
        else:
            cfgs = self.stage1_augments if stage == 1 else \
                self.stage2_augments
            augments = [MODELS.build(copy.deepcopy(c)) for c in cfgs]
        preprocessor.modality_augments = augments

    def _set_trainable(self, runner) -> List[torch.nn.Parameter]:
        """Apply the stage-2 patterns; return params newly trainable."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        started = []
        for name, param in model.named_parameters():
            if any(p.search(name) for p in self.patterns['stage2_frozen']):
                param.requires_grad_(False)
            if any(p.search(name)
                   for p in self.patterns['stage2_trainable']):
                if not param.requires_grad:
                    started.append(param)
                param.requires_grad_(True)
        return started

    def _optimizers(self, runner) -> List[torch.optim.Optimizer]:
        wrapper = runner.optim_wrapper
        if hasattr(wrapper, 'optimizer'):
            return [wrapper.optimizer]
        return [w.optimizer for w in wrapper.values()]  # OptimWrapperDict

    def _add_to_optimizer(self, runner, params) -> None:
        """Put params the optimizer does not hold into its first group."""
        if not params or not self._optimizers(runner):
            return
        optimizer = self._optimizers(runner)[0]
        held = {id(p) for g in optimizer.param_groups for p in g['params']}
        new = [p for p in params if id(p) not in held]
        optimizer.param_groups[0]['params'].extend(new)

    def _enter_stage2(self, runner) -> None:
        self._set_augments(runner, 2)
        if self.patterns['stage2_frozen'] or \
                self.patterns['stage2_trainable']:
            self._add_to_optimizer(runner, self._set_trainable(runner))

    # --- hook points ---------------------------------------------------------
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
        """Set the current stage's augments (and trainable set)."""
        if self.stage == 2:
            if not self._applied:
                self._enter_stage2(runner)
            runner.logger.info(
                f'TwoStageHook: continuing in stage 2 (switched at '
                f'{self.switched_at})')
        else:
            self._set_augments(runner, 1)
            self._check_switch(runner)

    def before_train_epoch(self, runner) -> None:
        """Switch when ``runner.epoch >= switch_at`` (by epoch)."""
        if self.by_epoch:
            self._check_switch(runner)

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        """Switch when ``runner.iter >= switch_at`` (by iteration).

        In stage 2 the trainable patterns are applied again: the train loop
        calls ``model.train()`` after ``before_train_epoch`` (every
        iteration in iteration-based loops), and components such as the CLIP
        towers re-freeze themselves there.
        """
        if not self.by_epoch:
            self._check_switch(runner)
        if self.stage == 2 and (self.patterns['stage2_frozen']
                                or self.patterns['stage2_trainable']):
            self._set_trainable(runner)

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
            pool = find_pool(runner.model, self.pool_path)
            counts = pool_tensor(pool, ('selection_counts', 'counts'))
            prompts = pool_tensor(pool, ('prompts', 'prompt', 'values'))
            keys = pool_tensor(pool, ('keys', 'key', 'prompt_keys'),
                               required=False)
            self.stage1_counts = counts.detach().cpu().clone()
            self.report = aggregate_prompt_pool(
                prompts.data, None if keys is None else keys.data,
                self.stage1_counts, self.activation_ratio, self.reinit_keep)
            if self.reset_counts:
                counts.zero_()
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
