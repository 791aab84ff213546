"""Map a checkpoint of the public UMBEnet code onto the official preset.

The public model (class ``JMPF`` of ``model_unimod_mafw_vat.py`` and its
``_{length}_{pool}_{k}`` / DFEW variants) is saved by PyTorch Lightning: a
``.ckpt`` whose ``state_dict`` holds these groups (the sizes of the default
module; the variants differ only in the prompt pool's sizes):

=================================  =========================================
public key (prefix)                umbe key of the official preset
=================================  =========================================
``image_encoder.``                 ``vision_encoder.tower.``
``image_encoder_s.``               (the same module saved twice: checked
                                   equal to ``image_encoder.``, not mapped)
``text_encoder.``                  ``head.text_encoder.tower.``
``cap_encoder.``                   ``caption_encoder.text_encoder.tower.``
``token_embedding.``               ``caption_encoder.text_encoder.tower.
                                   token_embedding.`` (ViT-B/32's table)
``ctransTo768.``                   ``caption_encoder.proj.``
``audio_encoder.conv{i}.``         ``audio_encoder.convs.{2(i-1)}.``
``audio_encoder.fc.`` / ``.ln.``   ``audio_encoder.fc.`` / ``.ln.``
``lstm.``                          ``face_scene.lstm.``
``pencoding...weight`` (16, D)     ``temporal.pos_embed`` (first T rows)
``transformerClip.``               ``temporal.transformer.``
``cpencoding...weight`` (16, D)    ``fusion.pos_embed``: rows [0, 1, 3, 2]
                                   (public token order face, scene,
                                   caption, audio; umbe's MODALITIES order
                                   face, scene, audio, caption); rows 4-15
                                   are never used
``seq_transformerClip.``           ``fusion.transformer.``
``prompt_pool.prompt_pool``        ``head.prompt_pool.prompts``
``prompt_pool.prompt_key``         ``head.prompt_pool.keys``
``prompt_pool.ctx``                ``head.inherent_prompts.tokens``
``prompt_pool.alpha.0.``           ``head.sparse_fusion.gate.``
``prompt_pool.token_prefix``       checked: the [SOS] embedding
``prompt_pool.token_suffix``       ``head.class_token_ids`` (see below)
``logit_scale``                    ``head.log_logit_scale``
``prompt_pool.transformerClip.``   unused: built, never run (85M params)
``prompt_pool.pencoding.``         unused: built, never run
=================================  =========================================

**Class order.** The public code keeps its class names in a Python set, so
the name each logit is prompted with depends on the hash seed of the run
that trained it; the labels are the dataset's order (MAFW: its label ids,
DFEW: the loader's fixed map). ``token_suffix`` ``(C, S, W)`` holds, per
logit, the token embeddings of ``"<name>." [EOS]`` and padding, copied from
the ViT-L/14 token table (which the checkpoint does not hold: only ViT-B/32's
is saved). :func:`recover_prompt_tokens` finds each embedding's row in that
table (the CLIP weights the preset loads anyway), which gives the exact token
ids, hence the names; without the table, the names must be given in logit
order. The converted head stores the ids per umbe class (``class_token_ids``
of :class:`~umbe.models.heads.StatefulDualStreamHead`), so the converted
model prompts each logit exactly as the public run did, while the label
order is the preset's class list. Logits the public run had beyond its
labels (DFEW trained 11 MAFW names for 7 labels) are dropped and listed.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from open_clip.tokenizer import SimpleTokenizer

from umbe.models.heads import class_name_token_ids
from umbe.structures import MODALITIES, NUM_SUBSETS

#: The public code's fusion token order.
PUBLIC_FUSION_ORDER = ('face', 'scene', 'caption', 'audio')

#: Public parameters that never take part in the forward pass, by prefix.
OFFICIAL_UNUSED = {
    'prompt_pool.transformerClip.':
    'the prompt pool\'s transformer (12 layers), built and never run',
    'prompt_pool.pencoding.':
    'position embeddings the prompt pool builds and never uses',
}

#: Prefix renames, public -> umbe (the ones needing no tensor change).
_PREFIXES = (
    ('image_encoder.', 'vision_encoder.tower.'),
    ('text_encoder.', 'head.text_encoder.tower.'),
    ('cap_encoder.', 'caption_encoder.text_encoder.tower.'),
    ('token_embedding.', 'caption_encoder.text_encoder.tower.'
     'token_embedding.'),
    ('ctransTo768.', 'caption_encoder.proj.'),
    ('audio_encoder.fc.', 'audio_encoder.fc.'),
    ('audio_encoder.ln.', 'audio_encoder.ln.'),
    ('lstm.', 'face_scene.lstm.'),
    ('transformerClip.', 'temporal.transformer.'),
    ('seq_transformerClip.', 'fusion.transformer.'),
    ('prompt_pool.alpha.0.', 'head.sparse_fusion.gate.'),
)
_RENAMES = {
    'prompt_pool.prompt_pool': 'head.prompt_pool.prompts',
    'prompt_pool.prompt_key': 'head.prompt_pool.keys',
    'prompt_pool.ctx': 'head.inherent_prompts.tokens',
    'logit_scale': 'head.log_logit_scale',
}
_TEMPORAL_POS = 'pencoding.frame_position_embeddings.weight'
_FUSION_POS = 'cpencoding.frame_position_embeddings.weight'
_AUDIO_CONV = re.compile(r'^audio_encoder\.conv(\d+)\.(weight|bias)$')
_PREFIX_KEY = 'prompt_pool.token_prefix'
_SUFFIX_KEY = 'prompt_pool.token_suffix'
_HEAD_TOKEN_TABLE = 'head.text_encoder.tower.token_embedding.weight'


class OfficialCheckpointError(ValueError):
    """A public checkpoint that cannot be converted (the message says why
    and lists the keys)."""


@dataclass
class OfficialSizes:
    """Sizes of a public model, read from its tensors.

    Attributes:
        pool_size (int): P.
        pool_prompt_length (int): L of each pool prompt (half the public
            ``prompt_length``).
        inherent_length (int): The context tokens (the other half).
        text_width (int): W of the DS head's text tower.
        embed_dim (int): D of the modality tokens.
        temporal_layers (int): Layers of the temporal transformer.
        fusion_layers (int): Layers of the fusion transformer.
        position_rows (int): Rows of the temporal position table.
        num_logits (int): C of the public run (its class-name set).
        suffix_length (int): Tokens per class after [SOS] and the prompts.
        top_k (int, optional): k; not stored in the tensors.
    """
    pool_size: int
    pool_prompt_length: int
    inherent_length: int
    text_width: int
    embed_dim: int
    temporal_layers: int
    fusion_layers: int
    position_rows: int
    num_logits: int
    suffix_length: int
    top_k: Optional[int] = None


@dataclass
class OfficialPromptTokens:
    """The class prompts of a public checkpoint, in its logit order.

    Attributes:
        ids (Tensor): ``(C, S)`` long token ids of ``"<name>." [EOS]`` and
            zero padding per logit.
        names (list[str]): The name of each logit.
        recovered (bool): Read from the token table (True) or given.
    """
    ids: torch.Tensor
    names: List[str]
    recovered: bool


@dataclass
class ConvertedCheckpoint:
    """The result of :func:`convert_official_state_dict`.

    Attributes:
        state_dict (dict): umbe keys -> tensors.
        mapped (list[tuple[str, str]]): (public key, umbe key) pairs.
        unused (list[tuple[str, str]]): (public key, why it is not mapped).
        prompts (OfficialPromptTokens): The public logits' prompts.
        class_rows (list[int]): The public logit of each umbe class.
        dropped_logits (list[int]): Public logits with no umbe class.
    """
    state_dict: Dict[str, torch.Tensor]
    mapped: List[Tuple[str, str]] = field(default_factory=list)
    unused: List[Tuple[str, str]] = field(default_factory=list)
    prompts: Optional[OfficialPromptTokens] = None
    class_rows: List[int] = field(default_factory=list)
    dropped_logits: List[int] = field(default_factory=list)


def read_official_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    """Read a Lightning ``.ckpt`` or a saved ``JMPF`` state dict.

    Args:
        path (str): The file.

    Returns:
        dict[str, Tensor]: The public model's state dict.
    """
    try:
        obj = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:
        raise OfficialCheckpointError(
            f'cannot read {path} with torch.load(weights_only=True) ({err}); '
            'in the public code\'s environment save its tensors alone: '
            "torch.save(torch.load(CKPT)['state_dict'], 'jmpf_state.pth')"
        ) from err
    if isinstance(obj, dict) and isinstance(obj.get('state_dict'), dict):
        obj = obj['state_dict']  # Lightning checkpoint
    if not isinstance(obj, dict) or not all(
            isinstance(v, torch.Tensor) for v in obj.values()):
        raise OfficialCheckpointError(
            f'{path} holds no state dict of tensors (expected a Lightning '
            'checkpoint of JMPF or JMPF.state_dict())')
    return dict(obj)


def _layers(state_dict: Dict[str, torch.Tensor], prefix: str) -> int:
    found = {
        int(m.group(1))
        for m in (re.match(re.escape(prefix) + r'resblocks\.(\d+)\.', k)
                  for k in state_dict) if m
    }
    return max(found) + 1 if found else 0


def official_sizes(state_dict: Dict[str, torch.Tensor],
                   top_k: Optional[int] = None) -> OfficialSizes:
    """Read the sizes of a public model from its tensors.

    Args:
        state_dict (dict): The public state dict.
        top_k (int, optional): k, which the tensors do not hold.

    Returns:
        OfficialSizes: The sizes.
    """
    needed = ('prompt_pool.prompt_pool', 'prompt_pool.ctx', _SUFFIX_KEY,
              'ctransTo768.weight', _TEMPORAL_POS)
    missing = [k for k in needed if k not in state_dict]
    if missing:
        raise OfficialCheckpointError(
            f'not a public UMBEnet (JMPF) state dict: no {missing}')
    pool = state_dict['prompt_pool.prompt_pool']  # (P, L, W)
    suffix = state_dict[_SUFFIX_KEY]  # (C, S, W)
    sizes = OfficialSizes(
        pool_size=pool.shape[0],
        pool_prompt_length=pool.shape[1],
        inherent_length=state_dict['prompt_pool.ctx'].shape[0],
        text_width=pool.shape[2],
        embed_dim=state_dict['ctransTo768.weight'].shape[0],
        temporal_layers=_layers(state_dict, 'transformerClip.'),
        fusion_layers=_layers(state_dict, 'seq_transformerClip.'),
        position_rows=state_dict[_TEMPORAL_POS].shape[0],
        num_logits=suffix.shape[0],
        suffix_length=suffix.shape[1],
        top_k=top_k)
    if top_k is not None and not 0 < top_k <= sizes.pool_size:
        raise OfficialCheckpointError(
            f'top_k={top_k} must be in [1, pool size {sizes.pool_size}]')
    return sizes


def map_official_tensor(key: str, tensor: torch.Tensor,
                        clip_len: int = 16) -> Optional[Tuple[str,
                                                              torch.Tensor]]:
    """Map one public parameter (or its gradient) to umbe's layout.

    Args:
        key (str): The public key.
        tensor (Tensor): Its value (or gradient).
        clip_len (int): T of the preset (rows of the temporal positions).
            Defaults to 16.

    Returns:
        tuple | None: ``(umbe key, tensor)``, or None for a key this
        function does not place (the unused parameters, ``image_encoder_s``,
        the class-token buffers and unknown keys).
    """
    if key in _RENAMES:
        return _RENAMES[key], tensor
    if key == _TEMPORAL_POS:
        if tensor.shape[0] < clip_len:
            raise OfficialCheckpointError(
                f'{key} has {tensor.shape[0]} rows, the preset has '
                f'clip_len={clip_len} frames')
        return 'temporal.pos_embed', tensor[:clip_len]
    if key == _FUSION_POS:
        rows = [PUBLIC_FUSION_ORDER.index(m) for m in MODALITIES]
        return 'fusion.pos_embed', tensor[rows]
    match = _AUDIO_CONV.match(key)
    if match:
        index = 2 * (int(match.group(1)) - 1)  # Conv1d, ReLU, Conv1d, ...
        return f'audio_encoder.convs.{index}.{match.group(2)}', tensor
    for old, new in _PREFIXES:
        if key.startswith(old):
            return new + key[len(old):], tensor
    return None


def recover_prompt_tokens(token_prefix: torch.Tensor,
                          token_suffix: torch.Tensor,
                          token_table: Optional[torch.Tensor] = None,
                          names: Optional[Sequence[str]] = None
                          ) -> OfficialPromptTokens:
    """The token ids (and names) each public logit was prompted with.

    Args:
        token_prefix (Tensor): ``(C, 1, W)`` the public [SOS] embeddings.
        token_suffix (Tensor): ``(C, S, W)`` the public class embeddings.
        token_table (Tensor, optional): ``(V, W)`` the ViT-L/14 token
            embedding table the public run used (from its CLIP weights).
        names (Sequence[str], optional): The names in logit order, when the
            table is not at hand (checked against it when both are given).

    Returns:
        OfficialPromptTokens: Ids ``(C, S)`` and names.
    """
    tokenizer = SimpleTokenizer()
    C, S, W = token_suffix.shape
    if token_table is None:
        if names is None:
            raise OfficialCheckpointError(
                'the class order of a public checkpoint is not stored in '
                'it: give the ViT-L/14 CLIP weights it was trained with (to'
                ' read the names from prompt_pool.token_suffix) or the '
                'class names in its logit order')
        if len(names) != C:
            raise OfficialCheckpointError(
                f'{len(names)} names given, the checkpoint has {C} logits')
        return OfficialPromptTokens(
            class_name_token_ids(names, S), list(names), recovered=False)
    table = token_table.float()
    if table.shape[1] != W:
        raise OfficialCheckpointError(
            f'the token table is {table.shape[1]} wide, token_suffix '
            f'{W}: give the ViT-L/14 text weights of the public run')
    flat = token_suffix.reshape(-1, W).float()  # (C*S, W)
    dist = torch.cdist(flat, table)  # (C*S, V)
    ids = dist.argmin(dim=1)  # (C*S,)
    if not torch.equal(table[ids], flat):
        raise OfficialCheckpointError(
            'prompt_pool.token_suffix holds embeddings that are not rows of '
            'the given token table: the checkpoint was trained with other '
            'CLIP weights')
    sos = table[tokenizer.sot_token_id]
    if not torch.equal(token_prefix.reshape(C, W).float(),
                       sos.expand(C, W)):
        raise OfficialCheckpointError(
            'prompt_pool.token_prefix is not the [SOS] embedding of the '
            'given token table')
    ids = ids.reshape(C, S)
    recovered = []
    for row in ids.tolist():
        if tokenizer.eot_token_id not in row:
            raise OfficialCheckpointError(
                f'a class prompt without [EOS]: token ids {row}')
        text = tokenizer.decode(row[:row.index(tokenizer.eot_token_id)])
        if not text.strip().endswith('.'):
            raise OfficialCheckpointError(
                f'a class prompt that is not "<name>.": {text!r}')
        recovered.append(text.strip()[:-1].strip())
    if names is not None and list(names) != recovered:
        raise OfficialCheckpointError(
            f'the given names {list(names)} are not the ones the checkpoint '
            f'was prompted with, {recovered}')
    return OfficialPromptTokens(ids, recovered, recovered=True)


def convert_official_state_dict(
        state_dict: Dict[str, torch.Tensor],
        classes: Sequence[str],
        source_labels: Optional[Sequence[str]] = None,
        token_table: Optional[torch.Tensor] = None,
        prompt_names: Optional[Sequence[str]] = None,
        clip_len: int = 16) -> ConvertedCheckpoint:
    """Convert a public state dict to the official preset's.

    Args:
        state_dict (dict): The public ``JMPF`` state dict.
        classes (Sequence[str]): The preset's classes, in its label order.
        source_labels (Sequence[str], optional): The umbe class name of
            each label id of the public run (its data loader's label order);
            None: the same as ``classes``.
        token_table (Tensor, optional): ``(V, W)`` the ViT-L/14 token table
            of the public run; also written to the head's text tower.
        prompt_names (Sequence[str], optional): The public logits' names in
            logit order, when ``token_table`` is not given.
        clip_len (int): T of the preset. Defaults to 16.

    Returns:
        ConvertedCheckpoint: The umbe state dict and the report.

    Raises:
        OfficialCheckpointError: Keys that cannot be placed (listed), a
            class without a public logit, or prompts that do not match.
    """
    source_labels = list(classes if source_labels is None else source_labels)
    out = ConvertedCheckpoint(state_dict={})
    refused = []
    for key, tensor in state_dict.items():
        unused = next((why for prefix, why in OFFICIAL_UNUSED.items()
                       if key.startswith(prefix)), None)
        if unused is not None:
            out.unused.append((key, unused))
            continue
        if key.startswith('image_encoder_s.'):
            twin = state_dict.get('image_encoder.' +
                                  key[len('image_encoder_s.'):])
            if twin is None or not torch.equal(twin, tensor):
                refused.append(key + ' (differs from image_encoder)')
            else:
                out.unused.append(
                    (key, 'image_encoder saved a second time (one module)'))
            continue
        if key in (_PREFIX_KEY, _SUFFIX_KEY):
            continue
        mapped = map_official_tensor(key, tensor, clip_len)
        if mapped is None:
            refused.append(key)
            continue
        new_key, value = mapped
        out.state_dict[new_key] = value.clone()
        out.mapped.append((key, new_key))
        if key == _FUSION_POS:
            out.unused.append(
                (key + f'[{len(MODALITIES)}:]',
                 f'rows past the {len(MODALITIES)} modality tokens'))
        if key == _TEMPORAL_POS and tensor.shape[0] > clip_len:
            out.unused.append((key + f'[{clip_len}:]',
                               f'rows past the {clip_len} frames'))
    if refused:
        raise OfficialCheckpointError(
            f'{len(refused)} key(s) of the public checkpoint have no place '
            f'in the official preset: {refused}')
    for key in (_PREFIX_KEY, _SUFFIX_KEY):
        if key not in state_dict:
            raise OfficialCheckpointError(f'the checkpoint has no {key}')
    prompts = recover_prompt_tokens(state_dict[_PREFIX_KEY],
                                    state_dict[_SUFFIX_KEY], token_table,
                                    prompt_names)
    C = prompts.ids.shape[0]
    if len(source_labels) > C:
        raise OfficialCheckpointError(
            f'{len(source_labels)} source labels, the checkpoint has {C} '
            'logits')
    missing = [c for c in classes if c not in source_labels]
    if missing:
        raise OfficialCheckpointError(
            f'classes {missing} are not among the public run\'s labels '
            f'{source_labels}')
    rows = [source_labels.index(c) for c in classes]
    out.state_dict['head.class_token_ids'] = prompts.ids[rows].clone()
    out.mapped.append((_SUFFIX_KEY, 'head.class_token_ids'))
    out.mapped.append((_PREFIX_KEY, '(checked: the [SOS] embedding)'))
    if token_table is not None:
        out.state_dict[_HEAD_TOKEN_TABLE] = token_table.clone()
    # umbe's own statistics (no public counterpart): start at zero
    pool_size = state_dict['prompt_pool.prompt_pool'].shape[0]
    out.state_dict['head.prompt_pool.selection_counts'] = torch.zeros(
        NUM_SUBSETS, pool_size, dtype=torch.long)
    out.prompts = prompts
    out.class_rows = rows
    out.dropped_logits = [r for r in range(C) if r not in rows]
    return out
