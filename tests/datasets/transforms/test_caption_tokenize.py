import numpy as np
import pytest

import umbe  # noqa: F401
from umbe.datasets.transforms import TokenizeCaption

SOT, EOT = 49406, 49407  # open_clip's bundled BPE vocabulary


def test_caption_tokens():
    out = TokenizeCaption(context_length=12)(
        dict(caption='a person in a red room'))
    tokens = out['caption_tokens']
    assert tokens.shape == (12, ) and tokens.dtype == np.int64
    assert tokens[0] == SOT
    end = int(np.argmax(tokens == EOT))
    assert end == 7  # six words, one token each
    assert not tokens[end + 1:].any()
    assert out['present']['caption'] is True


def test_long_caption_cut_with_end_token():
    out = TokenizeCaption(context_length=6)(dict(caption='word ' * 40))
    assert out['caption_tokens'].shape == (6, )
    assert out['caption_tokens'][-1] == EOT


@pytest.mark.parametrize('record', [{}, dict(caption=None),
                                    dict(caption=''), dict(caption='   ')])
def test_missing_caption(record):
    out = TokenizeCaption()(record)
    assert out['present']['caption'] is False
    assert out['caption_tokens'].shape == (77, )
    assert not out['caption_tokens'].any()


def test_non_string_caption_is_an_error():
    with pytest.raises(TypeError, match='caption of x.mp4'):
        TokenizeCaption()(dict(caption=3, filename='x.mp4'))
