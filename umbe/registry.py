"""umbe's registries: children of mmaction2's.

A config with ``default_scope='umbe'`` builds umbe components first and falls
back to mmaction2 and mmengine ones through the parent registries. Each
registry names the umbe package that registers into it (``locations``), so
that building by name imports the right module; ``tests/test_registry.py``
imports every location and builds each registered name once.
"""
from mmaction.registry import DATA_SAMPLERS as MMACTION_DATA_SAMPLERS
from mmaction.registry import DATASETS as MMACTION_DATASETS
from mmaction.registry import EVALUATOR as MMACTION_EVALUATOR
from mmaction.registry import HOOKS as MMACTION_HOOKS
from mmaction.registry import LOOPS as MMACTION_LOOPS
from mmaction.registry import METRICS as MMACTION_METRICS
from mmaction.registry import MODEL_WRAPPERS as MMACTION_MODEL_WRAPPERS
from mmaction.registry import MODELS as MMACTION_MODELS
from mmaction.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMACTION_OPTIM_WRAPPER_CONSTRUCTORS
from mmaction.registry import OPTIM_WRAPPERS as MMACTION_OPTIM_WRAPPERS
from mmaction.registry import OPTIMIZERS as MMACTION_OPTIMIZERS
from mmaction.registry import PARAM_SCHEDULERS as MMACTION_PARAM_SCHEDULERS
from mmaction.registry import TRANSFORMS as MMACTION_TRANSFORMS
from mmaction.registry import VISBACKENDS as MMACTION_VISBACKENDS
from mmaction.registry import VISUALIZERS as MMACTION_VISUALIZERS
from mmengine.registry import Registry

# data
DATASETS = Registry(
    'dataset', parent=MMACTION_DATASETS, locations=['umbe.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMACTION_DATA_SAMPLERS,
    locations=['umbe.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMACTION_TRANSFORMS,
    locations=['umbe.datasets.transforms'])

# models (the data preprocessor's modality augments included)
MODELS = Registry(
    'model', parent=MMACTION_MODELS, locations=['umbe.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMACTION_MODEL_WRAPPERS,
    locations=['umbe.models'])

# training
HOOKS = Registry('hook', parent=MMACTION_HOOKS, locations=['umbe.engine'])
LOOPS = Registry('loop', parent=MMACTION_LOOPS, locations=['umbe.engine'])
OPTIMIZERS = Registry(
    'optimizer', parent=MMACTION_OPTIMIZERS, locations=['umbe.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMACTION_OPTIM_WRAPPERS,
    locations=['umbe.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMACTION_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['umbe.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMACTION_PARAM_SCHEDULERS,
    locations=['umbe.engine'])

# evaluation and visualisation
METRICS = Registry(
    'metric', parent=MMACTION_METRICS, locations=['umbe.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMACTION_EVALUATOR, locations=['umbe.evaluation'])
VISUALIZERS = Registry(
    'visualizer', parent=MMACTION_VISUALIZERS,
    locations=['umbe.visualization'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMACTION_VISBACKENDS,
    locations=['umbe.visualization'])
