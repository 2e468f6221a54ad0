"""Inference a user can trust: checked preprocessing, Estimator predictions, and a SavedModel.

Taught in ``notebooks/04_inference.ipynb``; the command line exports with :func:`export_saved_model`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from helpers.inputs import placeholder_input_fn

IMAGE_SHAPE = (28, 28, 1)


class InputImageError(ValueError):
    """An image is not what the model expects; the message says what was expected, what was found, and how to fix it."""


def prepare_images(images, invert: bool = False, check_background: bool = True) -> np.ndarray:
    """Turn images into what the model was trained on: float32, shape (N, 28, 28, 1), light digit on dark, 0..1.

    Accepts one image (28, 28) or (784,), or a batch (N, 28, 28), (N, 28, 28, 1) or (N, 784); integers 0..255 are
    scaled to 0..1; ``invert=True`` turns a dark digit on a light background (a drawing, a scan) into MNIST's
    light-on-dark. Anything else is an :class:`InputImageError` that says what to do.

    The background check refuses an image that is mostly light: a digit is a thin stroke, so a mostly light digit
    image is dark ink on paper, which needs ``invert=True``. ``check_background=False`` leaves it out, for data whose
    objects may fill the frame: Fashion-MNIST's garments are light on dark too, but about one in five is mostly light.
    """
    arr = np.asarray(images)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise InputImageError(f"images must be numbers, got an array of dtype {arr.dtype}")
    shape = arr.shape
    if shape in ((28, 28), (784,)):
        arr = arr.reshape(1, *IMAGE_SHAPE)
    elif arr.ndim == 2 and shape[1] == 784:
        arr = arr.reshape(-1, *IMAGE_SHAPE)
    elif arr.ndim == 3 and shape[1:] == (28, 28):
        arr = arr[..., np.newaxis]
    elif arr.ndim == 4 and shape[1:] == IMAGE_SHAPE:
        pass
    else:
        raise InputImageError(
            f"expected 28x28 grey images - shape (28, 28), (N, 28, 28), (N, 28, 28, 1), (784,) or (N, 784) - "
            f"got shape {shape}. Resize to 28x28 first (e.g. PIL: Image.open(f).convert('L').resize((28, 28)))"
        )
    if arr.shape[0] == 0:
        raise InputImageError("no images: the batch is empty")
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi > 255:
            raise InputImageError(f"integer pixels must be 0..255, found values from {lo} to {hi}")
        arr = arr.astype(np.float32) / 255.0
    else:
        arr = arr.astype(np.float32)
        if not np.isfinite(arr).all():
            raise InputImageError("images contain NaN or infinite values")
        lo, hi = float(arr.min()), float(arr.max())
        if lo < 0.0 or hi > 1.0:
            hint = " - they look like 0..255 values: divide by 255" if 0 <= lo and hi <= 255 else ""
            raise InputImageError(f"float pixels must be in [0, 1], found values from {lo:g} to {hi:g}{hint}")
    if invert:
        arr = 1.0 - arr
    background = np.median(arr.reshape(len(arr), -1), axis=1)
    if check_background and (background > 0.5).any():
        which = np.flatnonzero(background > 0.5)[:5].tolist()
        raise InputImageError(
            f"image(s) {which} look like a dark digit on a light background; MNIST digits are light on dark - "
            "pass invert=True"
        )
    return arr


def predict_images(estimator, images, batch_size: int = 256, invert: bool = False, check_background: bool = True):
    """Predicted classes (int) and probabilities (N, 10) for ``images``, after :func:`prepare_images`."""
    x = prepare_images(images, invert=invert, check_background=check_background)
    input_fn, hook = placeholder_input_fn(x, np.zeros(len(x), np.int32), batch_size, shuffle=False, repeat=False,
                                          name="predict_data")
    predictions = list(estimator.predict(input_fn, hooks=[hook]))
    classes = np.array([p["classes"] for p in predictions], dtype=np.int64)
    probabilities = np.stack([p["probabilities"] for p in predictions])
    return classes, probabilities


def serving_input_receiver_fn():
    """What a SavedModel of this model takes: a batch of prepared images, float32 (N, 28, 28, 1), named 'images'.

    The reference solution of notebook 04's Exercise 1, checked by ``check_serving_input_receiver_fn``.
    """
    images = tf.compat.v1.placeholder(tf.float32, [None, *IMAGE_SHAPE], name="images")
    return tf.estimator.export.ServingInputReceiver({"images": images}, {"images": images})


def export_saved_model(estimator, export_dir_base) -> Path:
    """Export the latest checkpoint as a SavedModel under ``export_dir_base/<timestamp>``; return its path."""
    path = estimator.export_saved_model(str(export_dir_base), serving_input_receiver_fn)
    return Path(path.decode() if isinstance(path, bytes) else path)


def predict_saved_model(saved_model_dir, images, invert: bool = False, check_background: bool = True):
    """Classes and probabilities from a SavedModel loaded with ``tf.saved_model.load`` (no Estimator needed)."""
    loaded = tf.saved_model.load(str(saved_model_dir))
    serve = loaded.signatures["serving_default"]
    out = serve(images=tf.constant(prepare_images(images, invert=invert, check_background=check_background)))
    return out["classes"].numpy().astype(np.int64), out["probabilities"].numpy()
