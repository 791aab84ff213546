"""CLIPVisionEncoder: open_clip's image tower, CLIP weights from a file or
an open_clip tag."""
from typing import Optional

import torch
from open_clip.model import _build_vision_tower

from umbe.models.utils.clip_weights import (load_tower_weights,
                                            resolve_clip_cfg,
                                            resolve_pretrained)
from umbe.models.utils.frozen_tower import FrozenTowerModule
from umbe.models.utils.sdpa_attention import sdpa_attention
from umbe.registry import MODELS


@MODELS.register_module()
class CLIPVisionEncoder(FrozenTowerModule):
    """open_clip's image tower applied to a batch of frames.

    Attention runs through scaled-dot-product attention in every mode
    (:func:`umbe.models.utils.sdpa_attention`): on CPU open_clip's tower
    then computes what OpenAI's implementation computes, bit for bit, and
    as fast.

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
    """

    def __init__(self,
                 model_name: str = 'ViT-L-14-quickgelu',
                 pretrained: Optional[str] = None,
                 arch_cfg: Optional[dict] = None,
                 frozen: bool = True,
                 frozen_dtype: Optional[str] = None) -> None:
        super().__init__()
        cfg, self.arch = resolve_clip_cfg(model_name, arch_cfg)
        self.tower = _build_vision_tower(
            cfg['embed_dim'], cfg['vision_cfg'],
            quick_gelu=cfg.get('quick_gelu', False))
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
        with sdpa_attention(), self.precision(frames.device.type):
            return self.float_output(self.tower(frames))
