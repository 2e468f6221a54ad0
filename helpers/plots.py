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
