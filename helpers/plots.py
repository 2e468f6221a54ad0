"""Plots the notebooks show: image grids with labels (and, later, predictions).

Taught in ``notebooks/00_start_here.ipynb``; later notebooks add to it.
"""

from __future__ import annotations

import numpy as np


def image_grid(images, labels=None, titles=None, ncols: int = 10, size: float = 0.9, title: str | None = None):
    """Show up to a few rows of 28x28 images, each titled with its label (or a given title)."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"image_grid expects images of shape (N, H, W) or (N, H, W, 1), got {images.shape}")
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * (size + 0.25)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0.0, vmax=max(1.0, float(images.max())))
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
        elif labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def prediction_grid(images, labels, predicted, probabilities, ncols: int = 10, title: str | None = None,
                    class_names=None, size: float = 0.9):
    """Images titled 'predicted (probability)', mistakes in red with the true label.

    ``class_names`` (e.g. ``FASHION_CLASSES``) writes each class by its name instead of its number.
    """
    import matplotlib.pyplot as plt

    name = (lambda c: class_names[c]) if class_names is not None else (lambda c: c)
    titles = [f"{name(p)} ({probabilities[i, p]:.0%})" + ("" if p == t else f"\ntrue {name(t)}")
              for i, (p, t) in enumerate(zip(predicted, labels, strict=True))]
    fig = image_grid(images, titles=titles, ncols=ncols, size=size, title=title)
    for ax, p, t in zip(fig.axes, predicted, labels, strict=False):
        if p != t:
            ax.title.set_color("red")
    plt.tight_layout()
    return fig


def confusion_counts(labels, predicted, num_classes: int = 10) -> np.ndarray:
    """counts[true, predicted] for every pair of classes."""
    labels, predicted = np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    return np.bincount(labels * num_classes + predicted, minlength=num_classes**2).reshape(num_classes, num_classes)


def confusion_matrix(labels, predicted, num_classes: int = 10, title: str = "Confusion matrix", class_names=None):
    """A heat map of counts[true, predicted], with the counts written in the cells (and the classes' names on the
    axes when ``class_names`` is given)."""
    import matplotlib.pyplot as plt

    counts = confusion_counts(labels, predicted, num_classes)
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    im = ax.imshow(counts, cmap="Blues")
    for t in range(num_classes):
        for p in range(num_classes):
            if counts[t, p]:
                ax.text(p, t, counts[t, p], ha="center", va="center", fontsize=7,
                        color="white" if counts[t, p] > counts.max() / 2 else "black")
    ax.set(xticks=range(num_classes), yticks=range(num_classes), xlabel="predicted", ylabel="true", title=title)
    if class_names is not None:
        ax.set_xticklabels(class_names, rotation=45, ha="right", fontsize=8)
        ax.set_yticklabels(class_names, fontsize=8)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig
