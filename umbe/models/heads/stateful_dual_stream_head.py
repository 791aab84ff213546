"""StatefulDualStreamHead: class tokens and logit scale kept in the
checkpoint, as the public code keeps them."""
import math
from typing import Sequence, Tuple

import torch
from open_clip.tokenizer import SimpleTokenizer

from umbe.registry import MODELS
from .dual_stream_head import DualStreamHead


def class_name_token_ids(names: Sequence[str], length: int) -> torch.Tensor:
    """Token ids of ``"<name>." + [EOS]`` per name, zero padded.

    Args:
        names (Sequence[str]): Class names, one per logit.
        length (int): S, the ids per name (the tokens left after
            ``[SOS]`` and the prompts in the context).

    Returns:
        Tensor: ``(C, S)`` long.
    """
    tokenizer = SimpleTokenizer()
    ids = torch.zeros(len(names), length, dtype=torch.long)
    for c, name in enumerate(names):
        tokens = tokenizer.encode(f'{name}.') + [tokenizer.eot_token_id]
        if len(tokens) > length:
            raise ValueError(
                f'"{name}." and [EOS] are {len(tokens)} tokens, {length} are'
                ' left after [SOS] and the prompts; shorten the prompts or '
                'the class name')
        ids[c, :len(tokens)] = torch.tensor(tokens)
    return ids


@MODELS.register_module()
class StatefulDualStreamHead(DualStreamHead):
    """A :class:`DualStreamHead` whose class tokens and logit scale are
    state saved in its checkpoint, as in the public code.

    - ``class_token_ids`` ``(C, S)`` (persistent buffer): ``"<class>." +
      [EOS]`` per logit, zero padded to the text tower's context, so every
      class sequence is the full context long (``[SOS]`` + prompts + these
      ids), like the public code's ``token_prefix`` / ``token_suffix``. Built
      from ``classes``; a checkpoint converted from the public code
      overwrites it with the names the public run prompted each logit with
      (its class names came from a Python set; see
      ``tools/model_converters/official_to_umbe.py``). The EOT positions are
      read from the ids (the largest id of each row).
    - ``log_logit_scale`` (persistent buffer, never trained): the logits are
      ``exp(log_logit_scale) · cos``; it starts at ``log(logit_scale)``
      (OpenAI CLIP's value is ln 100) and a converted checkpoint carries
      the CLIP model's ``logit_scale``.

    Args: as :class:`DualStreamHead`.
    """

    def _build_class_tokens(self) -> None:
        length = self.text_encoder.context_length - self.prefix_len
        if length < 2:
            raise ValueError(
                f'[SOS] + prompts ({self.prefix_len - 1}) leave {length} of '
                f'the {self.text_encoder.context_length} context tokens; '
                'shorten the prompts')
        self.register_buffer('class_token_ids',
                             class_name_token_ids(self.classes, length))
        self.register_buffer(
            'log_logit_scale',
            torch.tensor(math.log(self.logit_scale), dtype=torch.float32))
        self.register_buffer(
            'sos_id', torch.tensor([SimpleTokenizer().sot_token_id]),
            persistent=False)

    def class_tokens(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """The stored ids and their EOT positions in the full sequence."""
        ids = self.class_token_ids
        return ids, self.prefix_len + ids.argmax(dim=1)

    def scale(self) -> torch.Tensor:
        """``exp(log_logit_scale)``."""
        return self.log_logit_scale.exp()
