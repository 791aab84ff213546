"""A tiny mmengine model with the contract of UMBEnet that the hooks use.

``data_preprocessor.set_modality_augments`` (callables ``(present,
training)``) and a :class:`PromptPool` (found by type) whose
``selection_counts`` are updated in training forward.
``ToyPoolTestCase`` is the RunnerTestCase that the hook tests share.
"""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor, BaseModel
from mmengine.registry import DATASETS
from mmengine.testing import RunnerTestCase
from torch.utils.data import Dataset

from umbe.models.prompts import PromptPool
from umbe.structures import MODALITIES, presence_matrix, subset_ids

P, L, D, K = 8, 2, 4, 2


class ToyPreprocessor(BaseDataPreprocessor):

    def __init__(self, modality_augments=()):
        super().__init__()
        self.set_modality_augments(modality_augments)

    def set_modality_augments(self, augments):
        from umbe.registry import MODELS
        self.modality_augments = [
            MODELS.build(copy.deepcopy(c)) if isinstance(c, dict) else c
            for c in augments
        ]

    def forward(self, data, training=False):
        data = self.cast_data(data)
        inputs = data['inputs']
        present = {m: inputs['present'][:, i]
                   for i, m in enumerate(MODALITIES)}
        if training:
            for augment in self.modality_augments:
                present = augment(present, training)
        return dict(inputs=dict(x=inputs['x'], present=present),
                    data_samples=data['data_samples'])


class ToyPool(PromptPool):
    """A real PromptPool (its counts, aggregation, reset) with a toy
    selection returning the mean selected prompt."""

    def __init__(self):
        super().__init__(pool_size=P, prompt_length=L, embed_dim=D, top_k=K)
        with torch.no_grad():
            self.prompts.normal_()
            self.keys.normal_()

    def forward(self, query, present):
        sim = F.normalize(query, dim=-1) @ F.normalize(self.keys, dim=-1).T
        top = sim.topk(K, dim=1).indices  # (B, K)
        if self.training:
            self.count_selections(top, subset_ids(presence_matrix(present)))
        chosen = self.prompts[top].mean((1, 2))  # (B, D)
        key_loss = (1 - sim.gather(1, top)).mean()
        return chosen, key_loss


class ToyPoolModel(BaseModel):

    def __init__(self, data_preprocessor=None):
        super().__init__(data_preprocessor=data_preprocessor or dict(
            type=ToyPreprocessor))
        self.backbone = nn.Linear(len(MODALITIES) * 2, D)
        self.backbone.requires_grad_(False)  # frozen, as a CLIP tower
        self.prompt_pool = ToyPool()
        self.head = nn.Linear(D, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        present = torch.stack([inputs['present'][m] for m in MODALITIES], 1)
        x = inputs['x'] * present.repeat_interleave(2, 1)
        query = self.backbone(x)
        chosen, key_loss = self.prompt_pool(query, inputs['present'])
        out = self.head(query + chosen).squeeze(1)
        if mode == 'loss':
            return dict(loss_reg=((out - data_samples)**2).mean(),
                        loss_key_match=key_loss)
        return out


class ToyPoolDataset(Dataset):
    """8 samples with all modalities, 4 with face and audio only."""
    metainfo = dict()

    def __len__(self):
        return 12

    def __getitem__(self, index):
        gen = torch.Generator().manual_seed(index)
        present = torch.ones(len(MODALITIES), dtype=torch.bool)
        if index >= 8:
            present[[1, 3]] = False
        return dict(inputs=dict(x=torch.randn(8, generator=gen),
                                present=present),
                    data_samples=torch.randn(1, generator=gen)[0])


class ToyPoolTestCase(RunnerTestCase):
    """A RunnerTestCase whose epoch- and iter-based configs train
    ``ToyPoolModel`` on ``ToyPoolDataset`` in batches of 4, without val or
    test; the two are registered for the test and removed after it."""

    def setUp(self):
        from umbe.registry import MODELS
        super().setUp()
        MODELS.register_module(module=ToyPoolModel, force=True)
        DATASETS.register_module(module=ToyPoolDataset, force=True)
        for cfg in (self.epoch_based_cfg, self.iter_based_cfg):
            cfg.default_scope = 'umbe'
            cfg.model = dict(type='ToyPoolModel')
            cfg.train_dataloader.dataset = dict(type='ToyPoolDataset')
            cfg.train_dataloader.collate_fn = dict(type='default_collate')
            cfg.train_dataloader.batch_size = 4
            cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
            cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None

    def tearDown(self):
        from umbe.registry import MODELS
        MODELS.module_dict.pop('ToyPoolModel', None)
        DATASETS.module_dict.pop('ToyPoolDataset', None)
        super().tearDown()
