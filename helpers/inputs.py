"""Input functions, as the 2017 post built them: numpy arrays fed through placeholders into a
``tf.data.Dataset``, read with an *initializable iterator* that a ``SessionRunHook`` initializes.

Why placeholders: ``Dataset.from_tensor_slices(numpy_array)`` embeds the array in the graph as a
constant. A GraphDef is a protocol buffer, limited to 2 GB, and the Estimator writes it to disk (graph.pbtxt,
checkpoints' .meta files) - so big arrays are fed at run time instead, through placeholders, when the
iterator is initialized. The hook does that right after the Estimator creates its session.

Taught in ``notebooks/01_dataset_pipeline.ipynb``; used by notebooks 02-04 and the CLI.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


class IteratorInitializerHook(tf.compat.v1.train.SessionRunHook):
    """Runs an initializable iterator's initializer, with its feed, when a session is created.

    The input function sets ``iterator_initializer_func`` when the Estimator calls it (inside the graph it
    builds); ``after_create_session`` then calls it with the new session - once per train/evaluate/predict.
    """

    def __init__(self):
        super().__init__()
        self.iterator_initializer_func = None

    def after_create_session(self, session, coord):
        if self.iterator_initializer_func is None:
            raise RuntimeError(
                "IteratorInitializerHook: the input function was never called in this graph. Pass the hook "
                "together with the input_fn it was returned with (hooks=[hook] / train_monitors=[hook])."
            )
        self.iterator_initializer_func(session)


def _check_arrays(images, labels):
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"images must have shape (N, 28, 28, 1) as load_mnist returns them, got {images.shape}")
    if labels.shape != (images.shape[0],):
        raise ValueError(f"labels must have shape ({images.shape[0]},), one per image, got {labels.shape}")
    return images.astype(np.float32, copy=False), labels.astype(np.int32, copy=False)


#: The post's shuffle buffer: 10,000 examples (not the whole training set).
POST_SHUFFLE_BUFFER = 10_000


def no_autotune() -> tf.data.Options:
    """tf.data's autotuner (on by default since TF 2.x; the post's TF 1.3 had none) tunes the parallelism and
    buffer sizes of ``AUTOTUNE`` arguments, and this pipeline has none: off, the pipeline is the post's, with no
    background thread beside each iterator. The batches are the same either way, and so is the speed
    (benchmarks/iterator_autotune.py)."""
    options = tf.data.Options()
    options.autotune.enabled = False
    return options


def placeholder_input_fn(images, labels, batch_size: int, *, shuffle: bool, repeat: bool,
                         shuffle_buffer: int = POST_SHUFFLE_BUFFER, seed: int | None = None, prefetch: int = 0,
                         name: str = "data"):
    """Return ``(input_fn, hook)``: ``input_fn()`` builds placeholders -> Dataset -> iterator in the
    current graph and returns ``(images_batch, labels_batch)``; ``hook`` feeds the arrays at session start.

    The order is the post's: ``repeat(None)`` (endless: the Estimator's ``steps`` decide when to stop), then
    ``shuffle(shuffle_buffer)``, then ``batch``. Repeating first means the shuffle buffer draws from a stream of
    epochs, so batches mix neighbouring epochs (notebook 01 measures what that changes). ``prefetch`` > 0
    overlaps producing the next batches with training on the current one.
    """
    images, labels = _check_arrays(images, labels)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if shuffle and shuffle_buffer < 1:
        raise ValueError(f"shuffle_buffer must be at least 1, got {shuffle_buffer}")
    hook = IteratorInitializerHook()

    def input_fn():
        with tf.name_scope(name):
            images_ph = tf.compat.v1.placeholder(images.dtype, images.shape, name="images")
            labels_ph = tf.compat.v1.placeholder(labels.dtype, labels.shape, name="labels")
            dataset = tf.data.Dataset.from_tensor_slices((images_ph, labels_ph))
            if repeat:
                dataset = dataset.repeat(None)  # endless: the Estimator's `steps` decides when to stop
            if shuffle:
                dataset = dataset.shuffle(buffer_size=shuffle_buffer, seed=seed)
            dataset = dataset.batch(batch_size)
            if prefetch:
                dataset = dataset.prefetch(prefetch)
            dataset = dataset.with_options(no_autotune())  # TF 2's autotuner: nothing to tune here
            iterator = tf.compat.v1.data.make_initializable_iterator(dataset)
            hook.iterator_initializer_func = lambda session: session.run(
                iterator.initializer, feed_dict={images_ph: images, labels_ph: labels})
            return iterator.get_next()

    return input_fn, hook


def get_train_inputs(batch_size: int, mnist, seed: int | None = None):
    """The post's training input: repeated forever, shuffled (buffer 10,000), batched. Returns ``(input_fn, hook)``.

    ``seed`` is not the post's: it makes the shuffled order repeatable."""
    return placeholder_input_fn(mnist.train_images, mnist.train_labels, batch_size,
                                shuffle=True, repeat=True, seed=seed, name="training_data")


def get_eval_inputs(batch_size: int, mnist):
    """The post's evaluation input (its gist calls it ``get_test_inputs``): the test split once, in order, neither
    repeated nor shuffled. Returns ``(input_fn, hook)``."""
    return placeholder_input_fn(mnist.test_images, mnist.test_labels, batch_size,
                                shuffle=False, repeat=False, name="eval_data")


def dataset_input_fn(images, labels, batch_size: int, *, shuffle: bool, repeat: bool, seed: int | None = None):
    """The TF 2 way: an ``input_fn`` that returns the ``Dataset`` itself; the Estimator makes the iterator.

    No placeholders and no hook - but the arrays become constants in the graph, so keep this for data that
    is small next to the 2 GB GraphDef limit (or read files with tf.data instead of numpy arrays).
    """
    images, labels = _check_arrays(images, labels)

    def input_fn():
        dataset = tf.data.Dataset.from_tensor_slices((images, labels))
        if shuffle:
            dataset = dataset.shuffle(len(images), seed=seed)
        if repeat:
            dataset = dataset.repeat()
        return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    return input_fn
