"""``learn_runner.run``: the project's re-creation of TF 1.x ``tf.contrib.learn.learn_runner``.

    from helpers import learn_runner
    learn_runner.run(experiment_fn, run_config=config, schedule="train_and_evaluate", hparams=hparams)

calls ``experiment_fn(run_config, hparams)``, checks that it returned an :class:`~helpers.experiment.Experiment`
whose Estimator uses that ``run_config``, runs the method named by ``schedule`` and returns what it returns.
As in TF 1.x, ``schedule`` is "the name of the method in the Experiment to run": any method, including one a
subclass of Experiment adds (``SCHEDULES`` only lists the standard ones). Without a schedule it
picks TF 1.x's default for the task: ``train_and_evaluate`` locally and on the ``master``, ``train`` on a
``worker``, ``run_std_server`` on a ``ps`` - the task types of contrib's RunConfig. ``tf.estimator.RunConfig``, the
one used here, names two more, which came with ``tf.estimator.train_and_evaluate`` in TF 1.4: the ``chief`` (the
master's part: ``train_and_evaluate``) and the ``evaluator`` (``continuous_eval``). TF 1.x's learn_runner had no
default for those two ("No default schedule for task type").

    learn_runner.tune(experiment_fn, tuner)

is TF 1.x's hyper-parameter loop: ``while tuner.next_trial(): tuner.run_experiment(experiment_fn)``, where the
``experiment_fn`` the tuner gets is wrapped in the same checks as ``run``'s, and must be given ``hparams``. The tuner
(:class:`helpers.tuner.Tuner`) decides each trial's ``run_config`` and ``hparams``, runs the Experiment and keeps
the measure.

Taught in ``notebooks/03_experiment_and_tensorboard.ipynb``; ``tune`` in ``notebooks/08_hyperparameter_sweep.ipynb``.
"""

from __future__ import annotations

import os

import tensorflow as tf

from helpers.experiment import Experiment
from helpers.hparams import HParams

__all__ = ["run", "tune", "SCHEDULES"]

#: The standard schedules (Experiment methods meant to be run by learn_runner). Not a restriction: as in
#: TF 1.x, any callable member of the Experiment - e.g. a method of a subclass - is a valid schedule.
SCHEDULES = ("train", "evaluate", "train_and_evaluate", "continuous_train_and_eval", "continuous_eval",
             "continuous_eval_on_train_data", "test", "run_std_server")

_DEFAULT_SCHEDULES = {"master": "train_and_evaluate", "chief": "train_and_evaluate", "worker": "train",
                      "ps": "run_std_server", "evaluator": "continuous_eval"}


def is_distributed(config) -> bool:
    """True when the run config's cluster has more than one task (TF 1.x's rule)."""
    spec = getattr(config, "cluster_spec", None)
    if not spec:
        return False
    return sum(len(spec.job_tasks(job)) for job in spec.jobs) > 1


def default_schedule(config) -> str:
    """The schedule TF 1.x picked for this task when none was given (``chief`` and ``evaluator``: see the module)."""
    if config and getattr(config, "task_type", None) == "evaluator":
        return "continuous_eval"  # tf.estimator's evaluator sits outside the cluster spec, so check it first
    if not config or not is_distributed(config):
        return "train_and_evaluate"
    if not config.task_type:
        raise ValueError("Must specify a schedule")
    try:
        return _DEFAULT_SCHEDULES[config.task_type]
    except KeyError:
        raise ValueError(f"No default schedule for task type: {config.task_type}") from None


def _same_run_config(expected, actual) -> bool:
    """TF 1.x compared RunConfig.uid(), which leaves out what run_config.replace(...) may change inside
    experiment_fn (as the 2017 post did): tf_random_seed, the checkpoint, summary and step-count frequencies,
    session_config and keep_checkpoint_* (contrib's run_config._DEFAULT_UID_WHITE_LIST)."""
    def key(c):  # what uid() kept that a tf.estimator.RunConfig has: model_dir and the task in its cluster
        return (os.path.normpath(c.model_dir or ""), c.task_type, c.task_id, c.master,
                str(c.cluster_spec.as_dict() if c.cluster_spec else {}))
    return key(expected) == key(actual)


def run(experiment_fn, output_dir=None, schedule=None, run_config=None, hparams=None):
    """Make an Experiment with ``experiment_fn`` and run its ``schedule``; return what the schedule returns."""
    if output_dir is not None and run_config is not None:
        raise ValueError("Cannot provide both `output_dir` and `run_config`")
    if output_dir is None and run_config is None:
        raise ValueError("Must set value for `output_dir` or `run_config`")
    if not callable(experiment_fn):
        raise TypeError(f'Experiment builder "{experiment_fn}" is not callable.')
    if schedule is not None and not isinstance(schedule, str):
        raise TypeError(f"`schedule` must be the name of an Experiment method (a string), got {schedule!r}")

    if run_config is not None:
        experiment = _wrapped_experiment_fn_with_uid_check(experiment_fn)(run_config, hparams)
    else:
        if not output_dir:
            raise ValueError("Must specify an output directory")
        if hparams is not None:
            raise ValueError("Must set `hparams` as None for `experiment_fn` with `output_dir`.")
        experiment = experiment_fn(output_dir=output_dir)
        _check_experiment(experiment)
        run_config = experiment.estimator.config

    schedule = schedule or default_schedule(run_config)
    return _execute_schedule(experiment, schedule)


def tune(experiment_fn, tuner) -> None:
    """Tune an Experiment's hyper-parameters, as TF 1.x: ``while tuner.next_trial(): tuner.run_experiment(fn)``.

    ``fn`` is ``experiment_fn`` wrapped in ``run``'s checks (a ``tf.estimator.RunConfig`` with a ``model_dir``, an
    ``HParams``, an ``Experiment`` whose Estimator uses that run config) plus one of its own: ``hparams`` must not
    be None, since tuning them is the point. The tuner picks each trial's ``run_config`` and ``hparams``, calls
    ``fn(run_config, hparams)``, runs the Experiment and keeps the measure; ``tune`` returns None, as in TF 1.x.
    """
    if not callable(experiment_fn):  # TF 1.x found out at the first trial; here before any trial starts
        raise TypeError(f'Experiment builder "{experiment_fn}" is not callable.')
    missing = [name for name in ("next_trial", "run_experiment") if not callable(getattr(tuner, name, None))]
    if missing:
        raise TypeError(
            f"`tuner` must be a Tuner (helpers.tuner.Tuner: next_trial() and run_experiment(experiment_fn)); "
            f"{type(tuner).__name__} has no {' and no '.join(missing)}()"
        )
    wrapped = _wrapped_experiment_fn_with_uid_check(experiment_fn, require_hparams=True)
    while tuner.next_trial():
        tuner.run_experiment(wrapped)


def _wrapped_experiment_fn_with_uid_check(experiment_fn, require_hparams: bool = False):
    """``experiment_fn(run_config, hparams)`` with TF 1.x's checks around it (the name is TF 1.x's): the run config
    and hyper-parameters it is given, the Experiment it returns, and that its Estimator uses that run config."""

    def wrapped_experiment_fn(run_config, hparams):
        if not isinstance(run_config, tf.estimator.RunConfig):
            raise ValueError(
                "`run_config` must be a `tf.estimator.RunConfig` instance (tf.contrib.learn.RunConfig is gone), "
                f"got {type(run_config).__name__}"
            )
        if not run_config.model_dir:
            raise ValueError("Must specify a model directory `model_dir` in `run_config`.")
        if hparams is not None and not isinstance(hparams, HParams):
            raise ValueError(f"`hparams` must be `HParams` instance, got {type(hparams).__name__}")
        if require_hparams and hparams is None:
            raise ValueError("`hparams` cannot be `None`.")
        experiment = experiment_fn(run_config, hparams)
        _check_experiment(experiment)
        if not _same_run_config(run_config, experiment.estimator.config):
            raise RuntimeError(
                "`RunConfig` instance is expected to be used by the `Estimator` inside the `Experiment`: pass "
                "the `run_config` argument of `experiment_fn` (or run_config.replace(...) of it) as the "
                f"Estimator's `config`. Expected model_dir {run_config.model_dir!r}, got "
                f"{experiment.estimator.config.model_dir!r}."
            )
        return experiment

    return wrapped_experiment_fn


def _check_experiment(experiment):
    if not isinstance(experiment, Experiment):
        raise TypeError(
            f"Experiment builder did not return an Experiment instance, got {type(experiment).__name__} instead."
        )


def _execute_schedule(experiment, schedule: str):
    """Run the method named ``schedule`` and return its result; TF 1.x's errors for anything else."""
    if not hasattr(experiment, schedule):
        raise ValueError(f"Schedule references non-existent task {schedule}; valid schedules are: "
                         f"{', '.join(_schedules_of(experiment))}")
    task = getattr(experiment, schedule)
    if not callable(task):
        raise TypeError(f"Schedule references non-callable member {schedule}; valid schedules are: "
                        f"{', '.join(_schedules_of(experiment))}")
    return task()


def _schedules_of(experiment) -> list[str]:
    """The standard schedules, then the public methods a subclass of Experiment adds."""
    extra = [name for name in dir(experiment)
             if not name.startswith("_") and name not in SCHEDULES and not hasattr(Experiment, name)
             and callable(getattr(experiment, name, None))]
    return list(SCHEDULES) + extra
