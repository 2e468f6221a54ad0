"""helpers.learn_runner.run keeps TF 1.x semantics, errors included (after TF 1.x's learn_runner_test.py).

Most tests use a subclass of Experiment whose schedules only report that they ran (as TF 1.x's own test did), so
nothing trains; one test runs the real thing end to end."""

from __future__ import annotations

import json

import pytest
from test_experiment import eval_input_fn, experiment_fn_for_tests, linear_model_fn, train_input_fn

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers import learn_runner  # noqa: E402
from helpers.experiment import Experiment  # noqa: E402
from helpers.hparams import HParams  # noqa: E402


class ReportingExperiment(Experiment):
    """A subclass, as a TF 1.x user might write: its own schedule, and the standard ones only report."""

    default = None  # a non-callable member

    def train(self):
        return f"train-{self.estimator.model_dir}"

    def train_and_evaluate(self):
        return f"train_and_evaluate-{self.estimator.model_dir}"

    def run_std_server(self):
        return f"run_std_server-{self.estimator.model_dir}"

    def continuous_eval(self):
        return f"continuous_eval-{self.estimator.model_dir}"

    def simple_task(self):
        return "simple_task, default=None."


def reporting(run_config, hparams=None):
    if hparams is not None and hparams.values() != {"learning_rate": 0.01}:
        raise ValueError("hparams is not set correctly")
    return ReportingExperiment(tf.estimator.Estimator(linear_model_fn, config=run_config), train_input_fn,
                               eval_input_fn)


def reporting_for_output_dir(output_dir):
    return reporting(tf.estimator.RunConfig(model_dir=output_dir))


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    return tf.estimator.RunConfig(model_dir=str(tmp_path))


# --- the schedule is the name of a method of the Experiment ------------------------------------------------
@pytest.mark.parametrize("hparams", [None, HParams(learning_rate=0.01)])
def test_a_subclass_method_is_a_schedule_and_run_returns_its_value(config, hparams):
    assert learn_runner.run(reporting, run_config=config, schedule="simple_task",
                            hparams=hparams) == "simple_task, default=None."


def test_output_dir_form_runs_a_custom_schedule(tmp_path):
    assert learn_runner.run(reporting_for_output_dir, output_dir=str(tmp_path),
                            schedule="simple_task") == "simple_task, default=None."
    assert learn_runner.run(reporting_for_output_dir, output_dir=str(tmp_path)) == f"train_and_evaluate-{tmp_path}"


def test_local_run_is_a_schedule_again(config, monkeypatch):
    monkeypatch.setattr(Experiment, "train_and_evaluate", lambda self: ("evaluated", self._min_eval_frequency))
    with pytest.warns(DeprecationWarning, match="local_run"):
        assert learn_runner.run(lambda c, h: Experiment(tf.estimator.Estimator(linear_model_fn, config=c),
                                                        train_input_fn, eval_input_fn),
                                run_config=config, schedule="local_run") == ("evaluated", None)


@pytest.mark.parametrize("schedule, error, message", [
    ("mirage", ValueError, "Schedule references non-existent task mirage; valid schedules are: train, evaluate, "
                           "train_and_evaluate, .*, run_std_server, simple_task$"),
    ("default", TypeError, "Schedule references non-callable member default"),
    ("estimator", TypeError, "Schedule references non-callable member estimator"),
    (3, TypeError, "`schedule` must be the name of an Experiment method"),
])
def test_schedule_errors_as_tf1(config, schedule, error, message):
    with pytest.raises(error, match=message):
        learn_runner.run(reporting, run_config=config, schedule=schedule)


def test_schedules_lists_the_standard_schedules_and_does_not_restrict():
    assert "train_and_evaluate" in learn_runner.SCHEDULES and "simple_task" not in learn_runner.SCHEDULES
    assert "extend_train_hooks" not in learn_runner.SCHEDULES


# --- the arguments, as TF 1.x checked them -----------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, message", [
    ({"output_dir": "x", "run_config": "cfg"}, ValueError, "Cannot provide both `output_dir` and `run_config`"),
    ({}, ValueError, "Must set value for `output_dir` or `run_config`"),
    ({"output_dir": ""}, ValueError, "Must specify an output directory"),
    ({"run_config": "not a config"}, ValueError, "`run_config` must be a `tf.estimator.RunConfig`"),
    ({"run_config": "cfg", "hparams": ["hparams"]}, ValueError, "`hparams` must be `HParams` instance"),
    ({"output_dir": "x", "hparams": HParams(a=1)}, ValueError, "Must set `hparams` as None"),
    ({"run_config": tf.estimator.RunConfig()}, ValueError, "Must specify a model directory `model_dir`"),
])
def test_argument_errors(config, kwargs, error, message):
    if kwargs.get("run_config") == "cfg":
        kwargs["run_config"] = config
    with pytest.raises(error, match=message):
        learn_runner.run(reporting, schedule="simple_task", **kwargs)


def test_experiment_fn_errors(config, tmp_path):
    with pytest.raises(TypeError, match='Experiment builder "not callable" is not callable'):
        learn_runner.run("not callable", run_config=config)
    with pytest.raises(TypeError, match="did not return an Experiment instance, got str"):
        learn_runner.run(lambda c, h: "Ceci n'est pas un Experiment.", run_config=config)
    with pytest.raises(TypeError, match="did not return an Experiment instance"):
        learn_runner.run(lambda output_dir: None, output_dir=str(tmp_path))


def test_the_estimator_must_use_the_run_config_it_was_given(config, tmp_path):
    other = tf.estimator.RunConfig(model_dir=str(tmp_path / "elsewhere"))
    with pytest.raises(RuntimeError, match="`RunConfig` instance is expected to be used by the `Estimator`"):
        learn_runner.run(lambda c, h: reporting(other), run_config=config, schedule="simple_task")
    # what TF 1.x's RunConfig.uid() left out - the seed among them - may be changed inside experiment_fn (the 2017
    # post did)
    changed = config.replace(save_checkpoints_steps=123, tf_random_seed=7, keep_checkpoint_max=2, save_summary_steps=5,
                             log_step_count_steps=3, session_config=tf.compat.v1.ConfigProto())
    assert learn_runner.run(lambda c, h: reporting(changed), run_config=config, schedule="simple_task")


# --- the default schedule ----------------------------------------------------------------------------------
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
    assert learn_runner.is_distributed(config) is (task != "evaluator")  # tf.estimator keeps the evaluator outside
    assert learn_runner.default_schedule(config) == schedule
    # with output_dir, the schedule comes from the config of the Estimator experiment_fn built (as TF 1.x)
    assert learn_runner.run(reporting_for_output_dir, output_dir=str(tmp_path)) == f"{schedule}-{tmp_path}"


def test_single_task_cluster_is_local(monkeypatch, tmp_path):
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"chief": ["localhost:1"]},
                                                "task": {"type": "chief", "index": 0}}))
    config = tf.estimator.RunConfig(model_dir=str(tmp_path))
    assert not learn_runner.is_distributed(config)
    assert learn_runner.default_schedule(config) == "train_and_evaluate"


def test_default_schedule_errors():
    class Config:
        cluster_spec = tf.train.ClusterSpec({"ps": ["a:1", "b:2"], "foo_has_no_default_schedule": ["c:3"]})
        task_type = None

    with pytest.raises(ValueError, match="Must specify a schedule"):
        learn_runner.default_schedule(Config())
    Config.task_type = "foo_has_no_default_schedule"
    with pytest.raises(ValueError, match="No default schedule for task type: foo_has_no_default_schedule"):
        learn_runner.default_schedule(Config())


# --- end to end ----------------------------------------------------------------------------------------------
def test_run_trains_and_evaluates_for_real(config):
    result, exports = learn_runner.run(experiment_fn_for_tests, run_config=config,
                                       hparams=HParams(train_steps=10, learning_rate=0.1))
    assert result["global_step"] == 10 and exports == []
