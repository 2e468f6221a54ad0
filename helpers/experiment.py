"""``Experiment``: the project's re-creation of TF 1.x ``tf.contrib.learn.Experiment``.

``tf.contrib`` was removed in TensorFlow 2.0. This class keeps the TF 1.x constructor arguments, methods
and behaviour, implemented on the real ``tf.estimator`` of TF 2.15: ``Estimator.train`` / ``evaluate`` for
the single-process schedules, and ``tf.estimator.train_and_evaluate`` with ``TrainSpec`` / ``EvalSpec`` for a
distributed cluster (``TF_CONFIG``), which is what replaced Experiment in TensorFlow itself.

TF 1.x behaviour kept on purpose (it surprises people, so here it is):
- ``train_steps`` is a *maximum* global step (``Estimator.train(max_steps=...)``): running the same
  Experiment again on a model_dir that is already there does nothing; a killed run, started again, ends at
  exactly ``train_steps``.
- ``eval_steps`` defaults to 100 batches; ``None`` evaluates until the input is exhausted (one epoch).
- ``evaluate()`` and ``continuous_eval()`` first wait ``eval_delay_secs`` (default 120 s).
- ``train_and_evaluate()`` evaluates whenever a new checkpoint is saved and at least ``min_eval_frequency``
  steps have passed since the last evaluation: evaluation cannot be more frequent than checkpoints, so set
  ``RunConfig(save_checkpoints_steps=...)`` accordingly, as the 2017 post did.

Taught in ``notebooks/03_experiment_and_tensorboard.ipynb``.
"""

from __future__ import annotations

import math
import os
import time

import tensorflow as tf

__all__ = ["Experiment"]

_DEFAULT_TRAIN_STEPS_PER_ITERATION = 1000


def _report(message: str) -> None:
    """Print a progress line without breaking a tqdm bar (TF 1.x logged these at INFO level)."""
    try:
        from tqdm.auto import tqdm

        tqdm.write(message)
    except ImportError:  # pragma: no cover
        print(message)


def _format_metrics(result: dict) -> str:
    items = [f"{k} = {float(v):.4f}" for k, v in sorted(result.items()) if k != "global_step"]
    return f"global step {int(result.get('global_step', -1))}: " + ", ".join(items)


class _EvaluateEveryNSteps(tf.estimator.CheckpointSaverListener):
    """After a checkpoint is saved, evaluate it if ``every_n_steps`` have passed since the last evaluation."""

    def __init__(self, experiment, every_n_steps: int):
        self._experiment = experiment
        self._every_n_steps = every_n_steps
        self._last_step = None

    def after_save(self, session, global_step_value):
        if self._last_step is None:  # the save at session start: the state before this run trained
            self._last_step = global_step_value
            return
        if global_step_value - self._last_step < self._every_n_steps:
            return
        self._last_step = global_step_value
        self._experiment._call_evaluate(name=None)


class Experiment:
    """Everything needed to train and evaluate an Estimator, with the schedules of TF 1.x's Experiment."""

    def __init__(
        self,
        estimator,
        train_input_fn,
        eval_input_fn,
        eval_metrics=None,
        train_steps=None,
        eval_steps=100,
        train_monitors=None,
        eval_hooks=None,
        local_eval_frequency=None,
        eval_delay_secs=120,
        continuous_eval_throttle_secs=60,
        min_eval_frequency=None,
        delay_workers_by_global_step=False,
        export_strategies=None,
        train_steps_per_iteration=None,
        checkpoint_and_export=False,
        saving_listeners=None,
        check_interval_secs=5,
    ):
        if not isinstance(estimator, tf.compat.v1.estimator.Estimator):  # V2 subclasses V1
            raise ValueError(
                f"`estimator` must be a tf.estimator.Estimator, got {type(estimator).__name__}. (TF 1.x's "
                "tf.contrib.learn.Estimator is gone; wrap the model_fn in tf.estimator.Estimator.)"
            )
        if eval_metrics is not None:
            raise ValueError(
                "`eval_metrics` must be `None` with `tf.estimator.Estimator`. Use `eval_metric_ops` in "
                "`tf.estimator.EstimatorSpec` instead."
            )
        if local_eval_frequency is not None:
            raise ValueError("`local_eval_frequency` was removed in TF 1.x already; use `min_eval_frequency`")
        if checkpoint_and_export:
            raise ValueError(
                "`checkpoint_and_export=True` is not supported by this re-creation; pass exporters in "
                "`export_strategies` (tf.estimator.LatestExporter, BestExporter, FinalExporter) instead"
            )
        for name, value in (("train_input_fn", train_input_fn), ("eval_input_fn", eval_input_fn)):
            if not callable(value):
                raise TypeError(f"`{name}` must be a function (an input_fn), got {type(value).__name__}")
        for name, value in (("train_steps", train_steps), ("eval_steps", eval_steps),
                            ("min_eval_frequency", min_eval_frequency),
                            ("train_steps_per_iteration", train_steps_per_iteration)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"`{name}` must be a non-negative integer or None, got {value!r}")
        self._estimator = estimator
        self._train_input_fn = train_input_fn
        self._eval_input_fn = eval_input_fn
        self._train_steps = train_steps
        self._eval_steps = eval_steps
        self._train_monitors = list(train_monitors or [])
        self._eval_hooks = list(eval_hooks or [])
        self._eval_delay_secs = eval_delay_secs
        self._continuous_eval_throttle_secs = continuous_eval_throttle_secs
        self._min_eval_frequency = 1 if min_eval_frequency is None else min_eval_frequency
        self._delay_workers_by_global_step = delay_workers_by_global_step
        self._train_steps_per_iteration = train_steps_per_iteration
        self._saving_listeners = list(saving_listeners or [])
        self._check_interval_secs = check_interval_secs
        self._set_export_strategies(export_strategies)
        #: every evaluation this Experiment ran, in order: dicts with 'global_step', 'accuracy', 'loss', ...
        self.eval_results: list[dict] = []

    # -- properties, as TF 1.x ---------------------------------------------------------------------------
    @property
    def estimator(self):
        return self._estimator

    @property
    def eval_metrics(self):
        return None

    @property
    def train_steps(self):
        return self._train_steps

    @property
    def eval_steps(self):
        return self._eval_steps

    @property
    def train_spec(self) -> tf.estimator.TrainSpec:
        """The TF 2 equivalent of this Experiment's training half."""
        return tf.estimator.TrainSpec(self._train_input_fn, max_steps=self._train_steps,
                                      hooks=self._train_monitors, saving_listeners=self._saving_listeners)

    @property
    def eval_spec(self) -> tf.estimator.EvalSpec:
        """The TF 2 equivalent of this Experiment's evaluation half (evaluate on every new checkpoint)."""
        return tf.estimator.EvalSpec(self._eval_input_fn, steps=self._eval_steps, hooks=self._eval_hooks,
                                     exporters=self._export_strategies or None, start_delay_secs=0,
                                     throttle_secs=0)

    def _set_export_strategies(self, value):
        if value is None:
            self._export_strategies = []
            return
        strategies = value if isinstance(value, (list, tuple)) else [value]
        for s in strategies:
            if not isinstance(s, tf.estimator.Exporter):
                raise ValueError(
                    "`export_strategies` must be a tf.estimator.Exporter, a list of them, or None; got "
                    f"{type(s).__name__}. TF 1.x's tf.contrib.learn ExportStrategy (make_export_strategy) no "
                    "longer exists: use tf.estimator.LatestExporter, BestExporter or FinalExporter."
                )
        self._export_strategies = list(strategies)

    def extend_train_hooks(self, additional_hooks):
        """Add training hooks (TF 1.x API)."""
        self._train_monitors.extend(additional_hooks)

    def reset_export_strategies(self, new_export_strategies=None):
        """Replace the export strategies; return the old ones (TF 1.x API)."""
        old = self._export_strategies
        self._set_export_strategies(new_export_strategies)
        return old

    # -- the building blocks ------------------------------------------------------------------------------
    def _call_train(self, hooks=(), steps=None, max_steps=None, saving_listeners=()):
        return self._estimator.train(
            input_fn=self._train_input_fn, hooks=self._train_monitors + list(hooks), steps=steps,
            max_steps=max_steps, saving_listeners=self._saving_listeners + list(saving_listeners))

    def _call_evaluate(self, name, steps="default", checkpoint_path=None, hooks=None):
        result = self._estimator.evaluate(
            input_fn=self._eval_input_fn, steps=self._eval_steps if steps == "default" else steps,
            hooks=self._eval_hooks if hooks is None else hooks, checkpoint_path=checkpoint_path, name=name)
        self.eval_results.append(dict(result))
        _report(f"[eval{'_' + name if name else ''}] {_format_metrics(result)}")
        return result

    def _maybe_export(self, eval_result, checkpoint_path=None, is_the_final_export=False):
        export_dir_base = os.path.join(self._estimator.model_dir, "export")
        results = []
        checkpoint_path = checkpoint_path or tf.train.latest_checkpoint(self._estimator.model_dir)
        for exporter in self._export_strategies:
            results.append(exporter.export(self._estimator, os.path.join(export_dir_base, exporter.name),
                                           checkpoint_path, eval_result, is_the_final_export))
        return results

    def _is_distributed(self) -> bool:
        from helpers.learn_runner import is_distributed

        return is_distributed(self._estimator.config)

    def _start_server(self):
        config = self._estimator.config
        if not config.cluster_spec or not config.task_type or not config.master or config.task_id is None:
            raise ValueError(
                "Could not start server; be sure to specify cluster_spec, task_type, master, and task in "
                "RunConfig or set the TF_CONFIG environment variable."
            )
        server = tf.distribute.Server(config.cluster_spec, job_name=config.task_type, task_index=config.task_id,
                                      config=config.session_config, start=False)
        server.start()
        return server

    # -- the schedules -------------------------------------------------------------------------------------
    def train(self, delay_secs=None):
        """Train up to global step ``train_steps`` (forever if None); workers start staggered, as TF 1.x."""
        extra_hooks = []
        config = self._estimator.config
        if delay_secs is None:
            task_id = config.task_id or 0
            if self._delay_workers_by_global_step:
                extra_hooks.append(tf.compat.v1.train.GlobalStepWaiterHook(int(8000.0 * math.log(task_id + 1))))
                delay_secs = 0
            else:
                delay_secs = min(60, task_id * 5)  # 5 s more for each worker, at most 60
        if delay_secs > 0:
            time.sleep(delay_secs)
        return self._call_train(hooks=extra_hooks, max_steps=self._train_steps)

    def evaluate(self, delay_secs=None, name="one_pass"):
        """Evaluate the latest checkpoint once (after ``eval_delay_secs``); results go to ``eval_one_pass/``."""
        delay_secs = self._eval_delay_secs if delay_secs is None else delay_secs
        if delay_secs:
            time.sleep(delay_secs)
        return self._call_evaluate(name=name)

    def train_and_evaluate(self):
        """Train, evaluating every new checkpoint at least ``min_eval_frequency`` steps apart, then once more.

        Returns ``(eval_result, export_results)`` as TF 1.x did. On a cluster (TF_CONFIG), this is
        ``tf.estimator.train_and_evaluate(estimator, self.train_spec, self.eval_spec)``.
        """
        if self._is_distributed():
            result = tf.estimator.train_and_evaluate(self._estimator, self.train_spec, self.eval_spec)
            return result if result is not None else (None, [])
        listeners = []
        if self._min_eval_frequency:
            listener = _EvaluateEveryNSteps(self, self._min_eval_frequency)
            listeners.append(listener)
        self._call_train(max_steps=self._train_steps, saving_listeners=listeners)
        final_step = self._global_step()
        if self.eval_results and self.eval_results[-1].get("global_step") == final_step:
            eval_result = self.eval_results[-1]  # the last checkpoint was just evaluated
        else:
            eval_result = self._call_evaluate(name=None)
        export_results = self._maybe_export(eval_result, is_the_final_export=True)
        return eval_result, export_results

    def _global_step(self) -> int:
        try:
            return int(self._estimator.get_variable_value(tf.compat.v1.GraphKeys.GLOBAL_STEP))
        except ValueError:  # no checkpoint yet
            return 0

    def continuous_train_and_eval(self, continuous_eval_predicate_fn=None):
        """Train ``train_steps_per_iteration`` steps, evaluate, repeat - until ``train_steps`` or the predicate.

        ``continuous_eval_predicate_fn(eval_result)`` (None before the first evaluation) returns whether to go
        on. Returns ``(eval_result, export_results)`` of the last evaluation.
        """
        if continuous_eval_predicate_fn is not None and not callable(continuous_eval_predicate_fn):
            raise ValueError("`continuous_eval_predicate_fn` must be a callable, or None.")
        steps_per_iteration = self._train_steps_per_iteration or _DEFAULT_TRAIN_STEPS_PER_ITERATION
        eval_result, export_results = None, []
        while continuous_eval_predicate_fn is None or continuous_eval_predicate_fn(eval_result):
            steps = steps_per_iteration
            if self._train_steps is not None:
                remaining = self._train_steps - self._global_step()
                if remaining <= 0:
                    break
                steps = min(steps, remaining)  # never past train_steps
            self._call_train(steps=steps)
            eval_result = self._call_evaluate(name=None)
            export_results = self._maybe_export(eval_result)
        return eval_result, export_results

    def continuous_eval(self, delay_secs=None, throttle_delay_secs=None, evaluate_checkpoint_only_once=True,
                        continuous_eval_predicate_fn=None):
        """Evaluate each new checkpoint as it appears (into ``eval_continuous/``), at most once per
        ``throttle_delay_secs``; runs until ``continuous_eval_predicate_fn(eval_result)`` is false, or forever."""
        self._continuous_eval("continuous", delay_secs, throttle_delay_secs, evaluate_checkpoint_only_once,
                              continuous_eval_predicate_fn)

    def continuous_eval_on_train_data(self, delay_secs=None, throttle_delay_secs=None,
                                      continuous_eval_predicate_fn=None):
        """As ``continuous_eval``, on the training input (into ``eval_continuous_on_train_data/``)."""
        self._continuous_eval("continuous_on_train_data", delay_secs, throttle_delay_secs, True,
                              continuous_eval_predicate_fn, input_fn=self._train_input_fn, hooks=self._train_monitors)

    def _continuous_eval(self, name, delay_secs, throttle_delay_secs, evaluate_checkpoint_only_once,
                         predicate_fn, input_fn=None, hooks=None):
        if predicate_fn is not None and not callable(predicate_fn):
            raise ValueError("`continuous_eval_predicate_fn` must be a callable, or None.")
        delay_secs = self._eval_delay_secs if delay_secs is None else delay_secs
        throttle = self._continuous_eval_throttle_secs if throttle_delay_secs is None else throttle_delay_secs
        if delay_secs:
            time.sleep(delay_secs)
        previous_path, eval_result = None, None
        while predicate_fn is None or predicate_fn(eval_result):
            start = time.time()
            latest = tf.train.latest_checkpoint(self._estimator.model_dir)
            if not latest or (evaluate_checkpoint_only_once and latest == previous_path):
                eval_result = {}
            else:
                if input_fn is None:
                    eval_result = self._call_evaluate(name=name, checkpoint_path=latest)
                else:
                    eval_result = self._estimator.evaluate(input_fn, steps=self._eval_steps, hooks=hooks,
                                                           checkpoint_path=latest, name=name)
                self._maybe_export(eval_result, checkpoint_path=latest)
                previous_path = latest
            elapsed = time.time() - start
            if elapsed < throttle:
                time.sleep(throttle - elapsed)

    def test(self):
        """Train one step and evaluate one step: a smoke test of the whole set-up (TF 1.x API)."""
        self._call_train(steps=1)
        return self._call_evaluate(name="one_pass", steps=1)

    def run_std_server(self):
        """Start a TensorFlow server for this task of the cluster and join it (parameter servers)."""
        self._start_server().join()

    def __repr__(self) -> str:
        return (f"Experiment(model_dir={self._estimator.model_dir!r}, train_steps={self._train_steps}, "
                f"eval_steps={self._eval_steps}, min_eval_frequency={self._min_eval_frequency})")
