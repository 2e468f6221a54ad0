"""learn_runner.tune and helpers.tuner keep TF 1.x's behaviour (learn_runner.py and tuner.py of r1.x), errors included;
GridTuner/RandomTuner run, log to TensorBoard's HParams dashboard, and the dashboard's data reads back through
TensorBoard's HTTP API (helpers.tensorboard.hparams_sessions).

Most tests use Experiments whose schedules return a made-up evaluation at once, so nothing trains; one test runs a
real (tiny) sweep end to end, with a real TensorBoard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_experiment import eval_input_fn, linear_model_fn, train_input_fn

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers import learn_runner  # noqa: E402
from helpers.experiment import Experiment  # noqa: E402
from helpers.hparams import HParams  # noqa: E402
from helpers.tuner import GridTuner, RandomTuner, SweepTuner, Tuner  # noqa: E402


class InstantExperiment(Experiment):
    """Trains nothing: its schedules return an evaluation made up from the hyper-parameters, at once."""

    def train_and_evaluate(self):
        return self.evaluate(), []

    def evaluate(self, delay_secs=None, name=None):
        values = self.estimator.params
        return {"accuracy": 1.0 - abs(values["learning_rate"] - 0.01) - values.get("dropout_rate", 0) / 10,
                "loss": 0.1, "global_step": 5}

    def train(self, delay_secs=None):
        return None


def instant_experiment_fn(run_config, hparams):
    return InstantExperiment(tf.estimator.Estimator(linear_model_fn, config=run_config, params=hparams.values()),
                             train_input_fn, eval_input_fn)


class RecordingTuner(Tuner):
    """A tuner as a TF 1.x user wrote one: hands out ``trials`` (run_config, hparams) pairs; records what it got."""

    def __init__(self, trials):
        self.trials, self.index, self.calls, self.next_calls = list(trials), -1, [], 0

    def next_trial(self):
        self.next_calls += 1
        if self.index + 1 < len(self.trials):
            self.index += 1
            return True
        return False

    def run_experiment(self, experiment_fn):
        run_config, hparams = self.trials[self.index]
        experiment = experiment_fn(run_config, hparams)
        self.calls.append((run_config.model_dir, experiment))
        return experiment.train_and_evaluate()


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    return tmp_path / "sweep"


def config(folder, **kwargs):
    return tf.estimator.RunConfig(model_dir=str(folder), tf_random_seed=42, **kwargs)


def base_hparams(**overrides):
    return HParams(learning_rate=0.001, dropout_rate=0.5, hidden_units=256).override_from_dict(overrides)


# --- learn_runner.tune: the TF 1.x loop -----------------------------------------------------------------------
def test_tune_runs_one_experiment_per_trial_while_next_trial_is_true_and_returns_none(root):
    trials = [(config(root / f"t{i}"), base_hparams(learning_rate=rate)) for i, rate in enumerate((0.1, 0.01))]
    tuner = RecordingTuner(trials)
    assert learn_runner.tune(instant_experiment_fn, tuner) is None
    assert [d for d, _ in tuner.calls] == [str(root / "t0"), str(root / "t1")]
    assert all(isinstance(e, InstantExperiment) for _, e in tuner.calls)
    assert tuner.next_calls == 3  # True, True, then False ends the loop
    # a tuner that is done stays done: tuning again runs nothing
    learn_runner.tune(instant_experiment_fn, tuner)
    assert len(tuner.calls) == 2


def test_tune_checks_what_the_tuner_gives_the_experiment_fn_as_tf1(root):
    def tune_with(run_config, hparams, experiment_fn=instant_experiment_fn):
        learn_runner.tune(experiment_fn, RecordingTuner([(run_config, hparams)]))

    with pytest.raises(ValueError, match=r"^`hparams` cannot be `None`\.$"):  # tune requires them; run does not
        tune_with(config(root), None)
    with pytest.raises(ValueError, match="`hparams` must be `HParams` instance, got dict"):
        tune_with(config(root), {"learning_rate": 0.1})
    with pytest.raises(ValueError, match="`run_config` must be a `tf.estimator.RunConfig`"):
        tune_with(None, base_hparams())
    with pytest.raises(ValueError, match="Must specify a model directory `model_dir` in `run_config`"):
        tune_with(tf.estimator.RunConfig(), base_hparams())
    with pytest.raises(TypeError, match="did not return an Experiment instance, got Estimator"):
        tune_with(config(root), base_hparams(),
                  lambda run_config, hparams: tf.estimator.Estimator(linear_model_fn, config=run_config))
    with pytest.raises(RuntimeError, match="`RunConfig` instance is expected to be used by the `Estimator`"):
        tune_with(config(root), base_hparams(),
                  lambda run_config, hparams: instant_experiment_fn(config(root / "elsewhere"), hparams))


def test_tune_errors_a_porting_tf1_user_meets(root):
    # an experiment_fn of the deprecated output_dir form: tune calls experiment_fn(run_config, hparams)
    def old_style(output_dir):
        raise AssertionError("never called with one argument")

    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        learn_runner.tune(old_style, RecordingTuner([(config(root), base_hparams())]))
    # caught before any trial starts (TF 1.x failed at the first trial)
    tuner = RecordingTuner([(config(root), base_hparams())])
    with pytest.raises(TypeError, match='Experiment builder "None" is not callable'):
        learn_runner.tune(None, tuner)
    assert tuner.next_calls == 0

    class Incomplete(Tuner):  # the interface is abstract: both methods are needed
        def next_trial(self):
            return False

    with pytest.raises(TypeError, match="abstract method.*run_experiment"):
        Incomplete()
    with pytest.raises(TypeError, match="abstract"):
        Tuner()
    with pytest.raises(TypeError, match="`tuner` must be a Tuner .* list has no next_trial and no run_experiment"):
        learn_runner.tune(instant_experiment_fn, [{"learning_rate": 0.1}])


def test_ported_tf1_code_finds_tune_where_it_was():
    import helpers.tf1 as tf1

    assert tf1.contrib.learn.learn_runner.tune is learn_runner.tune


# --- GridTuner / RandomTuner: the trials ----------------------------------------------------------------------
def test_grid_tuner_makes_every_combination_each_with_its_own_model_dir_and_typed_hparams(root):
    base = base_hparams()
    space = {"learning_rate": [1, 0.001], "hidden_units": [64, 256]}  # an int for a float is cast, as HParams does
    tuner = GridTuner(space, base, config(root), log_hparams=False, progress=False)
    assert [t.values for t in tuner.trials] == [{"learning_rate": 1, "hidden_units": 64},
                                                {"learning_rate": 1, "hidden_units": 256},
                                                {"learning_rate": 0.001, "hidden_units": 64},
                                                {"learning_rate": 0.001, "hidden_units": 256}]
    assert [t.name for t in tuner.trials] == ["trial-00", "trial-01", "trial-02", "trial-03"]
    assert [t.model_dir for t in tuner.trials] == [os.path.join(str(root), t.name) for t in tuner.trials]
    first = tuner.trials[0].hparams
    assert first.values() == {"learning_rate": 1.0, "dropout_rate": 0.5, "hidden_units": 64}
    assert type(first.learning_rate) is float and first is not base
    assert base.values() == base_hparams().values()  # the base is never changed
    assert tuner.domains == {"learning_rate": [0.001, 1.0], "hidden_units": [64, 256]}


@pytest.mark.parametrize("space, message", [
    ({"hiden_units": [64]}, "hiden_units is not a hyperparameter of `hparams` .*add_hparam"),
    ({"hidden_units": [64.5]}, "Could not cast hparam 'hidden_units' of type 'int' from value 64.5"),
    ({"hidden_units": 64}, "search space of 'hidden_units': a non-empty list of values"),
    ({"hidden_units": []}, "search space of 'hidden_units': a non-empty list of values"),
    ({}, "the search space is a dict"),
])
def test_a_wrong_search_space_is_refused_before_anything_trains(root, space, message):
    with pytest.raises(ValueError, match=message):
        GridTuner(space, base_hparams(), config(root), progress=False)


def test_sweep_tuner_refuses_what_it_cannot_run(root):
    with pytest.raises(TypeError, match="`hparams` must be an HParams"):
        SweepTuner([{"learning_rate": 0.1}], {"learning_rate": 0.1}, config(root))
    with pytest.raises(ValueError, match="tf.estimator.RunConfig with a model_dir"):
        SweepTuner([{"learning_rate": 0.1}], base_hparams(), tf.estimator.RunConfig())
    with pytest.raises(ValueError, match="no trials"):
        SweepTuner([], base_hparams(), config(root))
    with pytest.raises(ValueError, match="trial 1: a trial is a dict"):
        SweepTuner([{"learning_rate": 0.1}, 0.1], base_hparams(), config(root))


def test_random_tuner_draws_the_same_trials_for_a_seed_from_lists_and_functions(root):
    space = {"learning_rate": lambda rng: 10 ** rng.uniform(-4, -2), "hidden_units": [64, 128, 256]}

    def draws(seed):
        tuner = RandomTuner(space, 6, base_hparams(), config(root), seed=seed, log_hparams=False, progress=False)
        return [t.values for t in tuner.trials], tuner

    first, tuner = draws(0)
    assert first == draws(0)[0] and first != draws(1)[0]
    assert len(first) == 6 and all(1e-4 <= v["learning_rate"] <= 1e-2 for v in first)
    assert all(v["hidden_units"] in (64, 128, 256) and type(v["hidden_units"]) is int for v in first)
    assert len({v["learning_rate"] for v in first}) == 6
    assert tuner.domains == {"learning_rate": None, "hidden_units": [64, 128, 256]}
    with pytest.raises(ValueError, match="num_trials must be a positive int"):
        RandomTuner(space, 0, base_hparams(), config(root))


# --- running the trials -----------------------------------------------------------------------------------------
def test_sweep_runs_every_trial_with_learn_runner_keeps_results_and_logs_the_hparams_dashboard(root):
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    from tensorboard.plugins.hparams import metadata

    tuner = GridTuner({"learning_rate": [0.1, 0.01], "dropout_rate": [0.0, 0.5]}, base_hparams(), config(root),
                      progress=False)
    with pytest.raises(RuntimeError, match="call next_trial"):
        tuner.run_experiment(instant_experiment_fn)
    learn_runner.tune(instant_experiment_fn, tuner)
    assert [t.name for t in tuner.results] == ["trial-00", "trial-01", "trial-02", "trial-03"]
    assert tuner.best.values == {"learning_rate": 0.01, "dropout_rate": 0.0}
    assert tuner.results[0].result == {"accuracy": pytest.approx(0.91), "loss": 0.1, "global_step": 5}
    assert not tuner.next_trial()
    with pytest.raises(RuntimeError, match="no current trial"):
        tuner.current  # noqa: B018

    def hparams_plugin_data(folder):
        return [v.metadata.plugin_data.content for path in sorted(Path(folder).glob("events.out.tfevents.*"))
                for event in EventFileLoader(str(path)).Load() for v in event.summary.value
                if v.metadata.plugin_data.plugin_name == metadata.PLUGIN_NAME]

    [config_data] = hparams_plugin_data(root)
    experiment = metadata.parse_experiment_plugin_data(config_data)
    assert {h.name for h in experiment.hparam_infos} == {"learning_rate", "dropout_rate"}
    assert [(m.name.group, m.name.tag) for m in experiment.metric_infos] == [("eval", "accuracy"), ("eval", "loss")]
    for trial in tuner.trials:
        [start] = hparams_plugin_data(trial.model_dir)
        info = metadata.parse_session_start_info_plugin_data(start)
        assert {k: v.number_value for k, v in info.hparams.items()} == trial.values
        assert info.group_name == trial.name  # trial_id names the session group


def test_sweep_refuses_a_schedule_without_an_evaluation_and_lower_is_better_works(root):
    tuner = GridTuner({"learning_rate": [0.1]}, base_hparams(), config(root), schedule="train", progress=False,
                      log_hparams=False)
    with pytest.raises(ValueError, match="schedule 'train' returned NoneType .*no 'accuracy'"):
        learn_runner.tune(instant_experiment_fn, tuner)
    tuner = GridTuner({"learning_rate": [0.1, 0.01]}, base_hparams(), config(root / "loss"), objective="loss",
                      maximize=False, schedule="evaluate", progress=False, log_hparams=False)
    learn_runner.tune(instant_experiment_fn, tuner)
    assert tuner.best.name == "trial-00" and len(tuner.results) == 2  # equal losses: the first one


# --- end to end: a real sweep, read back from a real TensorBoard -----------------------------------------------
def test_a_real_sweep_shows_every_trial_in_the_hparams_dashboard_of_a_running_tensorboard(root):
    from tensorboard import manager

    from helpers.data import load_mnist
    from helpers.tensorboard import _free_port, hparams_sessions, stop_tensorboard, tensorboard_binary
    from helpers.train import default_hparams, make_experiment_fn

    mnist = load_mnist("sample", verbose=False)
    hparams = default_hparams(train_steps=3, min_eval_frequency=3, batch_size=16)
    hparams.add_hparam("hidden_units", 256)
    tuner = GridTuner({"hidden_units": [8, 16]}, hparams, config(root), progress=False)
    learn_runner.tune(make_experiment_fn(mnist, progress=False), tuner)
    assert [t.result["global_step"] for t in tuner.results] == [3, 3]
    # the width really changed: fn6's weights are hidden_units x hidden_units
    assert [tf.train.load_variable(t.model_dir, "MnistConvNet/fn6/weights").shape for t in tuner.trials] == \
        [(8, 8), (16, 16)]

    os.environ["TENSORBOARD_BINARY"] = tensorboard_binary()
    port = _free_port()
    started = manager.start(["--logdir", str(root), "--port", str(port)])
    try:
        assert isinstance(started, manager.StartLaunched), started
        sessions = hparams_sessions(port, expect=2, timeout=60)
    finally:
        stop_tensorboard(root)
    assert [s["name"] for s in sessions] == ["trial-00", "trial-01"]
    assert [s["hparams"] for s in sessions] == [{"hidden_units": 8}, {"hidden_units": 16}]
    for session, trial in zip(sessions, tuner.trials, strict=True):
        assert session["metrics"]["eval/accuracy"] == pytest.approx(trial.result["accuracy"], abs=1e-6)
        assert session["metrics"]["eval/loss"] == pytest.approx(trial.result["loss"], rel=1e-5)


def test_hparams_sessions_says_what_it_saw_when_no_board_answers():
    from helpers.tensorboard import _free_port, hparams_sessions

    port = _free_port()  # nothing listens there
    with pytest.raises(TimeoutError, match=f"TensorBoard on port {port} did not show 2 complete session.*no answer"):
        hparams_sessions(port, expect=2, timeout=1)


# --- the static picture of a sweep ----------------------------------------------------------------------------
def test_parallel_coordinates_draws_a_line_per_row_on_log_and_linear_axes_coloured_by_the_metric():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plots import parallel_coordinates

    rows = [{"learning_rate": 1e-4, "units": 64, "accuracy": 0.5}, {"learning_rate": 1e-3, "units": 64,
                                                                     "accuracy": 0.9},
            {"learning_rate": 1e-2, "units": 256, "accuracy": 0.7}]
    fig = parallel_coordinates(rows, ["learning_rate", "units", "accuracy"], "accuracy", log_scale=["learning_rate"])
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(lines) == 3 and fig.axes[1].get_ylabel() == "accuracy"  # the colour bar
    by_accuracy = {round(line.get_ydata()[2], 6): line for line in lines}  # the metric axis: not spread
    assert sorted(by_accuracy) == [0.0, 0.5, 1.0]
    worst, middle, best = (by_accuracy[k] for k in (0.0, 0.5, 1.0))
    # log axis: 1e-4, 1e-3, 1e-2 evenly spaced (each line moved a little apart on few-valued axes)
    assert [round(line.get_ydata()[0], 1) for line in (worst, best, middle)] == [0.0, 0.5, 1.0]
    assert worst.get_ydata()[1] != best.get_ydata()[1] and abs(worst.get_ydata()[1] - best.get_ydata()[1]) < 0.05
    assert lines[-1] is best  # the best drawn last, on top
    assert [t.get_text() for t in ax.get_xticklabels()] == ["learning_rate\n(log)", "units", "accuracy"]
    plt.close(fig)
    with pytest.raises(ValueError, match="no rows"):
        parallel_coordinates([], ["a"], "a")
