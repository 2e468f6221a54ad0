"""The model of the 2017 post: a small tf-slim CNN and the ``model_fn`` that wraps it for an Estimator.

Taught in ``notebooks/02_model_fn_and_estimatorspec.ipynb``; used by notebooks 03-04 and the CLI.
"""

from __future__ import annotations

import numbers

import tensorflow as tf
import tf_slim as slim

ModeKeys = tf.estimator.ModeKeys
NUM_CLASSES = 10


def architecture(inputs, is_training: bool, dropout_rate: float = 0.5, hidden_units: int = 256,
                 scope: str = "MnistConvNet"):
    """The post's network, layer for layer and with its scope names: conv 5x5 (20) -> max-pool -> conv 5x5 (40)
    -> max-pool -> reshape to 640 -> fn5 (256) -> dropout -> fn6 (256) -> dropout -> 10 logits; 253,018
    parameters, Xavier (Glorot uniform) initialisation. ``dropout_rate`` 0.5 is the post's ``keep_prob`` 0.5.
    ``hidden_units``, the width of fn5 and fn6, is the post's 256 written as a parameter (notebook 08 sweeps it)."""
    if isinstance(hidden_units, bool) or not isinstance(hidden_units, numbers.Integral) or hidden_units < 1:
        raise ValueError(f"hidden_units must be a positive int (the post's is 256), not {hidden_units!r}")
    keep_prob = 1.0 - dropout_rate
    with tf.compat.v1.variable_scope(scope):
        with slim.arg_scope([slim.conv2d, slim.fully_connected],
                            weights_initializer=tf.compat.v1.glorot_uniform_initializer()):
            net = slim.conv2d(inputs, 20, [5, 5], padding="VALID", scope="conv1")   # 24x24x20
            net = slim.max_pool2d(net, 2, stride=2, scope="pool2")                  # 12x12x20
            net = slim.conv2d(net, 40, [5, 5], padding="VALID", scope="conv3")      # 8x8x40
            net = slim.max_pool2d(net, 2, stride=2, scope="pool4")                  # 4x4x40
            net = tf.reshape(net, [-1, 4 * 4 * 40])                                 # 640
            net = slim.fully_connected(net, hidden_units, scope="fn5")              # 256
            net = slim.dropout(net, keep_prob=keep_prob, is_training=is_training, scope="dropout5")
            net = slim.fully_connected(net, hidden_units, scope="fn6")              # 256
            net = slim.dropout(net, keep_prob=keep_prob, is_training=is_training, scope="dropout6")
            logits = slim.fully_connected(net, NUM_CLASSES, activation_fn=None, scope="output")  # 10
    return logits


#: The post's layers, in order, as their variable scopes under "MnistConvNet/" (the reshape has no scope).
LAYERS = ("conv1", "pool2", "conv3", "pool4", "fn5", "dropout5", "fn6", "dropout6", "output")


def _param(params, name, default=None):
    """Read a hyper-parameter from an HParams object or a dict (the Estimator accepts both)."""
    if isinstance(params, dict):
        value = params.get(name, default)
    else:
        value = getattr(params, name, default)
    if value is None:
        raise ValueError(f"model_fn needs the hyper-parameter {name!r} in params")
    return value


#: ``learning_rate_decay`` values: "none" is the post's constant rate; "cosine" is a deliberate addition.
LEARNING_RATE_DECAYS = ("none", "cosine")


def get_learning_rate(params):
    """The optimizer's learning rate: the constant ``learning_rate``, as in the post (Adam at 0.002), unless the
    optional hyper-parameter ``learning_rate_decay`` is ``"cosine"`` - a deliberate addition, not the post's: then
    it falls from ``learning_rate`` at step 0 to 0 at ``train_steps`` along half a cosine
    (``tf.compat.v1.train.cosine_decay``), and is written to TensorBoard as the ``learning_rate`` scalar. With
    ``"none"`` (or no such hyper-parameter) the graph is exactly the one without this option."""
    rate = _param(params, "learning_rate")
    decay = _param(params, "learning_rate_decay", "none")
    if decay not in LEARNING_RATE_DECAYS:
        raise ValueError(f"learning_rate_decay must be one of {', '.join(LEARNING_RATE_DECAYS)}, not {decay!r}")
    if decay == "none":
        return rate
    rate = tf.compat.v1.train.cosine_decay(rate, tf.compat.v1.train.get_or_create_global_step(),
                                           decay_steps=_param(params, "train_steps"))
    tf.compat.v1.summary.scalar("learning_rate", rate)
    return rate


def model_fn(features, labels, mode, params):
    """Build the graph for ``mode`` and return an ``EstimatorSpec``.

    PREDICT: predictions only (class and probabilities) and export outputs for a SavedModel.
    EVAL:    + loss and ``eval_metric_ops`` (accuracy).
    TRAIN:   + ``train_op`` (Adam on the loss, incrementing the global step; the rate from
             :func:`get_learning_rate`: the post's constant one unless ``learning_rate_decay`` asks for a
             schedule). The post built it with
             ``tf.contrib.layers.optimize_loss``, which adds summaries and an ``UPDATE_OPS`` dependency
             (``helpers.tf1.contrib.layers.optimize_loss``); notebook 02 compares the two.
    """
    if isinstance(features, dict):  # e.g. from a serving input receiver: {"images": ...}
        features = features["images"]
    logits = architecture(features, is_training=(mode == ModeKeys.TRAIN),
                          dropout_rate=_param(params, "dropout_rate", 0.5),
                          hidden_units=_param(params, "hidden_units", 256))
    probabilities = tf.nn.softmax(logits, name="probabilities")
    classes = tf.argmax(logits, axis=-1, output_type=tf.int32, name="classes")
    predictions = {"classes": classes, "probabilities": probabilities}

    if mode == ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(
            mode, predictions=predictions,
            export_outputs={"serving_default": tf.estimator.export.PredictOutput(predictions)})

    labels = tf.cast(labels, tf.int32)
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    accuracy = tf.compat.v1.metrics.accuracy(labels=labels, predictions=classes, name="accuracy")
    if mode == ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss,
                                          eval_metric_ops={"accuracy": accuracy})

    # TRAIN: the batch accuracy as a TensorBoard summary, and the optimizer step.
    tf.compat.v1.summary.scalar("train_accuracy", tf.reduce_mean(tf.cast(tf.equal(classes, labels), tf.float32)))
    optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate=get_learning_rate(params))
    train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)
