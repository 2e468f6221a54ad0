"""TF 1.x Estimator code runs with only its imports changed: the post's example through helpers.tf1."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import REPO

from helpers.notebook import quiet_tensorflow
from helpers.tensorboard import read_scalars

quiet_tensorflow()
import tensorflow as tf  # noqa: E402
from helpers.tf1.contrib.learn import learn_runner  # noqa: E402

import helpers.tf1 as tf1  # noqa: E402

sys.path.insert(0, str(REPO / "examples"))


def test_the_posts_experiment_runs_with_only_imports_changed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNIST_MIRROR", "http://127.0.0.1:9/")  # offline: fall back to the sample, fast
    import mnist_estimator_tf1 as post

    post.FLAGS(["mnist_estimator.py", "--model_dir", str(tmp_path / "mnist_training"),
                "--data_dir", str(tmp_path / "mnist_data")])
    params = tf1.contrib.training.HParams(learning_rate=0.002, n_classes=10, train_steps=60, min_eval_frequency=30)
    run_config = tf1.contrib.learn.RunConfig().replace(model_dir=post.FLAGS.model_dir)
    result, _ = learn_runner.run(experiment_fn=post.experiment_fn, run_config=run_config,
                                 schedule="train_and_evaluate", hparams=params)
    assert result["global_step"] == 60 and result["Accuracy"] > 0.6
    out = capsys.readouterr().out
    assert "bundled sample" in out and "[eval] global step 30" in out
    # the TF 1.x source differs from the post's only in its imports
    source = (REPO / "examples" / "mnist_estimator_tf1.py").read_text()
    assert "import tensorflow" not in source.split('"""', 2)[2] and "tf.contrib.learn.Experiment(" in source
    # optimize_loss's default summaries, as the post's TensorBoard showed them: the loss and the global gradient norm
    # (the Estimator writes its own "loss" too); no learning-rate curve, since the post gave no learning_rate_decay_fn
    training = read_scalars(post.FLAGS.model_dir)["."]
    assert {"loss", "OptimizeLoss/loss", "OptimizeLoss/global_norm/gradient_norm"} <= set(training)
    assert not any("learning_rate" in tag for tag in training), sorted(training)
    # its float learning rate is a variable of the checkpoint; the Keras port still loads the weights from it
    checkpoint = dict(tf.train.list_variables(post.FLAGS.model_dir))
    assert checkpoint["OptimizeLoss/learning_rate"] == []
    assert tf.train.load_variable(post.FLAGS.model_dir, "OptimizeLoss/learning_rate") == np.float32(0.002)
    from helpers.keras_port import keras_network, load_estimator_weights

    keras_model = keras_network()
    load_estimator_weights(keras_model, post.FLAGS.model_dir)
    assert np.array_equal(keras_model.get_layer("fn6").get_weights()[0],
                          tf.train.load_variable(post.FLAGS.model_dir, "MnistConvNet/fn6/weights"))


def test_tf1_namespace_is_compat_v1_plus_contrib():
    assert tf1.placeholder is tf.compat.v1.placeholder and tf1.train.AdamOptimizer is tf.compat.v1.train.AdamOptimizer
    assert tf1.contrib.learn.ModeKeys.INFER == tf.estimator.ModeKeys.PREDICT
    assert tf1.contrib.data.Dataset is tf.compat.v1.data.Dataset
    with pytest.raises(AttributeError, match="tf.contrib.rnn is not available: tf.contrib was removed"):
        tf1.contrib.rnn  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        tf1.no_such_thing  # noqa: B018


def _optimize_loss_graph(**kwargs):
    """w**2 from w=5 and optimize_loss(**kwargs) on it: (graph, loss, step, w, result, the summaries' tags as
    TensorBoard gets them)."""
    graph = tf.Graph()
    with graph.as_default():
        w = tf1.get_variable("w", initializer=5.0)
        loss = tf.square(w)
        step = tf1.train.get_or_create_global_step()
        kwargs = {"learning_rate": 0.1, "optimizer": "SGD", **kwargs}
        if callable(kwargs["learning_rate"]):  # a tensor, made in this graph
            kwargs["learning_rate"] = kwargs["learning_rate"]()
        result = tf1.contrib.layers.optimize_loss(loss, step, **kwargs)
        tags = []
        if tf1.get_collection(tf1.GraphKeys.SUMMARIES):
            with tf1.Session() as s:
                s.run(tf1.global_variables_initializer())
                tags = [value.tag for value in tf1.Summary.FromString(s.run(tf1.summary.merge_all())).value]
    return graph, loss, step, w, result, tags


def test_optimize_loss_default_summaries_are_loss_and_global_gradient_norm():
    *_, summaries = _optimize_loss_graph()
    assert sorted(summaries) == ["OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/loss"]
    # "learning_rate" in summaries writes the rate only when a decay function makes it change
    *_, summaries = _optimize_loss_graph(summaries=["learning_rate"])
    assert summaries == []
    *_, summaries = _optimize_loss_graph(summaries=["loss"], name="Train")
    assert summaries == ["Train/loss"]
    # with clipping, the clipped norm too
    *_, summaries = _optimize_loss_graph(clip_gradients=1.0)
    assert sorted(summaries) == ["OptimizeLoss/global_norm/clipped_gradient_norm",
                                 "OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/loss"]
    *_, summaries = _optimize_loss_graph(summaries=["gradients", "gradient_norm"])
    assert sorted(summaries) == ["OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/gradient_norm/w_0",
                                 "OptimizeLoss/gradients/w_0"]
    with pytest.raises(ValueError, match="Summaries should be one of"):
        _optimize_loss_graph(summaries=["learning_rates"])


def test_optimize_loss_learning_rate_summary_only_with_a_decay_fn():
    graph, _, step, _, result, summaries = _optimize_loss_graph(
        learning_rate_decay_fn=lambda lr, global_step: tf1.train.exponential_decay(lr, global_step, 1, 0.5))
    # the variable took the name OptimizeLoss/learning_rate, so TF 1.x's summary of the decayed rate got "_1"
    assert sorted(summaries) == ["OptimizeLoss/global_norm/gradient_norm", "OptimizeLoss/learning_rate_1",
                                 "OptimizeLoss/loss"]
    with graph.as_default(), tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        s.run(result)
        rate = graph.get_tensor_by_name("OptimizeLoss/ExponentialDecay:0")
        assert np.isclose(s.run(rate), 0.1 * 0.5)  # decayed at global step 1
    *_, summaries = _optimize_loss_graph(learning_rate=lambda: tf.constant(0.1), summaries=["learning_rate"],
                                         learning_rate_decay_fn=lambda lr, step: tf1.train.cosine_decay(lr, step, 10))
    assert summaries == ["OptimizeLoss/learning_rate"]  # a tensor rate: no variable took the name


def test_optimize_loss_float_learning_rate_is_a_non_trainable_variable():
    graph, *_ = _optimize_loss_graph()
    with graph.as_default():
        rates = [v for v in tf1.global_variables() if v.op.name == "OptimizeLoss/learning_rate"]
        assert len(rates) == 1 and rates[0] not in tf1.trainable_variables()
        with tf1.Session() as s:
            s.run(tf1.global_variables_initializer())
            assert np.isclose(s.run(rates[0]), 0.1)
    graph, *_ = _optimize_loss_graph(name="Train")
    assert "Train/learning_rate" in [v.op.name for v in graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES)]
    # a scalar tensor is used as it is: no variable
    with tf.Graph().as_default():
        w = tf1.get_variable("w", initializer=5.0)
        tf1.contrib.layers.optimize_loss(tf.square(w), tf1.train.get_or_create_global_step(), tf.constant(0.1), "SGD")
        assert [v.op.name for v in tf1.global_variables()] == ["w", "global_step"]
    for bad in (1, -0.1, np.float32(0.1)):  # TF 1.x took a Python float or a 0-d tensor, nothing else
        with pytest.raises(ValueError, match="Learning rate should be 0d Tensor or float|Invalid learning_rate"):
            _optimize_loss_graph(learning_rate=bad)


def test_optimize_loss_returns_the_loss_which_runs_the_update():
    graph, loss, step, w, result, _ = _optimize_loss_graph()
    assert isinstance(result, tf.Tensor) and result.shape.ndims == 0 and result.op.type == "Identity"
    assert "OptimizeLoss/train" in [op.name for op in result.op.control_inputs]  # the apply_gradients op
    with graph.as_default(), tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        assert np.isclose(s.run(result), 25.0) and s.run(step) == 1  # the loss of w=5, and one SGD step
        assert np.isclose(s.run(w), 5.0 - 0.1 * 10.0)
        returned, plain = s.run([result, loss])  # the same step's loss, w=4, and the update ran once more
        assert np.isclose(returned, 16.0) and np.isclose(plain, 16.0) and s.run(step) == 2
        assert np.isclose(s.run(w), 4.0 - 0.1 * 8.0)


def test_optimize_loss_runs_update_ops_and_clips():
    with tf.Graph().as_default():
        w = tf1.get_variable("w", initializer=5.0)
        loss = tf.square(w)
        step = tf1.train.get_or_create_global_step()
        updates = tf1.Variable(0, trainable=False, name="updates")
        tf1.add_to_collection(tf1.GraphKeys.UPDATE_OPS, updates.assign_add(1))
        train = tf1.contrib.layers.optimize_loss(loss, step, learning_rate=0.1, optimizer="SGD", clip_gradients=1.0)
        with tf1.Session() as s:
            s.run(tf1.global_variables_initializer())
            s.run(train)
            assert s.run(step) == 1 and s.run(updates) == 1
            assert np.isclose(s.run(w), 5.0 - 0.1 * 1.0)  # the gradient 10 clipped to 1
        with pytest.raises(ValueError, match="Unknown type <class 'int'> for clip_gradients"):
            tf1.contrib.layers.optimize_loss(loss, step, 0.1, "SGD", clip_gradients=1)
        with pytest.raises(ValueError, match="Optimizer name should be one of"):
            tf1.contrib.layers.optimize_loss(loss, step, 0.1, optimizer="Nadam")
        with pytest.raises(ValueError, match="Expected scalar shape"):
            tf1.contrib.layers.optimize_loss(tf.stack([loss, loss]), step, 0.1, "SGD")


def test_optimize_loss_gradient_multipliers_and_noise():
    graph, _, step, w, result, _ = _optimize_loss_graph(gradient_multipliers={"w:0": 0.5})
    with graph.as_default(), tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        s.run(result)
        assert np.isclose(s.run(w), 5.0 - 0.1 * 10.0 * 0.5)
    graph, _, step, w, result, _ = _optimize_loss_graph(gradient_noise_scale=0.0)
    with graph.as_default(), tf1.Session() as s:
        s.run(tf1.global_variables_initializer())
        s.run(result)
        assert np.isclose(s.run(w), 4.0)  # noise scaled by 0: the plain step


def test_optimize_loss_without_a_global_step_increments_nothing():
    with tf.Graph().as_default():
        w = tf1.get_variable("w", initializer=5.0)
        result = tf1.contrib.layers.optimize_loss(tf.square(w), None, 0.1, "SGD")  # no global step in the graph
        with tf1.Session() as s:
            s.run(tf1.global_variables_initializer())
            s.run(result)
            assert np.isclose(s.run(w), 4.0) and tf1.train.get_global_step() is None
        with pytest.raises(ValueError, match="global_step is required for learning_rate_decay_fn"):
            tf1.contrib.layers.optimize_loss(tf.square(w), None, 0.1, "SGD",
                                             learning_rate_decay_fn=tf1.train.exponential_decay)


def test_read_data_sets_shapes(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MNIST_MIRROR", "http://127.0.0.1:9/")
    data = tf1.mnist_input_data.read_data_sets(str(tmp_path), one_hot=True)
    assert data.train.images.shape[1] == 784 and data.test.images.shape == (1000, 784)
    assert data.train.labels.shape[1] == 10 and data.validation.num_examples == 333
    assert "validation_size scaled" in capsys.readouterr().out
