import numpy as np
import pytest

from umbe.analysis.embedding_plots import (class_separation, input_features,
                                           plot_tsne, tsne_2d)

PNG = b'\x89PNG\r\n\x1a\n'


def fake_features(n_per_class=8, classes=('happy', 'sad', 'angry'),
                  labelled=True):
    """Fused embeddings in tight class clusters, input features noise."""
    g = np.random.default_rng(0)
    C, N, D = len(classes), n_per_class * len(classes), 16
    labels = np.repeat(np.arange(C), n_per_class)
    centres = np.eye(D)[:C] * 5
    fused = centres[labels] + 0.1 * g.normal(size=(N, D))
    present = np.ones((N, 4), bool)
    present[:, 3] = False
    logits = fused[:, :C] * 10
    return dict(
        fused=fused.astype(np.float32),
        input_face=g.normal(size=(N, D)).astype(np.float32),
        input_scene=g.normal(size=(N, D)).astype(np.float32),
        input_caption=g.normal(size=(N, 8)).astype(np.float32),
        tokens=g.normal(size=(N, 4, D)).astype(np.float32),
        present=present,
        logits=logits.astype(np.float32),
        labels=labels if labelled else -np.ones(N, np.int64),
        classes=np.array(classes), source=np.array('split:test'))


def test_tsne_and_separation():
    a = fake_features()
    points = tsne_2d(a['fused'])
    assert points.shape == (24, 2)
    assert class_separation(a['fused'], a['labels']) > 0.8
    assert abs(class_separation(a['input_face'], a['labels'])) < 0.2
    assert np.isnan(class_separation(a['fused'], np.zeros(24, int)))
    assert np.isnan(class_separation(a['fused'][:3], np.arange(3)))
    with pytest.raises(ValueError, match='at least 3'):
        tsne_2d(a['fused'][:2])


def test_input_features_tokens_zero_the_absent():
    a = fake_features()
    tokens = input_features(a, 'tokens')
    assert tokens.shape == (24, 4 * 16)
    assert (tokens[:, 3 * 16:] == 0).all()
    assert np.array_equal(tokens[:, :16], a['tokens'][:, 0])
    with pytest.raises(ValueError, match='input must be one of'):
        input_features(a, 'logits')


@pytest.mark.parametrize('labelled', [True, False])
def test_plot_tsne_writes_png(tmp_path, labelled):
    a = fake_features(labelled=labelled)
    path = str(tmp_path / 'tsne.png')
    report = plot_tsne(a, path)
    with open(path, 'rb') as f:
        assert f.read(8) == PNG
    assert report['colour_by'] == ('label' if labelled else 'prediction')
    assert report['clips'] == 24
    assert report['silhouette_fused'] > 0.8 > report['silhouette_input']
