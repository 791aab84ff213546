"""Dataset reading the frozen-feature cache of tools/cache_features.py."""
import json
import os.path as osp
from typing import Callable, List, Optional, Union

import numpy as np
import torch
from mmaction.structures import ActionDataSample
from mmengine.dataset import BaseDataset

from umbe.registry import DATASETS
from umbe.structures import MODALITIES
from .format import (CLIPS, FeatureCacheArrays, StaleCacheError,
                     read_manifest, rebuild_command)
from .keys import SOURCE_COMPONENTS, check_components, source_components


@DATASETS.register_module()
class CachedFeatureDataset(BaseDataset):
    """Clips as cached frozen features, audio, frame mask and presence.

    Reads a cache directory written by ``tools/cache_features.py`` (format in
    :mod:`umbe.datasets.feature_cache.format`, docs/feature_cache.md). A sample packs
    ``inputs`` = ``dict(frozen_features=dict(face=(T, Dv), scene=(T, Dv),
    caption=(E,)), audio=(S,))`` and an ``ActionDataSample`` with
    ``gt_label``, ``frame_mask`` bool ``(T,)``, ``present`` and the metainfo
    ``filename``, ``clip_id``, ``view``; batch it with
    ``CachedFeaturePreprocessor``.

    In training a sample is one of the K cached views, drawn at random; in
    test mode it is view 0. ``pipeline`` holds transforms that only edit
    ``results['present']`` (``ModalityDropout``, ``UnimodalSample``): they
    run on every load, so modality dropout stays random per epoch.

    At construction the cache is checked against ``source`` (its pipeline /
    sampling and annotation file) and for completeness; a stale, missing or
    unfinished cache raises, naming the directory and the command to
    (re)build it. The frozen towers' weights are checked by
    ``FeatureCacheCheckHook`` (``check_model``).

    Args:
        cache_dir (str): The cache directory of this split.
        source (dict, optional): The uncached dataset config the cache was
            built from (``ann_file``, ``data_root``, ``pipeline``); checked
            against the manifest. None skips the check. Defaults to None.
        pipeline (list[dict | callable]): Presence-only transforms.
            Defaults to ().
        num_views (int, optional): The K the config expects; a cache with
            another K raises. None takes the cache's. Defaults to None.
        metainfo (dict, optional): ``classes``. Defaults to None.
        config (str, optional): The config file path, for the rebuild
            command in messages. Defaults to None.
        split (str): Split name, for messages. Defaults to 'train'.
        test_mode (bool): Use view 0. Defaults to False.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 cache_dir: str,
                 source: Optional[dict] = None,
                 pipeline: List[Union[dict, Callable]] = (),
                 num_views: Optional[int] = None,
                 metainfo: Optional[dict] = None,
                 config: Optional[str] = None,
                 split: str = 'train',
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.cache_dir = cache_dir
        self.source = source
        self.expected_views = num_views
        self.command = rebuild_command(config, split)
        self.arrays = None
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            pipeline=list(pipeline),
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Check the cache and list its clips.

        Returns:
            list[dict]: ``index``, ``label``, ``filename``, ``clip_id``.
        """
        manifest = read_manifest(self.cache_dir)
        if manifest is None:
            raise FileNotFoundError(
                f'no feature cache in {self.cache_dir} (no manifest.json); '
                f'build it: {self.command}')
        self.manifest = manifest
        if self.source is not None:
            components = source_components(self.source)
            check_components(manifest,
                             {k: components[k]
                              for k in SOURCE_COMPONENTS}, self.cache_dir,
                             self.command)
        arrays = FeatureCacheArrays(self.cache_dir, 'r')
        done = np.asarray(arrays.done)
        if not done.all():
            missing = int((~done.all(1)).sum())
            raise StaleCacheError(
                f'feature cache {self.cache_dir} is unfinished: '
                f'{missing} of {done.shape[0]} clips lack views; resume it '
                f'(same command without --overwrite): '
                f'{self.command.replace(" --overwrite", "")}')
        with open(osp.join(self.cache_dir, CLIPS)) as f:
            clips = json.load(f)
        if len(clips) != arrays.num_clips:
            raise StaleCacheError(
                f'feature cache {self.cache_dir}: {CLIPS} lists {len(clips)}'
                f' clips, the arrays hold {arrays.num_clips}; rebuild it: '
                f'{self.command}')
        self.num_views = arrays.num_views
        if self.expected_views not in (None, self.num_views):
            raise StaleCacheError(
                f'feature cache {self.cache_dir} holds {self.num_views} '
                f'views per clip, the config asks for {self.expected_views}'
                f'; rebuild it: {self.command} --views '
                f'{self.expected_views}')
        del arrays  # opened again lazily, per worker
        return [dict(clip, index=i) for i, clip in enumerate(clips)]

    def _arrays(self) -> FeatureCacheArrays:
        if self.arrays is None:
            self.arrays = FeatureCacheArrays(self.cache_dir, 'r')
        return self.arrays

    def prepare_data(self, idx: int) -> dict:
        """Load view ``k`` of clip ``idx``, run the pipeline, pack.

        Args:
            idx (int): The clip index.

        Returns:
            dict: ``inputs`` and ``data_samples``.
        """
        info = self.get_data_info(idx)
        i = info['index']
        k = 0 if self.test_mode or self.num_views == 1 else int(
            np.random.randint(self.num_views))
        a = self._arrays()
        flags = np.asarray(a.present[i, k])
        results = dict(
            info,
            view=k,
            frozen_features=dict(
                face=torch.from_numpy(np.array(a.face[i, k])),
                scene=torch.from_numpy(np.array(a.scene[i, k])),
                caption=torch.from_numpy(np.array(a.caption[i, k]))),
            audio=torch.from_numpy(np.array(a.audio[i, k])),
            frame_mask=np.array(a.frame_mask[i, k]),
            present={m: bool(flags[j])
                     for j, m in enumerate(MODALITIES)})
        results = self.pipeline(results)
        sample = ActionDataSample()
        sample.set_gt_label(int(results['label']))
        sample.frame_mask = torch.from_numpy(results['frame_mask'])
        sample.present = {m: bool(results['present'][m]) for m in MODALITIES}
        sample.set_metainfo({
            key: results[key]
            for key in ('filename', 'clip_id', 'view') if key in results
        })
        inputs = dict(frozen_features=results['frozen_features'],
                      audio=results['audio'])
        return dict(inputs=inputs, data_samples=sample)
