"""t-SNE of the input features against the fused embeddings (the paper's
Fig. 5), from a file of ``tools/extract_features.py``."""
from typing import Dict, Optional

import numpy as np

from umbe.atomic_io import atomic_savefig

#: the "input features" a plot can show (keys of the features file);
#: ``tokens`` concatenates the present modality tokens
INPUT_KEYS = ('input_face', 'input_scene', 'input_caption', 'tokens')


def input_features(arrays: Dict[str, np.ndarray],
                   key: str = 'input_face') -> np.ndarray:
    """The features before the model's fusion, ``(N, F)``.

    Args:
        arrays (dict): From :func:`umbe.apis.load_features`.
        key (str): One of :data:`INPUT_KEYS`: the frame-mean image-tower
            embedding of the face or scene, the caption embedding, or the
            modality tokens (absent ones zeroed) side by side.
            Defaults to 'input_face'.

    Returns:
        ndarray: ``(N, F)`` float32.
    """
    if key not in INPUT_KEYS:
        raise ValueError(f'input must be one of {INPUT_KEYS}, got {key!r}')
    if key == 'tokens':
        tokens = arrays['tokens'] * arrays['present'][..., None]  # (N, M, D)
        return tokens.reshape(len(tokens), -1)
    return arrays[key]


def tsne_2d(features: np.ndarray, seed: int = 0,
            perplexity: Optional[float] = None) -> np.ndarray:
    """scikit-learn's t-SNE to 2-D (PCA initialisation).

    Args:
        features (ndarray): ``(N, F)``, N >= 3.
        seed (int): Random state. Defaults to 0.
        perplexity (float, optional): Defaults to ``min(30, (N - 1) / 3)``.

    Returns:
        ndarray: ``(N, 2)``.
    """
    from sklearn.manifold import TSNE
    n = len(features)
    if n < 3:
        raise ValueError(f't-SNE needs at least 3 clips, got {n}')
    perplexity = perplexity or min(30.0, (n - 1) / 3)
    return TSNE(n_components=2, perplexity=perplexity, init='pca',
                random_state=seed).fit_transform(
                    np.asarray(features, dtype=np.float64))


def class_separation(features: np.ndarray, labels: np.ndarray) -> float:
    """Silhouette score (cosine) of the classes in ``features``: near 1 =
    tight separate class clusters, near 0 or below = mixed. NaN unless
    there are at least 2 classes and more clips than classes."""
    from sklearn.metrics import silhouette_score
    n_classes = len(set(labels.tolist()))
    if not 2 <= n_classes < len(labels):
        return float('nan')
    return float(silhouette_score(features, labels, metric='cosine'))


def plot_tsne(arrays: Dict[str, np.ndarray],
              path: str,
              input_key: str = 'input_face',
              seed: int = 0,
              perplexity: Optional[float] = None,
              title: Optional[str] = None) -> Dict:
    """Two t-SNE panels, input features and fused embeddings, one colour
    per class, written as a PNG.

    Points are coloured by the label, or by the predicted class when the
    file has no labels (videos; the legend says so). Each panel's title
    gives the silhouette score of the classes in the original space
    (:func:`class_separation`).

    Args:
        arrays (dict): From :func:`umbe.apis.load_features`.
        path (str): The PNG file.
        input_key (str): See :func:`input_features`. Defaults to
            'input_face'.
        seed (int): t-SNE random state. Defaults to 0.
        perplexity (float, optional): See :func:`tsne_2d`.
        title (str, optional): Figure title. Defaults to the file's source.

    Returns:
        dict: ``colour_by`` ('label' or 'prediction'), ``clips``,
        ``silhouette_input``, ``silhouette_fused``, ``input``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    classes = arrays['classes'].tolist()
    labels = arrays['labels']
    colour_by = 'label'
    if (labels < 0).any():
        labels, colour_by = arrays['logits'].argmax(1), 'prediction'
    panels = [(f'input: {input_key}', input_features(arrays, input_key)),
              ('fused embedding', arrays['fused'])]
    report = dict(colour_by=colour_by, clips=int(len(labels)),
                  input=input_key)
    fig = Figure(figsize=(11, 5))
    FigureCanvasAgg(fig)
    cmap = _class_colours(len(classes))
    for i, (name, feats) in enumerate(panels):
        ax = fig.add_subplot(1, 2, i + 1)
        points = tsne_2d(feats, seed, perplexity)
        score = class_separation(feats, labels)
        report['silhouette_' + ('input' if i == 0 else 'fused')] = score
        for c, cls in enumerate(classes):
            sel = labels == c
            if sel.any():
                ax.scatter(points[sel, 0], points[sel, 1], s=14,
                           color=cmap[c], label=cls, alpha=0.85)
        ax.set_title(f'{name}\nsilhouette {score:.2f}', fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.axes[-1].legend(title=f'{colour_by}', fontsize=8, loc='best',
                        markerscale=1.5)
    source = str(arrays.get('source', ''))
    fig.suptitle(title or f't-SNE, {len(labels)} clips ({source})')
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=120)
    return report


def _class_colours(n: int) -> list:
    """n distinct colours (tab10, then tab20)."""
    from matplotlib import colormaps
    cmap = colormaps['tab10' if n <= 10 else 'tab20']
    return [cmap(i % cmap.N) for i in range(n)]
