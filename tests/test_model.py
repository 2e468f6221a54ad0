"""helpers.model: the post's architecture and a model_fn that works in every Estimator mode."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers.data import load_mnist  # noqa: E402
from helpers.hparams import HParams  # noqa: E402
from helpers.inputs import get_eval_inputs, get_train_inputs  # noqa: E402
from helpers.model import architecture, model_fn  # noqa: E402

ModeKeys = tf.estimator.ModeKeys


def build(mode, params=None):
    with tf.Graph().as_default() as g:
        tf.compat.v1.set_random_seed(0)  # the same initial weights whichever tests ran before in this process
        features = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
        labels = tf.compat.v1.placeholder(tf.int32, [None])
        spec = model_fn(features, labels, mode, {"learning_rate": 0.001} if params is None else params)
        return g, features, labels, spec


def test_architecture_shape_and_parameter_count():
    with tf.Graph().as_default():
        logits = architecture(tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]), is_training=True)
        assert logits.shape.as_list() == [None, 10]
        counts = {v.name: int(np.prod(v.shape)) for v in tf.compat.v1.trainable_variables()}
    assert sum(counts.values()) == 253_018  # the post's network, fn6 included
    assert counts["MnistConvNet/conv1/weights:0"] == 5 * 5 * 1 * 20
    assert counts["MnistConvNet/conv3/weights:0"] == 5 * 5 * 20 * 40
    assert counts["MnistConvNet/fn5/weights:0"] == 4 * 4 * 40 * 256
    assert counts["MnistConvNet/fn6/weights:0"] == 256 * 256
    assert counts["MnistConvNet/output/weights:0"] == 256 * 10


def test_scope_names_are_the_posts():
    """A checkpoint of the post's TF 1.x example and one of ours name their variables alike."""
    with tf.Graph().as_default():
        architecture(tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]), is_training=True)
        names = [v.op.name for v in tf.compat.v1.trainable_variables()]
    assert names == [f"MnistConvNet/{layer}/{kind}" for layer in ("conv1", "conv3", "fn5", "fn6", "output")
                     for kind in ("weights", "biases")]


def test_predict_spec_has_predictions_and_export_outputs_but_no_loss_or_train_op():
    _, _, _, spec = build(ModeKeys.PREDICT)
    assert spec.loss is None and spec.train_op is None
    assert set(spec.predictions) == {"classes", "probabilities"}
    assert "serving_default" in spec.export_outputs


def test_eval_spec_has_loss_and_accuracy_but_no_train_op():
    _, _, _, spec = build(ModeKeys.EVAL)
    assert spec.loss is not None and spec.train_op is None
    assert set(spec.eval_metric_ops) == {"accuracy"}


def test_train_spec_increments_the_global_step_and_lowers_the_loss():
    g, features, labels, spec = build(ModeKeys.TRAIN, HParams(learning_rate=0.001, dropout_rate=0.0))
    rng = np.random.default_rng(0)
    x = rng.random((32, 28, 28, 1), dtype=np.float32)
    y = (np.arange(32) % 10).astype(np.int32)
    with g.as_default(), tf.compat.v1.Session() as s:
        s.run(tf.compat.v1.global_variables_initializer())
        first = s.run(spec.loss, {features: x, labels: y})
        for _ in range(30):
            s.run(spec.train_op, {features: x, labels: y})
        last = s.run(spec.loss, {features: x, labels: y})
        assert s.run(tf.compat.v1.train.get_global_step()) == 30
    assert last < first / 2


def test_dropout_only_in_training():
    x = np.random.default_rng(1).random((4, 28, 28, 1), dtype=np.float32)
    for mode, same in ((ModeKeys.TRAIN, False), (ModeKeys.EVAL, True)):
        g, features, labels, spec = build(mode)
        with g.as_default(), tf.compat.v1.Session() as s:
            s.run(tf.compat.v1.global_variables_initializer())
            a, b = (s.run(spec.predictions["probabilities"], {features: x}) for _ in range(2))
        assert np.allclose(a, b) is same


def test_missing_learning_rate_is_a_clear_error():
    with pytest.raises(ValueError, match="needs the hyper-parameter 'learning_rate'"):
        build(ModeKeys.TRAIN, params={})


def _summary_names(graph):
    return sorted(op.name for op in graph.get_operations() if op.type == "ScalarSummary")


def test_learning_rate_decay_none_builds_exactly_the_default_graph():
    """The notebooks' stored outputs depend on the default graph: "none" must not add a single op or summary."""
    graphs = [build(ModeKeys.TRAIN, params)[0] for params in (
        {"learning_rate": 0.001},
        {"learning_rate": 0.001, "learning_rate_decay": "none", "train_steps": 10})]
    ops = [[(op.name, op.type) for op in g.get_operations()] for g in graphs]
    assert ops[0] == ops[1]
    assert _summary_names(graphs[0]) == _summary_names(graphs[1]) == ["train_accuracy"]
    cosine = build(ModeKeys.TRAIN, {"learning_rate": 0.001, "learning_rate_decay": "cosine", "train_steps": 10})[0]
    assert _summary_names(cosine) == ["learning_rate", "train_accuracy"]


def test_cosine_learning_rate_decays_to_zero_at_train_steps():
    params = HParams(learning_rate=0.01, dropout_rate=0.0, learning_rate_decay="cosine", train_steps=10)
    g, features, labels, spec = build(ModeKeys.TRAIN, params)
    rate = g.get_operation_by_name("learning_rate").inputs[1]  # the tensor the TensorBoard scalar shows
    x = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    feed = {features: x, labels: (np.arange(8) % 10).astype(np.int32)}
    weights = g.get_tensor_by_name("MnistConvNet/output/weights:0")
    with g.as_default(), tf.compat.v1.Session() as s:
        s.run(tf.compat.v1.global_variables_initializer())
        rates = []
        for _ in range(10):
            rates.append(s.run(rate))
            s.run(spec.train_op, feed)
        assert s.run(tf.compat.v1.train.get_global_step()) == 10 and s.run(rate) == 0.0
        before = s.run(weights)
        s.run(spec.train_op, feed)  # past train_steps the rate stays 0: Adam really uses the decayed rate
        assert np.array_equal(s.run(weights), before)
    expected = 0.01 * 0.5 * (1 + np.cos(np.pi * np.arange(10) / 10))
    np.testing.assert_allclose(rates, expected, rtol=1e-5)
    assert np.all(np.diff(rates) < 0)


def test_bad_learning_rate_decay_is_a_clear_error():
    with pytest.raises(ValueError, match="learning_rate_decay must be one of none, cosine, not 'linear'"):
        build(ModeKeys.TRAIN, {"learning_rate": 0.001, "learning_rate_decay": "linear", "train_steps": 10})
    with pytest.raises(ValueError, match="needs the hyper-parameter 'train_steps'"):
        build(ModeKeys.TRAIN, {"learning_rate": 0.001, "learning_rate_decay": "cosine"})


def test_features_as_a_dict_are_accepted():
    with tf.Graph().as_default():
        spec = model_fn({"images": tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])}, None,
                        ModeKeys.PREDICT, {})
        assert spec.predictions["classes"].shape.as_list() == [None]


def test_estimator_trains_evaluates_predicts_and_resumes(tmp_path):
    mnist = load_mnist("sample", verbose=False)
    config = tf.estimator.RunConfig(model_dir=str(tmp_path), tf_random_seed=1, save_checkpoints_steps=100)
    est = tf.estimator.Estimator(model_fn, params=HParams(learning_rate=0.002, dropout_rate=0.5), config=config)
    train_fn, train_hook = get_train_inputs(64, mnist, seed=0)
    est.train(train_fn, hooks=[train_hook], steps=150)
    eval_fn, eval_hook = get_eval_inputs(250, mnist)
    metrics = est.evaluate(eval_fn, hooks=[eval_hook])
    assert metrics["global_step"] == 150
    assert metrics["accuracy"] > 0.8, metrics
    est.train(train_fn, hooks=[train_hook], steps=20)  # a new session: resumes from the checkpoint
    assert est.get_variable_value("global_step") == 170
    predict_fn, predict_hook = get_eval_inputs(250, mnist)
    preds = list(est.predict(predict_fn, hooks=[predict_hook]))
    assert len(preds) == 1000
    assert np.isclose(preds[0]["probabilities"].sum(), 1.0, atol=1e-5)


# --- notebook 08: the same model with the width of fn5/fn6 as the hyper-parameter hidden_units --------------------
def _graph_of(fn, mode, params):
    with tf.Graph().as_default() as g:
        tf.compat.v1.set_random_seed(0)
        features = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
        labels = tf.compat.v1.placeholder(tf.int32, [None])
        fn(features, labels, mode, params)
    return g


def _ops(graph):
    return [(op.name, op.type, [t.shape.as_list() if t.shape.rank is not None else None for t in op.outputs])
            for op in graph.get_operations()]


@pytest.mark.parametrize("mode", [ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT])
def test_hidden_units_256_is_exactly_the_posts_graph(mode):
    """``hidden_units`` (notebook 08's sweep) defaults to the post's 256: giving it builds the very same graph."""
    posts = _ops(_graph_of(model_fn, mode, {"learning_rate": 0.001}))
    assert _ops(_graph_of(model_fn, mode, {"learning_rate": 0.001, "hidden_units": 256})) == posts
    assert _ops(_graph_of(model_fn, mode, {"learning_rate": 0.001, "hidden_units": 64})) != posts


def test_hidden_units_sets_the_width_of_fn5_and_fn6_only():
    with tf.Graph().as_default():
        logits = architecture(tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]), is_training=True,
                              hidden_units=64)
        shapes = {v.op.name: v.shape.as_list() for v in tf.compat.v1.trainable_variables()}
    assert logits.shape.as_list() == [None, 10]
    assert shapes["MnistConvNet/fn5/weights"] == [640, 64] and shapes["MnistConvNet/fn6/weights"] == [64, 64]
    assert shapes["MnistConvNet/output/weights"] == [64, 10] and shapes["MnistConvNet/conv3/weights"] == [5, 5, 20, 40]
    # conv1 520 + conv3 20,040 + fn5 640*64+64 + fn6 64*64+64 + output 64*10+10
    assert sum(int(np.prod(s)) for s in shapes.values()) == 520 + 20_040 + 41_024 + 4_160 + 650 == 66_394
    for bad in (0, 64.0, True, "64"):
        with tf.Graph().as_default(), pytest.raises(ValueError, match="hidden_units must be a positive int"):
            architecture(tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]), True, hidden_units=bad)
