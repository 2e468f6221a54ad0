"""helpers.experiment.Experiment keeps TF 1.x semantics, errors included (learn_runner: test_learn_runner.py).

Written against what TF 1.x's own experiment_test.py pinned down. Training is tiny (a linear model on 256 rows);
tests that only evaluate share one trained model_dir (``trained``), and every sleep is patched out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers.experiment import Experiment  # noqa: E402

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


def experiment(model_dir, estimator_kwargs=None, **kwargs):
    kwargs.setdefault("eval_steps", None)
    return Experiment(estimator(model_dir, **(estimator_kwargs or {})), train_input_fn, eval_input_fn, **kwargs)


def eval_steps_in(model_dir, sub="eval"):
    from helpers.tensorboard import read_scalars

    return read_scalars(model_dir)[sub]["accuracy"][0].tolist()



def serving_input_fn():
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One model_dir trained to global step 20 (checkpoints at 0, 10, 20), shared by the tests that only evaluate."""
    model_dir = tmp_path_factory.mktemp("trained")
    experiment(model_dir, train_steps=20).train()
    return model_dir


@pytest.fixture
def slept(monkeypatch):
    """Patch out time.sleep in helpers.experiment; the list of the requested sleeps."""
    record = []
    monkeypatch.setattr("helpers.experiment.time.sleep", record.append)
    return record


class Simulated:
    """Stands in for an Experiment's Estimator calls: training moves a global step, an evaluation reports the step
    of the checkpoint it read, exports are counted. For the loop semantics, without TensorFlow's seconds."""

    def __init__(self, exp, monkeypatch, step=0, checkpoints=None):
        self.step, self.trained, self.evaluated, self.exported = step, [], [], []
        self._checkpoints = list(checkpoints or [])
        monkeypatch.setattr(exp, "_call_train", self.train)
        monkeypatch.setattr(exp, "_global_step", lambda: self.step)
        monkeypatch.setattr(exp, "_call_evaluate", self.evaluate)
        monkeypatch.setattr(exp, "_maybe_export", self.export)
        if checkpoints is not None:  # the checkpoint each poll finds (the last one stays)
            monkeypatch.setattr(tf.train, "latest_checkpoint", self.latest_checkpoint)

    def latest_checkpoint(self, model_dir):
        return self._checkpoints.pop(0) if len(self._checkpoints) > 1 else self._checkpoints[0]

    def train(self, hooks=(), steps=None, max_steps=None, saving_listeners=()):
        self.trained.append(steps)
        self.step += steps

    def evaluate(self, name, steps="default", checkpoint_path=None, hooks=None, input_fn=None):
        step = int(checkpoint_path.rsplit("-", 1)[1]) if checkpoint_path else self.step
        self.evaluated.append((name, step, input_fn))
        return {"global_step": step, "loss": 1.0}

    def export(self, eval_result, checkpoint_path=None, is_the_final_export=False):
        self.exported.append(eval_result["global_step"])
        return [f"export-{eval_result['global_step']}"]


# --- constructor and properties ---------------------------------------------------------------------------
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
    with pytest.raises(ValueError, match="`train_steps_per_iteration` must be a non-negative integer"):
        Experiment(est, train_input_fn, eval_input_fn, train_steps_per_iteration="123")
    with pytest.raises(TypeError, match="`eval_input_fn` must be a function"):
        Experiment(est, train_input_fn, eval_input_fn())


def test_properties_and_tf2_specs(tmp_path):
    exp = experiment(tmp_path, train_steps=30, eval_steps=5)
    assert exp.train_steps == 30 and exp.eval_steps == 5 and exp.eval_metrics is None
    assert exp.estimator.model_dir == str(tmp_path)
    assert exp._min_eval_frequency == 1  # TF 1.x: None means 1, evaluate every new checkpoint
    assert isinstance(exp.train_spec, tf.estimator.TrainSpec) and exp.train_spec.max_steps == 30
    assert isinstance(exp.eval_spec, tf.estimator.EvalSpec) and exp.eval_spec.steps == 5
    assert exp.eval_spec.throttle_secs == 0


def test_extend_train_hooks_and_reset_export_strategies(tmp_path):
    hook, other = tf.estimator.SessionRunHook(), tf.estimator.SessionRunHook()
    given = [hook]
    exp = experiment(tmp_path, train_monitors=given)
    exp.extend_train_hooks([other])
    assert exp._train_monitors == [hook, other] and given == [hook]  # the caller's list is not mutated
    exporter = tf.estimator.LatestExporter("latest", serving_input_fn)
    assert exp.reset_export_strategies(exporter) == []
    assert exp.reset_export_strategies() == [exporter] and exp._export_strategies == []
    with pytest.raises(ValueError, match="ExportStrategy"):
        exp.reset_export_strategies("not an exporter")


# --- train, evaluate, test --------------------------------------------------------------------------------
def test_train_steps_is_a_maximum_global_step_and_rerun_resumes(tmp_path):
    experiment(tmp_path, train_steps=20, min_eval_frequency=0).train()
    assert tf.train.load_variable(str(tmp_path), "global_step") == 20
    experiment(tmp_path, train_steps=20).train()  # nothing to do
    assert tf.train.load_variable(str(tmp_path), "global_step") == 20
    experiment(tmp_path, train_steps=35).train()  # exactly the difference
    assert tf.train.load_variable(str(tmp_path), "global_step") == 35


def test_train_waits_five_seconds_per_worker_as_tf1(tmp_path, monkeypatch, slept):
    exp = experiment(tmp_path, train_steps=0)
    calls = []
    monkeypatch.setattr(exp, "_call_train", lambda **kwargs: calls.append(kwargs))
    exp.train(delay_secs=3)
    monkeypatch.setattr(type(exp.estimator.config), "task_id", property(lambda self: 3))
    exp.train()
    exp._delay_workers_by_global_step = True
    exp.train()
    assert slept == [3, 15]  # 3 explicit, then task 3 * 5 s; by global step: no sleep but a waiter hook
    assert isinstance(calls[-1]["hooks"][0], tf.compat.v1.train.GlobalStepWaiterHook)


def test_evaluate_waits_eval_delay_secs_and_writes_eval_one_pass(trained, slept):
    exp = experiment(trained, train_steps=20)
    result = exp.evaluate()
    assert slept == [120]  # TF 1.x default eval_delay_secs
    assert result["global_step"] == 20 and (trained / "eval_one_pass").is_dir()
    exp.evaluate(delay_secs=0, name="again")
    assert slept == [120] and (trained / "eval_again").is_dir()


def test_test_schedule_trains_one_step_evaluates_one_and_exports(tmp_path):
    exporter = tf.estimator.LatestExporter("latest", serving_input_fn)
    result = experiment(tmp_path, export_strategies=[exporter]).test()
    assert result["global_step"] == 1
    assert len(list((tmp_path / "export" / "latest").iterdir())) == 1


# --- train_and_evaluate and local_run ----------------------------------------------------------------------
def test_train_and_evaluate_evaluates_every_min_eval_frequency_steps(tmp_path):
    exp = experiment(tmp_path, train_steps=60, min_eval_frequency=20)
    result, exports = exp.train_and_evaluate()
    assert result["global_step"] == 60 and exports == []
    assert eval_steps_in(tmp_path) == [20, 40, 60]  # checks at 20 and 40 (none at the last step), then the final one
    assert [r["global_step"] for r in exp.eval_results] == [20, 40, 60]
    assert result["accuracy"] > 0.8


def test_train_and_evaluate_checks_every_min_eval_frequency_steps_and_evaluates_the_newest_checkpoint(tmp_path):
    """TF 1.x's ValidationMonitor: a check every 30 steps finds checkpoints saved every 20 - at 30 the one of step 20,
    at 60 the one just saved, at 90 the one of step 80 - then the final evaluation (notebook 03's Exercise 2 / 10)."""
    exp = experiment(tmp_path, train_steps=100, min_eval_frequency=30, estimator_kwargs={"save_every": 20})
    result, _ = exp.train_and_evaluate()
    assert eval_steps_in(tmp_path) == [20, 60, 80, 100] == [r["global_step"] for r in exp.eval_results]
    assert result["global_step"] == 100


def test_train_and_evaluate_with_the_default_min_eval_frequency_checks_every_step(tmp_path):
    """min_eval_frequency=None is 1: the first check, at step 1, finds the checkpoint saved when the session started."""
    exp = experiment(tmp_path, train_steps=30)
    exp.train_and_evaluate()
    assert eval_steps_in(tmp_path) == [0, 10, 20, 30]


def test_a_resumed_train_and_evaluate_first_evaluates_the_checkpoint_it_resumes_from(tmp_path):
    """TF 1.x counted the checks from global step 0, so a resumed run's first step is already due for one."""
    experiment(tmp_path, train_steps=20, min_eval_frequency=10).train_and_evaluate()
    exp = experiment(tmp_path, train_steps=40, min_eval_frequency=10)
    exp.train_and_evaluate()
    assert [r["global_step"] for r in exp.eval_results] == [20, 30, 40]
    assert eval_steps_in(tmp_path) == [10, 20, 30, 40]  # TensorBoard keeps the newer evaluation of step 20


def test_train_and_evaluate_always_evaluates_after_training_and_min_eval_frequency_0_only_then(tmp_path):
    """TF 1.x evaluated after training whatever the monitor did: here the input ends at step 8, which the monitor
    checked (it is not train_steps), so the last checkpoint is evaluated twice. With 0, only after training."""
    def eight_batches():
        return tf.data.Dataset.from_tensor_slices((X, Y)).batch(32)

    exp = Experiment(estimator(tmp_path / "short", save_every=4), eight_batches, eval_input_fn, train_steps=100,
                     eval_steps=None, min_eval_frequency=4)
    result, _ = exp.train_and_evaluate()
    assert [r["global_step"] for r in exp.eval_results] == [4, 8, 8] and result["global_step"] == 8
    exp = experiment(tmp_path / "end", train_steps=30, min_eval_frequency=0)
    exp.train_and_evaluate()
    assert eval_steps_in(tmp_path / "end") == [30]


def test_local_run_is_deprecated_and_evaluates_every_local_eval_frequency(tmp_path, monkeypatch):
    exp = experiment(tmp_path, train_steps=20, min_eval_frequency=5)
    with pytest.warns(DeprecationWarning, match="local_run will be renamed to train_and_evaluate"):
        result, exports = exp.local_run()  # local_eval_frequency=None: evaluate only after training (TF 1.x)
    assert result["global_step"] == 20 and eval_steps_in(tmp_path) == [20] and exports == []
    assert exp._min_eval_frequency == 5  # restored afterwards
    with pytest.warns(DeprecationWarning, match="local_eval_frequency is deprecated"):
        exp = experiment(tmp_path, train_steps=20, local_eval_frequency=10)
    monkeypatch.setattr(exp, "train_and_evaluate", lambda: exp._min_eval_frequency)
    with pytest.warns(DeprecationWarning):
        assert exp.local_run() == 10
    assert exp._min_eval_frequency == 1


def test_checkpoint_and_export_evaluates_and_exports_every_checkpoint(tmp_path):
    exporter = tf.estimator.LatestExporter("latest", serving_input_fn, exports_to_keep=None)
    exp = experiment(tmp_path, train_steps=10, min_eval_frequency=1000, checkpoint_and_export=True,
                     export_strategies=exporter)
    result, exports = exp.train_and_evaluate()
    assert result["global_step"] == 10 and len(exports) == 1
    assert eval_steps_in(tmp_path, "eval_intermediate_export") == [0, 10]  # min_eval_frequency is ignored
    assert len(list((tmp_path / "export" / "latest").iterdir())) == 2


# --- continuous_train_and_eval -----------------------------------------------------------------------------
def test_continuous_train_and_eval_trains_evaluates_and_exports_in_turns(tmp_path):
    exp = experiment(tmp_path, train_steps=10, train_steps_per_iteration=10)  # the loop: Simulated tests below
    result, exports = exp.continuous_train_and_eval()
    assert [r["global_step"] for r in exp.eval_results] == [10] and result["global_step"] == 10
    assert exports == [] and (tmp_path / "eval_one_pass").is_dir()  # TF 1.x evaluated with name "one_pass"


@pytest.mark.parametrize("train_steps, per_iteration, trained", [
    (100, None, [10] * 10),   # a tenth of train_steps by default
    (25, 10, [10, 10, 5]),    # never past train_steps (TF 1.x trained 30 here)
    (5, None, [1] * 5),       # at least one step
])
def test_continuous_train_and_eval_steps_per_iteration(tmp_path, monkeypatch, train_steps, per_iteration, trained):
    exp = experiment(tmp_path, train_steps=train_steps, train_steps_per_iteration=per_iteration)
    sim = Simulated(exp, monkeypatch)
    result, exports = exp.continuous_train_and_eval()
    assert sim.trained == trained and result["global_step"] == train_steps
    assert exports == [f"export-{train_steps}"] and len(sim.exported) == len(trained)


def test_continuous_train_and_eval_without_train_steps_trains_1000_per_iteration(tmp_path, monkeypatch):
    exp = experiment(tmp_path)
    sim = Simulated(exp, monkeypatch)
    exp.continuous_train_and_eval(continuous_eval_predicate_fn=lambda result: result is None)
    assert sim.trained == [1000] and sim.evaluated[0][0] == "one_pass"


def test_continuous_train_and_eval_predicate(tmp_path, monkeypatch):
    exp = experiment(tmp_path, train_steps=10 ** 9)
    sim = Simulated(exp, monkeypatch)
    assert exp.continuous_train_and_eval(continuous_eval_predicate_fn=lambda result: False) == (None, None)
    assert sim.trained == [] and sim.evaluated == []
    seen = []

    def predicate(eval_result, checkpoint_path):  # the two-argument form TF 1.x also accepted
        seen.append((eval_result and eval_result["global_step"], checkpoint_path))
        return len(seen) < 3

    exp.continuous_train_and_eval(continuous_eval_predicate_fn=predicate)
    assert seen[0] == (None, None) and seen[1][0] == 10 ** 8 and len(sim.trained) == 2
    with pytest.raises(ValueError, match="`continuous_eval_predicate_fn` must be a callable"):
        exp.continuous_train_and_eval(continuous_eval_predicate_fn="fn")


def test_continuous_train_and_eval_on_a_finished_model_dir_evaluates_once(tmp_path, monkeypatch):
    exp = experiment(tmp_path, train_steps=20)
    sim = Simulated(exp, monkeypatch, step=20)
    result, _ = exp.continuous_train_and_eval()
    assert sim.trained == [] and [s for _, s, _ in sim.evaluated] == [20] and result["global_step"] == 20


# --- continuous_eval ---------------------------------------------------------------------------------------
def test_continuous_eval_returns_once_the_checkpoint_at_train_steps_is_evaluated(trained, slept):
    exp = experiment(trained, train_steps=20, continuous_eval_throttle_secs=0)
    assert exp.continuous_eval() is None  # returns (TF 1.x: _has_training_stopped), instead of running forever
    assert [r["global_step"] for r in exp.eval_results] == [20] and slept == [120]
    assert eval_steps_in(trained, "eval_continuous") == [20]


def test_continuous_eval_on_train_data_stops_too_and_never_exports(trained, slept):
    exporter = tf.estimator.LatestExporter("latest", serving_input_fn)
    exp = experiment(trained, train_steps=20, eval_steps=2, eval_delay_secs=0, export_strategies=exporter)
    exp.continuous_eval_on_train_data(throttle_delay_secs=0)
    assert (trained / "eval_continuous_on_train_data").is_dir() and not (trained / "export").exists()


def test_continuous_eval_on_train_data_evaluates_the_training_input(tmp_path, monkeypatch, slept):
    exp = experiment(tmp_path, train_steps=10, eval_delay_secs=0)
    sim = Simulated(exp, monkeypatch, checkpoints=["m/ckpt-10"])
    exp.continuous_eval_on_train_data()
    assert sim.evaluated == [("continuous_on_train_data", 10, train_input_fn)] and sim.exported == []


def test_continuous_eval_polls_waits_and_evaluates_each_new_checkpoint(tmp_path, monkeypatch, slept):
    exp = experiment(tmp_path, train_steps=30, continuous_eval_throttle_secs=60, eval_delay_secs=7)
    sim = Simulated(exp, monkeypatch, checkpoints=[None, "m/ckpt-10", "m/ckpt-10", "m/ckpt-20", "m/ckpt-40"])
    exp.continuous_eval()
    assert [(name, step) for name, step, _ in sim.evaluated] == [("continuous", 10), ("continuous", 20),
                                                                 ("continuous", 40)]
    assert sim.exported == [10, 20, 40]  # continuous_eval exports each evaluated checkpoint
    assert slept[0] == 7 and len(slept) == 6 and all(59 < s <= 60 for s in slept[1:])  # throttle every round


def test_continuous_eval_predicate_forms_and_evaluate_checkpoint_only_once(tmp_path, monkeypatch, slept):
    exp = experiment(tmp_path, train_steps=10 ** 9, eval_delay_secs=0, continuous_eval_throttle_secs=0)
    sim = Simulated(exp, monkeypatch, checkpoints=["m/ckpt-10"])
    seen = []

    def predicate(eval_result, checkpoint_path):
        seen.append((eval_result, checkpoint_path))
        return len(seen) < 4

    exp.continuous_eval(continuous_eval_predicate_fn=predicate)
    assert [s for _, s, _ in sim.evaluated] == [10]  # one checkpoint, evaluated once
    assert seen[0] == (None, None) and seen[1] == ({"global_step": 10, "loss": 1.0}, "m/ckpt-10")
    assert seen[2] == ({}, "m/ckpt-10")  # {}: no new checkpoint this round
    rounds = []

    def three_rounds(eval_result):  # the one-argument form
        rounds.append(eval_result)
        return len(rounds) <= 3

    exp.continuous_eval(evaluate_checkpoint_only_once=False, continuous_eval_predicate_fn=three_rounds, name="again")
    assert [(name, step) for name, step, _ in sim.evaluated[1:]] == [("again", 10)] * 3  # the same one, 3 times
    with pytest.raises(ValueError, match="`continuous_eval_predicate_fn` must be a callable"):
        exp.continuous_eval(continuous_eval_predicate_fn=3)


@pytest.mark.parametrize("result, stopped", [
    (None, False), ({}, False), ({"global_step": 0}, False), ({"global_step": 19}, False),
    ({"global_step": 20}, True), ({"global_step": 25}, True),
])
def test_has_training_stopped(tmp_path, result, stopped):
    assert experiment(tmp_path, train_steps=20)._has_training_stopped(result) is stopped
    assert experiment(tmp_path)._has_training_stopped(result) is False  # train_steps=None: never


def test_run_std_server_needs_a_cluster(tmp_path):
    with pytest.raises(ValueError, match="Could not start server; be sure to specify cluster_spec"):
        experiment(tmp_path).run_std_server()


def experiment_fn_for_tests(run_config, hparams):
    """The post's experiment_fn shape, on the linear model (used by test_learn_runner.py)."""
    run_config = run_config.replace(save_checkpoints_steps=10)  # allowed, as in the 2017 post
    est = tf.estimator.Estimator(linear_model_fn, params=hparams.values(), config=run_config)
    return Experiment(est, train_input_fn, eval_input_fn, train_steps=hparams.train_steps, eval_steps=None,
                      min_eval_frequency=10)


# --- on a cluster: train() starts this task's TensorFlow server first, as TF 1.x's did ----------------------
CLUSTER = {"chief": ["localhost:2221"], "worker": ["localhost:2222", "localhost:2223", "localhost:2224"],
           "ps": ["localhost:2225"]}


@pytest.fixture
def cluster_calls(monkeypatch):
    """TF_CONFIG setter; tf.distribute.Server, sleeps and training recorded in order into one list."""
    calls = []

    class RecordedServer:
        def __init__(self, cluster_spec, job_name, task_index, config=None, protocol=None, start=True):
            self.job_name, self.task_index = job_name, task_index
            assert not start, "started before it is kept"

        def start(self):
            calls.append(("server", self.job_name, self.task_index))

        def join(self):
            calls.append(("join",))

    monkeypatch.setattr(tf.distribute, "Server", RecordedServer)
    monkeypatch.setattr("helpers.experiment._SERVERS", {})
    monkeypatch.setattr("helpers.experiment.time.sleep", lambda secs: calls.append(("sleep", secs)))

    def as_task(task_type, index=0):
        monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": CLUSTER, "task": {"type": task_type, "index": index}}))

    yield calls, as_task
    monkeypatch.delenv("TF_CONFIG", raising=False)


def recorded_experiment(model_dir, calls, monkeypatch, **kwargs):
    exp = experiment(model_dir, train_steps=20, **kwargs)
    monkeypatch.setattr(exp, "_call_train", lambda hooks=(), max_steps=None, **_: calls.append(("train", max_steps)))
    return exp


def test_train_on_a_cluster_worker_starts_its_server_before_waiting_and_training(tmp_path, cluster_calls,
                                                                                   monkeypatch):
    calls, as_task = cluster_calls
    as_task("worker", 2)
    exp = recorded_experiment(tmp_path, calls, monkeypatch)
    exp.train()
    assert calls == [("server", "worker", 2), ("sleep", 10), ("train", 20)]  # TF 1.x: 5 s more per worker index
    exp.train(delay_secs=0)
    assert calls[3:] == [("train", 20)]  # one server per process: the second call reuses it
    as_task("chief")
    recorded_experiment(tmp_path, calls, monkeypatch).train()
    assert calls[4:] == [("server", "chief", 0), ("train", 20)]


@pytest.mark.parametrize("task", [None, "evaluator"])
def test_train_starts_no_server_locally_or_on_the_evaluator(tmp_path, cluster_calls, monkeypatch, task):
    calls, as_task = cluster_calls
    if task:
        as_task(task)
    recorded_experiment(tmp_path, calls, monkeypatch).train()
    assert calls == [("train", 20)]


def test_run_std_server_starts_and_joins_the_ps_server(tmp_path, cluster_calls, monkeypatch):
    calls, as_task = cluster_calls
    as_task("ps")
    recorded_experiment(tmp_path, calls, monkeypatch).run_std_server()
    assert calls == [("server", "ps", 0), ("join",)]


TRAIN_ON_A_CLUSTER = """
import sys
sys.path.insert(0, sys.argv[2])
from test_experiment import experiment, tf
experiment(sys.argv[1], train_steps=5).train()
print("global step", tf.train.load_variable(sys.argv[1], "global_step"))
"""


def test_train_on_a_real_cluster_task_reaches_train_steps(tmp_path):
    """A training task of a real two-task cluster (its own gRPC server, the chief's device filters let it train
    alone): the session connects to RunConfig.master, this task's own address - without the server train() started,
    it would wait for it forever."""
    from helpers.cluster import make_cluster_spec

    spec = make_cluster_spec(num_workers=1, num_ps=0)
    env = {**os.environ, "TF_CONFIG": json.dumps({"cluster": spec, "task": {"type": "chief", "index": 0}})}
    result = subprocess.run([sys.executable, "-c", TRAIN_ON_A_CLUSTER, str(tmp_path), str(Path(__file__).parent)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("global step 5"), result.stdout



def test_a_cluster_worker_asks_every_second_whether_the_chief_has_initialised_the_variables(monkeypatch):
    """TF 1.x's worker session asks again every 30 s, longer than notebook 06's whole run: helpers.cluster_task
    makes it every --worker_poll_secs (1 s), so the worker trains beside the chief instead of joining at the end."""
    from tensorflow.python.training import session_manager

    from helpers.cluster_task import poll_for_the_chief_every

    monkeypatch.setattr(session_manager.SessionManager, "__init__", session_manager.SessionManager.__init__)
    slept = []

    class Waited(Exception):
        pass

    def sleep(seconds):
        slept.append(seconds)
        raise Waited

    monkeypatch.setattr(session_manager.time, "sleep", sleep)
    for seconds in (None, 5, 1):  # TF 1.x's default, then the task program's setting, changed once more
        if seconds:
            poll_for_the_chief_every(seconds)
        with tf.Graph().as_default():
            tf.compat.v1.get_variable("w", shape=[1])  # not initialised: the chief has not got that far
            with pytest.raises(Waited):
                tf.compat.v1.train.WorkerSessionCreator(master="").create_session()
    assert slept == [30, 5, 1]

def test_evaluator_waits_can_be_set_on_an_experiment_made_elsewhere(tmp_path, slept, monkeypatch):
    """helpers.cluster_task shortens the evaluator's waits on the Experiment the post's experiment_fn returned."""
    exp = experiment(tmp_path, train_steps=10)
    assert (exp.eval_delay_secs, exp.continuous_eval_throttle_secs) == (120, 60)  # TF 1.x's defaults
    exp.eval_delay_secs, exp.continuous_eval_throttle_secs = 0, 1.5
    sim = Simulated(exp, monkeypatch, step=10, checkpoints=["model.ckpt-10"])
    exp.continuous_eval()
    assert [step for _, step, _ in sim.evaluated] == [10]
    assert len(slept) == 1 and 1.0 < slept[0] <= 1.5  # no first wait; the throttle after the evaluation
    for name in ("eval_delay_secs", "continuous_eval_throttle_secs"):
        for wrong in (-1, "5", None, True):
            with pytest.raises(ValueError, match=f"`{name}` must be a non-negative number of seconds"):
                setattr(exp, name, wrong)


def test_a_checkpoint_without_global_step_is_a_clear_error(tmp_path):
    """model_to_estimator's default TF 2 object checkpoint has no `global_step`: say so, not NotFoundError."""
    with tf.Graph().as_default():
        tf.compat.v1.get_variable("w", shape=[1])
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().save(session, str(tmp_path / "model.ckpt"))
    with pytest.raises(RuntimeError, match="has no `global_step` variable.*checkpoint_format='saver'"):
        experiment(tmp_path, train_steps=5)._global_step()
