"""`pretrained` as an open_clip tag: open_clip's downloader is stubbed."""
import os.path as osp

import pytest
import torch
from tiny_clip import TINY_ARCH, save_open_clip_format, tiny_clip

from umbe.models import CLIPTextEncoder
from umbe.models.utils import (ClipWeightsUnavailableError,
                               read_clip_state_dict, resolve_pretrained)
from umbe.models.utils import clip_weights

OPENAI_B32 = ('https://openaipublic.azureedge.net/clip/models/40d365715913c9'
              'da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt')


@pytest.fixture
def offline_home(tmp_path, monkeypatch):
    """An empty ~/.cache, no network, a downloader that must not run."""
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setattr(clip_weights, '_online', lambda host, timeout=0: False)
    calls = []

    def download(cfg, prefer_hf_hub=True, cache_dir=None):
        calls.append(cfg)
        raise FileNotFoundError('no cached file')  # huggingface_hub offline

    monkeypatch.setattr(clip_weights.open_clip_pretrained,
                        'download_pretrained', download)
    return tmp_path, calls


def test_offline_tag_names_the_file_and_where_to_put_it(offline_home):
    home, calls = offline_home
    with pytest.raises(ClipWeightsUnavailableError) as err:
        resolve_pretrained('openai', 'ViT-B-32-quickgelu', 'ViT-B-32')
    message = str(err.value)
    assert OPENAI_B32 in message
    assert osp.join(str(home), '.cache', 'clip', 'ViT-B-32.pt') in message
    assert '\n' not in message
    assert len(calls) == 1  # the cache was asked, offline


def test_a_file_put_where_the_error_says_is_used(offline_home):
    home, calls = offline_home
    target = home / '.cache' / 'clip' / 'ViT-B-32.pt'
    target.parent.mkdir(parents=True)
    target.write_bytes(b'weights')
    assert resolve_pretrained('openai', 'ViT-B-32-quickgelu',
                              'ViT-B-32') == str(target)
    assert not calls


def test_tag_resolved_by_open_clip_download_and_loaded(tmp_path, monkeypatch):
    path = str(tmp_path / 'downloaded.bin')
    ref = tiny_clip(seed=3)
    save_open_clip_format(ref, path)
    monkeypatch.setenv('HOME', str(tmp_path))
    seen = []

    def download(cfg, prefer_hf_hub=True, cache_dir=None):
        seen.append(cfg['hf_hub'])
        return path

    monkeypatch.setattr(clip_weights.open_clip_pretrained,
                        'download_pretrained', download)
    monkeypatch.setattr(
        clip_weights.open_clip_pretrained, 'list_pretrained_tags_by_model',
        lambda name: ['openai'] if name == 'tiny' else [])
    monkeypatch.setattr(
        clip_weights.open_clip_pretrained, 'get_pretrained_cfg',
        lambda name, tag: dict(url=OPENAI_B32, hf_hub='timm/tiny.openai/'))
    enc = CLIPTextEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                          pretrained='openai')
    assert enc.weights_file == path and seen == ['timm/tiny.openai/']
    assert torch.equal(enc.tower.token_embedding.weight,
                       ref.token_embedding.weight)


def test_unknown_tag_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match='neither a file nor.*tags'):
        resolve_pretrained('laion9b', 'ViT-B-32-quickgelu', 'ViT-B-32')
    with pytest.raises(ClipWeightsUnavailableError, match='does not exist'):
        resolve_pretrained(str(tmp_path / 'x.pt'), 'ViT-B-32-quickgelu',
                           'ViT-B-32')


def test_safetensors_files_read(tmp_path):
    from safetensors.torch import save_file
    state = {k: v.contiguous() for k, v in tiny_clip().state_dict().items()}
    path = str(tmp_path / 'open_clip_model.safetensors')
    save_file(state, path)
    loaded = read_clip_state_dict(path, 'tiny')
    assert loaded.keys() == state.keys()
