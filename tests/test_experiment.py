"""helpers.experiment.Experiment and helpers.learn_runner keep TF 1.x semantics, errors included."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers import learn_runner  # noqa: E402
from helpers.experiment import Experiment  # noqa: E402
from helpers.hparams import HParams  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(256, 4)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int32)


def train_input_fn():
    return tf.data.Dataset.from_tensor_slices((X, Y)).repeat().batch(32)


def eval_input_fn():
    return tf.data.Dataset.from_tensor_slices((X, Y)).batch(64)


def linear_model_fn(features, labels, mode, params):
    if isinstance(features, dict):
        features = features["x"]
    logits = tf.compat.v1.layers.dense(features, 2)
    classes = tf.argmax(logits, -1, output_type=tf.int32)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"classes": classes},
                                          export_outputs={"out": tf.estimator.export.PredictOutput({"c": classes})})
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, logits)
    train_op = tf.compat.v1.train.GradientDescentOptimizer(params.get("learning_rate", 0.1)).minimize(
        loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      eval_metric_ops={"accuracy": tf.compat.v1.metrics.accuracy(labels, classes)})


def estimator(model_dir, save_every=10, **config):
    cfg = tf.estimator.RunConfig(model_dir=str(model_dir), save_checkpoints_steps=save_every, tf_random_seed=1,
                                 **config)
    return tf.estimator.Estimator(linear_model_fn, params={"learning_rate": 0.1}, config=cfg)


def experiment(model_dir, **kwargs):
    kwargs.setdefault("eval_steps", None)
    return Experiment(estimator(model_dir), train_input_fn, eval_input_fn, **kwargs)


def eval_steps_in(model_dir, sub="eval"):
    from helpers.tensorboard import read_scalars

    return read_scalars(model_dir)[sub]["accuracy"][0].tolist()


# --- constructor ------------------------------------------------------------------------------------------
def test_constructor_rejects_what_tf1_rejected_with_clear_errors(tmp_path):
    est = estimator(tmp_path)
    with pytest.raises(ValueError, match="`eval_metrics` must be `None` with `tf.estimator.Estimator`"):
        Experiment(est, train_input_fn, eval_input_fn, eval_metrics={"acc": object()})
    with pytest.raises(ValueError, match="`estimator` must be a tf.estimator.Estimator"):
        Experiment(object(), train_input_fn, eval_input_fn)
    with pytest.raises(ValueError, match="ExportStrategy .* no longer exists"):
        Experiment(est, train_input_fn, eval_input_fn, export_strategies=["strategy"])
    with pytest.raises(ValueError, match="`train_steps` must be a non-negative integer"):
        Experiment(est, train_input_fn, eval_input_fn, train_steps=-5)
    with pytest.raises(TypeError, match="`eval_input_fn` must be a function"):
        Experiment(est, train_input_fn, eval_input_fn())
    with pytest.raises(ValueError, match="checkpoint_and_export=True"):
        Experiment(est, train_input_fn, eval_input_fn, checkpoint_and_export=True)


def test_properties_and_tf2_specs(tmp_path):
    exp = experiment(tmp_path, train_steps=30, eval_steps=5)
    assert exp.train_steps == 30 and exp.eval_steps == 5 and exp.eval_metrics is None
    assert isinstance(exp.train_spec, tf.estimator.TrainSpec) and exp.train_spec.max_steps == 30
    assert isinstance(exp.eval_spec, tf.estimator.EvalSpec) and exp.eval_spec.steps == 5
    assert exp.eval_spec.throttle_secs == 0


# --- schedules --------------------------------------------------------------------------------------------
def test_train_and_evaluate_evaluates_every_min_eval_frequency_steps(tmp_path):
    exp = experiment(tmp_path, train_steps=60, min_eval_frequency=20)
    result, exports = exp.train_and_evaluate()
    assert result["global_step"] == 60 and exports == []
    assert eval_steps_in(tmp_path) == [20, 40, 60]  # checkpoints every 10, evaluations at least 20 apart
    assert [r["global_step"] for r in exp.eval_results] == [20, 40, 60]
    assert result["accuracy"] > 0.8


def test_min_eval_frequency_zero_evaluates_only_at_the_end(tmp_path):
    exp = experiment(tmp_path, train_steps=30, min_eval_frequency=0)
    exp.train_and_evaluate()
    assert eval_steps_in(tmp_path) == [30]


def test_train_steps_is_a_maximum_global_step_and_rerun_resumes(tmp_path):
    experiment(tmp_path, train_steps=20, min_eval_frequency=0).train()
    assert tf.train.load_variable(str(tmp_path), "global_step") == 20
    experiment(tmp_path, train_steps=20).train()  # nothing to do
    assert tf.train.load_variable(str(tmp_path), "global_step") == 20
    experiment(tmp_path, train_steps=35).train()  # exactly the difference
    assert tf.train.load_variable(str(tmp_path), "global_step") == 35


def test_evaluate_waits_eval_delay_secs_and_writes_eval_one_pass(tmp_path, monkeypatch):
    slept = []
    monkeypatch.setattr("helpers.experiment.time.sleep", slept.append)
    exp = experiment(tmp_path, train_steps=10)
    exp.train()
    result = exp.evaluate()
    assert slept == [120]  # TF 1.x default eval_delay_secs
    assert result["global_step"] == 10
    assert (tmp_path / "eval_one_pass").is_dir()
    exp.evaluate(delay_secs=0)
    assert slept == [120]


def test_test_schedule_trains_one_step_and_evaluates_one(tmp_path):
    result = experiment(tmp_path).test()
    assert result["global_step"] == 1


def test_continuous_train_and_eval(tmp_path):
    exp = experiment(tmp_path, train_steps=30, train_steps_per_iteration=10)
    result, _ = exp.continuous_train_and_eval()
    assert [r["global_step"] for r in exp.eval_results] == [10, 20, 30] and result["global_step"] == 30
    with pytest.raises(ValueError, match="must be a callable"):
        exp.continuous_train_and_eval(continuous_eval_predicate_fn=3)


def test_continuous_eval_stops_when_the_predicate_says_so(tmp_path):
    exp = experiment(tmp_path, train_steps=10, eval_delay_secs=0, continuous_eval_throttle_secs=0)
    exp.train()
    seen = []

    def predicate(result):
        seen.append(result)
        return len(seen) < 3

    exp.continuous_eval(continuous_eval_predicate_fn=predicate)
    assert seen[0] is None and seen[1]["global_step"] == 10 and seen[2] == {}  # no new checkpoint the 2nd time
    assert (tmp_path / "eval_continuous").is_dir()


def test_exporters_run_after_train_and_evaluate(tmp_path):
    def serving_input_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})

    exporter = tf.estimator.LatestExporter("latest", serving_input_fn)
    exp = experiment(tmp_path, train_steps=20, min_eval_frequency=0, export_strategies=exporter)
    _, exports = exp.train_and_evaluate()
    assert len(exports) == 1 and (tmp_path / "export" / "latest").is_dir()


def test_run_std_server_needs_a_cluster(tmp_path):
    with pytest.raises(ValueError, match="Could not start server; be sure to specify cluster_spec"):
        experiment(tmp_path).run_std_server()


# --- learn_runner -----------------------------------------------------------------------------------------
def experiment_fn(run_config, hparams):
    run_config = run_config.replace(save_checkpoints_steps=10)  # allowed, as in the 2017 post
    est = tf.estimator.Estimator(linear_model_fn, params=hparams.values(), config=run_config)
    return Experiment(est, train_input_fn, eval_input_fn, train_steps=hparams.train_steps, eval_steps=None,
                      min_eval_frequency=10)


def test_run_calls_experiment_fn_and_the_schedule(tmp_path):
    config = tf.estimator.RunConfig(model_dir=str(tmp_path))
    result, _ = learn_runner.run(experiment_fn, run_config=config, schedule="train_and_evaluate",
                                 hparams=HParams(train_steps=20, learning_rate=0.1))
    assert result["global_step"] == 20
    # default schedule locally: train_and_evaluate
    result, _ = learn_runner.run(experiment_fn, run_config=config, hparams=HParams(train_steps=30, learning_rate=0.1))
    assert result["global_step"] == 30


def test_run_with_output_dir_calls_the_legacy_signature(tmp_path):
    def legacy_fn(output_dir):
        return Experiment(estimator(output_dir), train_input_fn, eval_input_fn, train_steps=10)

    learn_runner.run(legacy_fn, output_dir=str(tmp_path), schedule="train")
    assert tf.train.load_variable(str(tmp_path), "global_step") == 10


@pytest.mark.parametrize("kwargs, error, message", [
    ({"output_dir": "x", "run_config": "set"}, ValueError, "Cannot provide both `output_dir` and `run_config`"),
    ({}, ValueError, "Must set value for `output_dir` or `run_config`"),
    ({"run_config": "not a config"}, ValueError, "`run_config` must be a `tf.estimator.RunConfig`"),
    ({"run_config": "cfg", "hparams": {"lr": 1}}, ValueError, "`hparams` must be `HParams` instance"),
    ({"run_config": "cfg", "schedule": "train_evaluate"}, ValueError,
     "Schedule references non-existent task train_evaluate; valid schedules are: train, evaluate, train_and_evaluate"),
    ({"run_config": "cfg", "schedule": "estimator"}, TypeError, "Schedule references non-callable member estimator"),
    ({"run_config": "cfg", "schedule": 3}, ValueError, "must be the name of an Experiment method"),
    ({"run_config": "cfg", "schedule": "extend_train_hooks"}, ValueError, "is an Experiment method but not a schedule"),
    ({"output_dir": "x", "hparams": HParams(a=1)}, ValueError, "Must set `hparams` as None"),
])
def test_run_errors(tmp_path, kwargs, error, message):
    if kwargs.get("run_config") == "cfg":
        kwargs["run_config"] = tf.estimator.RunConfig(model_dir=str(tmp_path))
        kwargs.setdefault("hparams", HParams(train_steps=1, learning_rate=0.1))
    with pytest.raises(error, match=message):
        learn_runner.run(experiment_fn, **kwargs)


def test_run_rejects_non_callables_wrong_returns_and_foreign_run_configs(tmp_path):
    config = tf.estimator.RunConfig(model_dir=str(tmp_path / "a"))
    with pytest.raises(TypeError, match="is not callable"):
        learn_runner.run("experiment_fn", run_config=config)
    with pytest.raises(TypeError, match="did not return an Experiment instance, got dict"):
        learn_runner.run(lambda c, h: {}, run_config=config)
    with pytest.raises(RuntimeError, match="`RunConfig` instance is expected to be used by the `Estimator`"):
        learn_runner.run(lambda c, h: Experiment(estimator(tmp_path / "b"), train_input_fn, eval_input_fn),
                         run_config=config)
    with pytest.raises(ValueError, match="Must specify a model directory"):
        learn_runner.run(experiment_fn, run_config=tf.estimator.RunConfig(),
                         hparams=HParams(train_steps=1, learning_rate=0.1))


@pytest.mark.parametrize("task, schedule", [
    ("chief", "train_and_evaluate"), ("master", "train_and_evaluate"), ("worker", "train"),
    ("ps", "run_std_server"), ("evaluator", "continuous_eval"),
])
def test_default_schedule_by_task_type(monkeypatch, tmp_path, task, schedule):
    cluster = {"chief": ["localhost:1"], "worker": ["localhost:2"], "ps": ["localhost:3"]}
    if task == "master":
        cluster = {"master": ["localhost:1"], "worker": ["localhost:2"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": task, "index": 0}}))
    config = tf.estimator.RunConfig(model_dir=str(tmp_path))
    assert learn_runner.is_distributed(config) is (task != "evaluator")  # TF 2 keeps the evaluator outside
    assert learn_runner.default_schedule(config) == schedule


def test_single_task_cluster_is_local(monkeypatch, tmp_path):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"chief": ["localhost:1"]},
                                                "task": {"type": "chief", "index": 0}}))
    config = tf.estimator.RunConfig(model_dir=str(tmp_path))
    assert not learn_runner.is_distributed(config)
    assert learn_runner.default_schedule(config) == "train_and_evaluate"
