"""Refuses to train or evaluate a model on a cache built by other towers."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from umbe.registry import HOOKS
from umbe.datasets.feature_cache import check_model


@HOOKS.register_module()
class FeatureCacheCheckHook(Hook):
    """Check each cached dataset against the model before it is used.

    A ``CachedFeatureDataset`` checks its own pipeline and annotation file,
    but only the runner sees both the dataset and the model: this hook
    compares the cache's key with the model's frozen towers and
    preprocessing, and raises ``StaleCacheError`` (naming the cache and the
    command that rebuilds it) when they differ. Loaders that are not cached
    are ignored.
    """

    priority = 'VERY_HIGH'

    @staticmethod
    def _check(runner, loader) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        check_model(model, loader.dataset)

    def before_train(self, runner) -> None:
        """Check the training cache (and the validation one, if any)."""
        self._check(runner, runner.train_dataloader)

    def before_val(self, runner) -> None:
        """Check the validation cache."""
        self._check(runner, runner.val_dataloader)

    def before_test(self, runner) -> None:
        """Check the test cache."""
        self._check(runner, runner.test_dataloader)
