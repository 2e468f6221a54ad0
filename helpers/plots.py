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


def parallel_coordinates(rows, columns, color_by: str, log_scale=(), title: str | None = None):
    """The HParams dashboard's parallel-coordinates view, drawn with matplotlib so it shows on GitHub: one vertical
    axis per name in ``columns`` (each scaled to its own range, in log scale for the names in ``log_scale``), one
    line per row (a dict, e.g. a trial's values and metrics), coloured by the value of ``color_by``. On an axis with
    few distinct values (but ``color_by``'s) the lines are spread a little around each value, so that lines sharing
    it stay apart. Notebook 08."""
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    rows = list(rows)
    if not rows:
        raise ValueError("parallel_coordinates: no rows to draw")
    data = np.array([[float(row[name]) for name in columns] for row in rows])
    colour = np.array([float(row[color_by]) for row in rows])
    rank = np.argsort(np.argsort(colour, kind="stable"), kind="stable")  # 0 = lowest colour value
    spread = (rank - (len(rows) - 1) / 2) * min(0.015, 0.12 / len(rows))
    scaled = np.full_like(data, 0.5)
    fig, ax = plt.subplots(figsize=(1.9 * len(columns) + 1.2, 3.6))
    for j, name in enumerate(columns):
        values = np.log10(data[:, j]) if name in log_scale else data[:, j]
        low, high = values.min(), values.max()
        if high > low:
            scaled[:, j] = (values - low) / (high - low)
        ticks = np.unique(data[:, j])
        ax.axvline(j, color="0.6", linewidth=1, zorder=0)
        for value in ticks if len(ticks) <= 6 else ticks[[0, -1]]:  # a metric: its lowest and highest value
            position = scaled[np.flatnonzero(data[:, j] == value)[0], j]
            last = j == len(columns) - 1  # the last axis' labels go to its right, the others' to their left
            ax.text(j + 0.05 if last else j - 0.05, position, f"{value:.4g}", fontsize=8, va="center",
                    ha="left" if last else "right",
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5})
        if len(ticks) <= 6 and name != color_by:
            scaled[:, j] += spread
    norm = Normalize(colour.min(), colour.max() if colour.max() > colour.min() else colour.min() + 1)
    for i in np.argsort(colour, kind="stable"):  # the best drawn last, on top
        ax.plot(range(len(columns)), scaled[i], color=plt.cm.viridis(norm(colour[i])), linewidth=2, alpha=0.9,
                marker="o", markersize=3)
    ax.set_xticks(range(len(columns)), [f"{name}\n(log)" if name in log_scale else name for name in columns])
    ax.set(yticks=[], xlim=(-0.45, len(columns) - 0.55), ylim=(-0.1, 1.1))
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.colorbar(ScalarMappable(norm=norm, cmap="viridis"), ax=ax, label=color_by, fraction=0.04, pad=0.02)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
