"""helpers.inputs: the post's placeholder/iterator/hook input functions and the TF 2 Dataset input_fn."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers.data import Mnist  # noqa: E402
from helpers.inputs import (  # noqa: E402
    POST_SHUFFLE_BUFFER,
    IteratorInitializerHook,
    dataset_input_fn,
    get_eval_inputs,
    get_train_inputs,
    placeholder_input_fn,
)


def tiny(n_train=50, n_test=23):
    """A small data set whose images encode their index, so every example can be traced."""
    def make(n, offset):
        images = np.zeros((n, 28, 28, 1), np.float32)
        images[:, 0, 0, 0] = np.arange(offset, offset + n)
        return images, (np.arange(n) % 10).astype(np.int32)
    return Mnist(*make(n_train, 0), *make(n_test, 1000), source="test")


def pull(input_fn, hook, max_batches=None):
    """Run input_fn in a MonitoredSession with its hook (as the Estimator does) and collect the batches."""
    batches = []
    with tf.Graph().as_default():
        features, labels = input_fn()
        with tf.compat.v1.train.MonitoredSession(hooks=[hook]) as session:
            while not session.should_stop() and (max_batches is None or len(batches) < max_batches):
                batches.append(session.run([features, labels]))
    return batches


def ids(batches):
    return np.concatenate([b[0][:, 0, 0, 0] for b in batches]).astype(int)


def test_train_input_shapes_dtypes_and_endless_repeat():
    m = tiny()
    batches = pull(*get_train_inputs(16, m, seed=3), max_batches=10)  # 160 examples > one epoch of 50
    images, labels = batches[0]
    assert images.shape == (16, 28, 28, 1) and images.dtype == np.float32
    assert labels.shape == (16,) and labels.dtype == np.int32
    assert all(len(b[1]) == 16 for b in batches), "repeat() before batch(): every batch full"
    seen = ids(batches)
    assert set(seen) <= set(range(50)) and not np.array_equal(seen[:50], np.arange(50)), "shuffled"
    # The post's order, repeat(None) before shuffle(10000): the buffer holds many epochs at once, so an example
    # can come again before another came once - epochs are mixed, not kept apart.
    assert len(set(seen[:50])) < 50, "repeat -> shuffle mixes epochs"
    assert set(ids(pull(*get_train_inputs(16, m, seed=3), max_batches=100))) == set(range(50)), "endless, all seen"


def test_train_input_is_the_posts_order_repeat_shuffle_batch():
    input_fn, _hook = get_train_inputs(16, tiny())
    with tf.Graph().as_default():
        input_fn()
        ops = [op.type for op in tf.compat.v1.get_default_graph().get_operations() if "Dataset" in op.type]
    assert [t for t in ops if t in ("RepeatDataset", "ShuffleDataset") or t.startswith("BatchDataset")] == [
        "RepeatDataset", "ShuffleDataset", "BatchDatasetV2"]
    assert POST_SHUFFLE_BUFFER == 10_000


def test_eval_input_is_one_epoch_in_order_each_example_once():
    m = tiny()
    batches = pull(*get_eval_inputs(10, m))
    assert [len(b[1]) for b in batches] == [10, 10, 3]
    np.testing.assert_array_equal(ids(batches), np.arange(1000, 1023))


def test_shuffle_changes_order_not_content_and_is_seeded():
    m = tiny()
    def epoch(seed):
        return ids(pull(*placeholder_input_fn(m.train_images, m.train_labels, 7, shuffle=True, repeat=False,
                                              seed=seed)))
    a, b, c = epoch(1), epoch(1), epoch(2)
    assert sorted(a) == list(range(50))
    assert not np.array_equal(a, np.arange(50))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_without_the_hook_the_iterator_is_not_initialized():
    input_fn, _hook = get_train_inputs(8, tiny())
    with tf.Graph().as_default():
        features, _ = input_fn()
        with pytest.raises(tf.errors.FailedPreconditionError):
            with tf.compat.v1.train.MonitoredSession() as session:
                session.run(features)


def test_hook_used_without_its_input_fn_says_what_to_do():
    hook = IteratorInitializerHook()
    with tf.Graph().as_default():
        tf.constant(1)
        with pytest.raises(RuntimeError, match="input function was never called"):
            with tf.compat.v1.train.MonitoredSession(hooks=[hook]):
                pass


def test_placeholders_keep_the_data_out_of_the_graph():
    m = tiny(n_train=2000)
    def graph_bytes(fn):
        with tf.Graph().as_default() as g:
            fn()
            return g.as_graph_def().ByteSize()
    fed = graph_bytes(placeholder_input_fn(m.train_images, m.train_labels, 8, shuffle=True, repeat=True)[0])
    embedded = graph_bytes(dataset_input_fn(m.train_images, m.train_labels, 8, shuffle=True, repeat=True))
    assert fed < 20_000 < m.train_images.nbytes < embedded


def test_dataset_input_fn_returns_a_dataset():
    m = tiny()
    with tf.Graph().as_default():
        ds = dataset_input_fn(m.train_images, m.train_labels, 5, shuffle=False, repeat=False)()
        assert isinstance(ds, tf.data.Dataset)
        assert ds.element_spec[0].shape.as_list() == [None, 28, 28, 1]


@pytest.mark.parametrize("images, labels, message", [
    (np.zeros((4, 28, 28)), np.zeros(4), r"images must have shape \(N, 28, 28, 1\)"),
    (np.zeros((4, 28, 28, 1)), np.zeros(3), r"labels must have shape \(4,\)"),
])
def test_bad_arrays_are_clear_errors(images, labels, message):
    with pytest.raises(ValueError, match=message):
        placeholder_input_fn(images, labels, 2, shuffle=False, repeat=False)


def test_batch_size_must_be_positive():
    m = tiny()
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        placeholder_input_fn(m.train_images, m.train_labels, 0, shuffle=False, repeat=False)


def test_the_placeholder_pipeline_runs_without_tf_data_autotuning():
    """TF 2's autotuner has nothing to tune here (no AUTOTUNE argument): the pipeline switches it off and stays the
    post's, with no background thread beside each iterator."""
    from tensorflow.core.framework import dataset_options_pb2

    images, labels = np.zeros((8, 28, 28, 1), np.float32), np.zeros(8, np.int32)
    with tf.Graph().as_default() as graph:
        input_fn, _ = placeholder_input_fn(images, labels, 4, shuffle=True, repeat=True)
        input_fn()
    options = [op for op in graph.get_operations() if op.type == "OptionsDataset"]
    assert len(options) == 1, [op.type for op in graph.get_operations()]
    parsed = dataset_options_pb2.Options.FromString(options[0].get_attr("serialized_options"))
    assert parsed.autotune_options.HasField("enabled") and not parsed.autotune_options.enabled
