"""CLIPVisionEncoder: open_clip's image tower, CLIP weights from a file or
an open_clip tag."""
from typing import Optional

import torch
from open_clip.model import _build_vision_tower

from umbe.models.utils.clip_weights import (load_tower_weights,
                                            resolve_clip_cfg,
                                            resolve_pretrained)
from umbe.models.utils.frozen_tower import FrozenTowerModule
from umbe.models.utils.sequence_first import set_sequence_first
from umbe.registry import MODELS


@MODELS.register_module()
class CLIPVisionEncoder(FrozenTowerModule):
    """open_clip's image tower applied to a batch of frames.

    The tower's transformer runs sequence-first
    (:func:`umbe.models.utils.set_sequence_first`): on CPU it then computes
    what OpenAI's implementation computes, bit for bit, and as fast.

    On CPU the frames go through the tower in calls small enough that the
    widest activation of a call (``tokens x MLP width`` per frame) stays
    under ``cpu_call_bytes`` (:meth:`frames_per_call`). glibc serves blocks
    that size from memory freed by the previous layer; larger ones are
    mapped afresh and page-faulted in on every call, which cost the
    ViT-L/14 at 16 frames per call about a fifth of its time (4 frames
    per call: no page faults, the same output bit for bit; docs/
    benchmark.md). GPUs (caching allocator) take all frames in one call.

    Args:
        model_name (str): open_clip model name; use the ``-quickgelu`` names
            for OpenAI weights. Defaults to ``'ViT-L-14-quickgelu'``.
        pretrained (str, optional): A local CLIP weight file (OpenAI
            TorchScript, open_clip checkpoint or safetensors), or an
            open_clip pretrained tag of ``model_name`` (e.g. ``'openai'``)
            resolved through open_clip's download cache; None keeps random
            weights. Defaults to None.
        arch_cfg (dict, optional): An open_clip model config used instead of
            ``model_name``'s (tiny towers for tests and the demo).
            Defaults to None.
        frozen (bool): Freeze the tower (no grads, always in eval mode).
            Defaults to True.
        frozen_dtype (str, optional): Store the frozen tower's matrix
            weights in this dtype (``'bfloat16'``: half the memory) and run
            it under autocast in it; bf16 AMP sets it
            (:func:`umbe.utils.config_utils.enable_amp`). None keeps
            float32. Defaults to None.
        cpu_call_bytes (int, optional): Bound on the widest activation of
            one tower call on CPU; None runs all frames in one call.
            Defaults to 17 MiB (4 ViT-L/14 frames in float32).
    """

    def __init__(self,
                 model_name: str = 'ViT-L-14-quickgelu',
                 pretrained: Optional[str] = None,
                 arch_cfg: Optional[dict] = None,
                 frozen: bool = True,
                 frozen_dtype: Optional[str] = None,
                 cpu_call_bytes: Optional[int] = 17 * 2**20) -> None:
        super().__init__()
        cfg, self.arch = resolve_clip_cfg(model_name, arch_cfg)
        self.tower = _build_vision_tower(
            cfg['embed_dim'], cfg['vision_cfg'],
            quick_gelu=cfg.get('quick_gelu', False))
        set_sequence_first(self.tower.transformer)
        self.embed_dim = cfg['embed_dim']
        image_size = cfg['vision_cfg'].get('image_size', 224)
        self.image_size = (image_size if isinstance(image_size, int) else
                           image_size[0])
        self.weights_file = resolve_pretrained(pretrained, model_name,
                                               self.arch)
        if self.weights_file is not None:
            load_tower_weights(self.tower, self.weights_file, 'visual',
                               self.arch)
        self.set_frozen(frozen)
        self.set_frozen_dtype(frozen_dtype)
        if cpu_call_bytes is not None and cpu_call_bytes < 1:
            raise ValueError(f'cpu_call_bytes must be >= 1 or None, got '
                             f'{cpu_call_bytes}')
        self.cpu_call_bytes = cpu_call_bytes
        # widest activation per frame: tokens x the widest Linear output
        tokens = 1 + self.tower.grid_size[0] * self.tower.grid_size[1]
        self._values_per_frame = tokens * max(
            [self.tower.transformer.width] + [
                m.out_features for m in self.tower.transformer.modules()
                if isinstance(m, torch.nn.Linear)])

    def frames_per_call(self, device_type: str = 'cpu') -> Optional[int]:
        """Frames per tower call on ``device_type``; None: all at once.

        On CPU, the most frames whose widest activation (``tokens x
        max(width, MLP width)`` values in the storage dtype) fits in
        ``cpu_call_bytes``, at least 1.
        """
        if device_type != 'cpu' or self.cpu_call_bytes is None:
            return None
        itemsize = torch.empty((), dtype=self.storage_dtype).element_size()
        return max(1, self.cpu_call_bytes // (self._values_per_frame *
                                              itemsize))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """Encode frames.

        Args:
            frames (Tensor): ``(N, 3, H, W)`` normalised images, H = W = the
                tower's image size.

        Returns:
            Tensor: ``(N, D)`` projected image embeddings (not normalised).
        """
        if frames.shape[-1] != self.image_size or (
                frames.shape[-2] != self.image_size):
            raise ValueError(
                f'{self.arch} takes {self.image_size}px frames, got '
                f'{tuple(frames.shape[-2:])}; set the pipeline\'s frame size '
                'to the tower\'s image_size (or change arch_cfg).')
        n = self.frames_per_call(frames.device.type)
        with self.precision(frames.device.type):
            if n is None or n >= frames.shape[0]:
                return self.float_output(self.tower(frames))
            return torch.cat([
                self.float_output(self.tower(chunk))
                for chunk in frames.split(n)
            ])
