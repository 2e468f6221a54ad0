"""``Tuner``: the project's re-creation of TF 1.x's ``Tuner``, and three tuners that run here.

TF 1.x's ``learn_runner.tune(experiment_fn, tuner)`` ran ``while tuner.next_trial(): tuner.run_experiment(fn)``.
``Tuner`` (``tensorflow/contrib/training/python/training/tuner.py``; ``tf.contrib.training`` did not export it) was
only the interface, marked experimental: ``next_trial()`` asked a *tuning service* for the next trial,
``run_experiment(experiment_fn)`` built that trial's Experiment with ``experiment_fn(run_config, hparams)``, ran it
and reported the measure back to the service. TensorFlow shipped no implementation (the docstring's
``create_tuner(study_configuration, objective_key)`` is not part of TensorFlow). Here:

- :class:`Tuner` - the interface, with TF 1.x's two abstract methods;
- :class:`SweepTuner` - runs a list of trials on this machine: each with ``learn_runner.run`` in a model_dir of its
  own below ``run_config.model_dir``, logged to TensorBoard's HParams dashboard, its evaluation kept in
  ``trial.result`` (the "measure reported back"); a tqdm bar counts the trials;
- :class:`GridTuner` - every combination of a search space; :class:`RandomTuner` - ``num_trials`` seeded draws.

Taught in ``notebooks/08_hyperparameter_sweep.ipynb``.
"""

from __future__ import annotations

import abc
import copy
import dataclasses
import itertools
import os
from collections.abc import Callable, Iterable, Sequence

from helpers.hparams import HParams

__all__ = ["Tuner", "Trial", "SweepTuner", "GridTuner", "RandomTuner", "write_hparams_config", "write_trial_hparams"]


class Tuner(abc.ABC):
    """TF 1.x's interface for tuning an Experiment's hyper-parameters (contrib's ``training/tuner.py``)::

        learn_runner.tune(experiment_fn, tuner)   # while tuner.next_trial(): tuner.run_experiment(experiment_fn)
    """

    @abc.abstractmethod
    def next_trial(self) -> bool:
        """Switch to the next trial; return True if there is one, False when tuning is over."""
        raise NotImplementedError("Calling an abstract method.")

    @abc.abstractmethod
    def run_experiment(self, experiment_fn):
        """Make this trial's Experiment with ``experiment_fn(run_config, hparams)`` - the trial's run config and
        hyper-parameters -, run it, and report the measure."""
        raise NotImplementedError("Calling an abstract method.")


@dataclasses.dataclass
class Trial:
    """One trial of a sweep: its name, the values it tries, all the hyper-parameters its Experiment gets, its
    model_dir (a TensorBoard run), and its evaluation once it ran (``None`` before)."""

    name: str
    values: dict
    hparams: HParams
    model_dir: str
    result: dict | None = None


# --------------------------------------------------------------------------------------------------------------
# TensorBoard's HParams dashboard
# --------------------------------------------------------------------------------------------------------------
def _write(logdir, write) -> None:
    import tensorflow as tf

    writer = tf.summary.create_file_writer(str(logdir))
    try:
        with writer.as_default():
            write()
    finally:
        writer.close()


def write_hparams_config(logdir, domains: dict, metrics: Sequence[str] = ("accuracy", "loss"),
                         eval_name: str = "eval") -> None:
    """Declare the sweep to TensorBoard's HParams dashboard, in the sweep's root ``logdir``: each hyper-parameter
    (with its list of values, or ``None`` when it has no fixed list) and the metrics, which the dashboard reads
    from the scalar summaries the Estimator writes in each trial's ``eval_name/`` folder."""
    from tensorboard.plugins.hparams import api as hp

    hparams = [hp.HParam(name, hp.Discrete(sorted(set(values))) if values is not None else None)
               for name, values in domains.items()]
    metrics = [hp.Metric(tag, group=eval_name, display_name=f"{tag} ({eval_name})") for tag in metrics]
    _write(logdir, lambda: hp.hparams_config(hparams=hparams, metrics=metrics))


def write_trial_hparams(logdir, values: dict, trial_id: str) -> None:
    """Record one trial's hyper-parameter values in its run folder ``logdir``: one row of the dashboard."""
    from tensorboard.plugins.hparams import api as hp

    _write(logdir, lambda: hp.hparams(values, trial_id=trial_id))


# --------------------------------------------------------------------------------------------------------------
# Tuners that run here
# --------------------------------------------------------------------------------------------------------------
class SweepTuner(Tuner):
    """Run a list of trials, one after another, each with ``learn_runner.run``.

    ``trials``: dicts of hyper-parameter values; each trial's ``hparams`` is a copy of ``hparams`` with them set
    (``override_from_dict``: an unknown name or a value of the wrong type is an error here, before anything
    trains), and its ``run_config`` is ``run_config`` with ``model_dir`` set to ``<run_config.model_dir>/<trial
    name>`` - a TensorBoard run of its own, and no trial resumes another's checkpoint. ``schedule`` must return an
    evaluation holding ``objective`` (``train_and_evaluate`` and ``evaluate`` do). With ``log_hparams`` every
    trial is logged to TensorBoard's HParams dashboard, which lists each hyper-parameter's values from ``domains``
    (``{name: [values]}``, ``None`` for no fixed list; by default the values the trials try); ``progress`` shows a
    tqdm bar over the trials.
    """

    def __init__(self, trials: Iterable[dict], hparams: HParams, run_config, *, schedule: str = "train_and_evaluate",
                 objective: str = "accuracy", maximize: bool = True, metrics: Sequence[str] = ("accuracy", "loss"),
                 eval_name: str = "eval", log_hparams: bool = True, progress: bool = True, domains=None):
        import tensorflow as tf

        if not isinstance(hparams, HParams):
            raise TypeError(f"`hparams` must be an HParams (all hyper-parameters, the trials' values set on a copy), "
                            f"got {type(hparams).__name__}")
        if not isinstance(run_config, tf.estimator.RunConfig) or not run_config.model_dir:
            raise ValueError("`run_config` must be a tf.estimator.RunConfig with a model_dir: the sweep's root "
                             "folder, one model_dir per trial below it")
        trials = list(trials)
        if not trials:
            raise ValueError("no trials to run")
        self.hparams = hparams
        self.run_config = run_config
        self.schedule, self.objective, self.maximize = schedule, objective, maximize
        self.metrics, self.eval_name = tuple(metrics), eval_name
        self.log_hparams, self.progress = log_hparams, progress
        self.trials = [self._make_trial(i, values) for i, values in enumerate(trials)]
        given, self.domains = domains or {}, {}  # each hyper-parameter's values, for the dashboard
        for name in dict.fromkeys(name for trial in self.trials for name in trial.values):
            if name in given and given[name] is None:
                self.domains[name] = None  # no fixed list: drawn from a range
            else:
                values = given.get(name) or [trial.values[name] for trial in self.trials if name in trial.values]
                self.domains[name] = sorted({_typed(hparams, name, v) for v in values})  # as HParams holds them
        self._index = -1
        self._bar = None

    def _make_trial(self, index: int, values) -> Trial:
        if not isinstance(values, dict) or not values:
            raise ValueError(f"trial {index}: a trial is a dict of hyper-parameter values, got {values!r}")
        unknown = sorted(set(values) - set(self.hparams.values()))
        if unknown:
            raise ValueError(f"trial {index}: {', '.join(unknown)} is not a hyperparameter of `hparams` (it has "
                             f"{', '.join(sorted(self.hparams.values()))}): add it first, "
                             "e.g. hparams.add_hparam(name, default)")
        try:
            hparams = copy.deepcopy(self.hparams).override_from_dict(values)
        except ValueError as e:
            raise ValueError(f"trial {index} {values}: {e}") from None
        name = f"trial-{index:02d}"
        return Trial(name, dict(values), hparams, os.path.join(self.run_config.model_dir, name))

    # -- the Tuner interface -------------------------------------------------------------------------------------
    def next_trial(self) -> bool:
        """Move to the next trial; False (and the progress bar closed) once every trial was handed out."""
        if self._index + 1 < len(self.trials):
            self._index += 1
            if self.progress and self._bar is None:
                from tqdm.auto import tqdm

                self._bar = tqdm(total=len(self.trials), desc="sweep", unit="trial")
            if self._bar is not None:
                self._bar.set_postfix_str(_short(self.current.values))
            return True
        self._index = len(self.trials)
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        return False

    def run_experiment(self, experiment_fn):
        """Run the current trial: ``learn_runner.run(experiment_fn, run_config=<its run config>,
        schedule=self.schedule, hparams=<its hparams>)``; keep its evaluation in ``trial.result`` and return what
        the schedule returned."""
        from helpers import learn_runner

        trial = self.current
        if self.log_hparams:  # TensorBoard's HParams dashboard: the sweep's declaration once, then this trial's row
            if self._index == 0:
                write_hparams_config(self.run_config.model_dir, self.domains, self.metrics, self.eval_name)
            write_trial_hparams(trial.model_dir, trial.values, trial.name)
        outcome = learn_runner.run(experiment_fn, run_config=self.run_config.replace(model_dir=trial.model_dir),
                                   schedule=self.schedule, hparams=trial.hparams)
        trial.result = self._measure(outcome)  # the measure, "reported back"
        if self._bar is not None:
            self._bar.update(1)
        return outcome

    def _measure(self, outcome) -> dict:
        """The evaluation in what the schedule returned (``train_and_evaluate``: ``(eval_result, exports)``)."""
        evaluation = outcome[0] if isinstance(outcome, tuple) and outcome else outcome
        if not isinstance(evaluation, dict) or self.objective not in evaluation:
            has = f"with {', '.join(sorted(evaluation))}" if isinstance(evaluation, dict) else ""
            raise ValueError(
                f"schedule {self.schedule!r} returned {type(evaluation).__name__} {has}, no {self.objective!r} to "
                "compare trials by: use a schedule that evaluates (train_and_evaluate, evaluate) and an objective "
                "among its metrics")
        return {k: (int(v) if k == "global_step" else float(v)) for k, v in evaluation.items()}

    # -- reading the results ---------------------------------------------------------------------------------------
    @property
    def current(self) -> Trial:
        """The trial ``next_trial()`` moved to."""
        if not 0 <= self._index < len(self.trials):
            raise RuntimeError("no current trial: call next_trial() first (learn_runner.tune(experiment_fn, tuner) "
                               "does), and only while it returns True")
        return self.trials[self._index]

    @property
    def results(self) -> list[Trial]:
        """The trials that ran, in order."""
        return [trial for trial in self.trials if trial.result is not None]

    @property
    def best(self) -> Trial:
        """The trial with the best ``objective`` so far (highest when ``maximize``)."""
        done = self.results
        if not done:
            raise RuntimeError("no trial has run yet")
        pick = max if self.maximize else min
        return pick(done, key=lambda trial: trial.result[self.objective])


def _typed(hparams: HParams, name: str, value):
    """``value`` as ``hparams`` would hold it for ``name`` (an int for a float becomes a float)."""
    probe = copy.deepcopy(hparams)
    probe.set_hparam(name, value)
    return getattr(probe, name)


def _short(values: dict) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())


def _check_space(search_space: dict, allow_callables: bool) -> dict:
    if not isinstance(search_space, dict) or not search_space:
        raise ValueError("the search space is a dict {hyper-parameter name: list of values}, got "
                         f"{search_space!r}")
    for name, space in search_space.items():
        if allow_callables and callable(space):
            continue
        if not isinstance(space, (list, tuple)) or not space:
            what = "a non-empty list of values, or a function of a numpy Generator" if allow_callables else \
                "a non-empty list of values"
            raise ValueError(f"search space of {name!r}: {what}, got {space!r}")
    return search_space


class GridTuner(SweepTuner):
    """Every combination of ``search_space`` (``{name: [values]}``), in ``itertools.product`` order: the last name
    changes fastest."""

    def __init__(self, search_space: dict, hparams: HParams, run_config, **kwargs):
        _check_space(search_space, allow_callables=False)
        self.search_space = search_space
        trials = [dict(zip(search_space, combination, strict=True))
                  for combination in itertools.product(*search_space.values())]
        super().__init__(trials, hparams, run_config, domains={k: list(v) for k, v in search_space.items()},
                         **kwargs)


class RandomTuner(SweepTuner):
    """``num_trials`` draws from ``search_space``: each value from its list, or ``space(rng)`` for a function (e.g.
    ``lambda rng: 10 ** rng.uniform(-4, -2)`` for a log-uniform learning rate), with ``numpy.random.default_rng
    (seed)`` - the same trials on every machine."""

    def __init__(self, search_space: dict[str, list | Callable], num_trials: int, hparams: HParams, run_config,
                 seed: int = 0, **kwargs):
        import numpy as np

        _check_space(search_space, allow_callables=True)
        if isinstance(num_trials, bool) or not isinstance(num_trials, int) or num_trials < 1:
            raise ValueError(f"num_trials must be a positive int, got {num_trials!r}")
        rng = np.random.default_rng(seed)
        trials = []
        for _ in range(num_trials):
            values = {}
            for name, space in search_space.items():
                value = space(rng) if callable(space) else space[int(rng.integers(len(space)))]
                values[name] = value.item() if isinstance(value, np.generic) else value
            trials.append(values)
        self.search_space, self.seed = search_space, seed
        super().__init__(trials, hparams, run_config,
                         domains={k: None if callable(v) else list(v) for k, v in search_space.items()}, **kwargs)
