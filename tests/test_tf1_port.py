"""TF 1.x Estimator code runs with only its imports changed: the post's example through helpers.tf1."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import REPO

from helpers.notebook import quiet_tensorflow

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


def test_tf1_namespace_is_compat_v1_plus_contrib():
    assert tf1.placeholder is tf.compat.v1.placeholder and tf1.train.AdamOptimizer is tf.compat.v1.train.AdamOptimizer
    assert tf1.contrib.learn.ModeKeys.INFER == tf.estimator.ModeKeys.PREDICT
    assert tf1.contrib.data.Dataset is tf.compat.v1.data.Dataset
    with pytest.raises(AttributeError, match="tf.contrib.rnn is not available: tf.contrib was removed"):
        tf1.contrib.rnn  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        tf1.no_such_thing  # noqa: B018


def test_optimize_loss_options():
    with tf.Graph().as_default():
        w = tf1.get_variable("w", initializer=5.0)
        loss = tf.square(w)
        step = tf1.train.get_or_create_global_step()
        train_op = tf1.contrib.layers.optimize_loss(loss, step, learning_rate=0.1, optimizer="SGD", clip_gradients=1.0)
        with tf1.Session() as s:
            s.run(tf1.global_variables_initializer())
            s.run(train_op)
            assert s.run(step) == 1 and np.isclose(s.run(w), 5.0 - 0.1 * 1.0)  # the gradient 10 clipped to 1
        with pytest.raises(ValueError, match="Optimizer name should be one of"):
            tf1.contrib.layers.optimize_loss(loss, step, 0.1, optimizer="Nadam")
        with pytest.raises(TypeError, match="gradient_noise_scale not supported"):
            tf1.contrib.layers.optimize_loss(loss, step, 0.1, "SGD", gradient_noise_scale=1.0)


def test_read_data_sets_shapes(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MNIST_MIRROR", "http://127.0.0.1:9/")
    data = tf1.mnist_input_data.read_data_sets(str(tmp_path), one_hot=True)
    assert data.train.images.shape[1] == 784 and data.test.images.shape == (1000, 784)
    assert data.train.labels.shape[1] == 10 and data.validation.num_examples == 333
    assert "validation_size scaled" in capsys.readouterr().out
