import pytest
import torch

from umbe.structures import (MODALITIES, NUM_SUBSETS, expand_modalities,
                             nonempty_subsets, presence_dict, presence_matrix,
                             subset_ids, subset_mask, subset_membership,
                             subset_modalities, subset_name)


def test_video_alias_and_order():
    assert expand_modalities('audio,video') == ('face', 'scene', 'audio')
    assert expand_modalities(['caption', 'face', 'face']) == ('face',
                                                              'caption')
    with pytest.raises(ValueError, match=r"unknown names \['smell'\]"):
        expand_modalities('video,smell')
    with pytest.raises(ValueError, match='no name given'):
        expand_modalities(' , ')


def test_bitmasks_round_trip():
    assert NUM_SUBSETS == 16
    assert subset_mask(['face', 'audio']) == 5
    assert subset_mask(['video']) == 3 and subset_mask([]) == 0
    for mask in range(NUM_SUBSETS):
        names = subset_modalities(mask)
        assert subset_mask(names) == mask
        assert subset_name(mask) == '+'.join(names)
    with pytest.raises(ValueError, match='16'):
        subset_modalities(16)
    member = subset_membership()  # (M, 16)
    assert member.shape == (4, 16)
    assert member[:, 5].tolist() == [True, False, True, False]


def test_presence_matrix_and_ids():
    present = {m: torch.tensor([True, False]) for m in MODALITIES}
    present['audio'] = torch.tensor([False, True])
    matrix = presence_matrix(present)
    assert matrix.tolist() == [[True, True, False, True],
                               [False, False, True, False]]
    assert subset_ids(matrix).tolist() == [11, 4]
    back = presence_dict(matrix)
    assert all(torch.equal(back[m], present[m]) for m in MODALITIES)
    with pytest.raises(KeyError, match='caption'):
        presence_matrix({m: present[m] for m in MODALITIES[:3]})


def test_subset_enumeration():
    subsets = nonempty_subsets()
    assert len(subsets) == 7 and subsets[0] == ('video', )
    assert subsets[-1] == ('video', 'audio', 'caption')
    assert nonempty_subsets(('video', 'audio')) == [('video', ), ('audio', ),
                                                    ('video', 'audio')]
