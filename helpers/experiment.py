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
- ``continuous_eval()`` returns once it has evaluated a checkpoint at global step >= ``train_steps`` (or when
  its predicate says stop); with ``train_steps=None`` and no predicate it runs forever, as TF 1.x did.
- ``train_and_evaluate()`` evaluates as TF 1.x's ``ValidationMonitor`` did: every ``min_eval_frequency`` steps it
  looks for a checkpoint it has not evaluated yet and evaluates the newest one; after training it evaluates the
  final checkpoint once more. Evaluation cannot be more frequent than checkpoints, so set
  ``RunConfig(save_checkpoints_steps=...)`` accordingly, as the 2017 post did. ``check_interval_secs`` is accepted
  and not used (see :class:`_ValidationMonitor`).
- On a cluster (``TF_CONFIG`` with more than one task), ``train()`` - a worker's default schedule - first starts
  this task's TensorFlow server, as TF 1.x's did (without it a worker's session waits forever for its own
  address); ``run_std_server()`` - a parameter server's - starts one and joins it.

Taught in ``notebooks/03_experiment_and_tensorboard.ipynb``; on a real localhost cluster in
``notebooks/06_distributed_experiment.ipynb``.
"""

from __future__ import annotations

import inspect
import math
import os
import time
import warnings

import tensorflow as tf

__all__ = ["Experiment"]

_DEFAULT_TRAIN_STEPS_PER_ITERATION = 1000
_WARN_EVERY_SECS = 600  # TF 1.x repeated "no new checkpoint" warnings at most every 10 minutes
#: The TensorFlow server this process started for its cluster task, by (task type, index, cluster).
_SERVERS: dict = {}

_LOCAL_EVAL_FREQUENCY_DEPRECATION = (
    "local_eval_frequency is deprecated as local_run will be renamed to train_and_evaluate. Use "
    "min_eval_frequency and call train_and_evaluate instead. Note, however, that the default for "
    "min_eval_frequency is 1, meaning models will be evaluated every time a new checkpoint is available. In "
    "contrast, the default for local_eval_frequency is None, resulting in evaluation occurring only after "
    "training has completed. min_eval_frequency is ignored when calling the deprecated local_run."
)
_LOCAL_RUN_DEPRECATION = (
    "local_run is deprecated: local_run will be renamed to train_and_evaluate and the new default behavior "
    "will be to run evaluation every time there is a new checkpoint."
)


def _standardized_predicate(predicate_fn):
    """TF 1.x accepted ``predicate(eval_result)`` and ``predicate(eval_result, checkpoint_path)``."""
    if predicate_fn is None:
        return None
    if not callable(predicate_fn):
        raise ValueError("`continuous_eval_predicate_fn` must be a callable, or None.")
    try:
        takes_path = "checkpoint_path" in inspect.signature(predicate_fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        takes_path = False
    if takes_path:
        return predicate_fn
    return lambda eval_result, checkpoint_path: predicate_fn(eval_result)


def _non_negative_seconds(name: str, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"`{name}` must be a non-negative number of seconds, got {value!r}")
    return value


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


class _ValidationMonitor(tf.compat.v1.train.SessionRunHook):
    """TF 1.x's ``ValidationMonitor`` as ``Experiment.train_and_evaluate`` used it, as a training hook.

    As TF 1.x (``monitors.EveryN`` with ``first_n_steps=-1``, ``ValidationMonitor.every_n_step_end``): the first check
    comes at the first step at or past global step ``every_n_steps`` - counted from 0, so a resumed run checks at its
    first step and evaluates the checkpoint it resumed from - and every later one ``every_n_steps`` steps after the
    previous check. A check reads the latest checkpoint in ``model_dir`` - after this step's save, if it saves one -
    and evaluates it unless this monitor already did. A check between two saves thus evaluates the older checkpoint,
    and evaluations are never more frequent than checkpoints. (A check at a step that saves runs from the
    ``CheckpointSaverHook``, through :attr:`listener`, right after the save; any other from this hook's
    ``after_run``.)

    Where it differs from TF 1.x, on purpose:
    - a check is at the global step it is numbered with. TF 1.x numbered the steps with the global step its adapter
      fetched along with the previous training step (``RunHookAdapterForMonitors``), which can put a check one step
      later than its number;
    - no check at ``last_step``, the step that ends training: the evaluation ``train_and_evaluate`` runs right after
      training covers the final checkpoint, which TF 1.x could evaluate twice;
    - no ``check_interval_secs``: later TF 1.x releases also skipped a check when the previous one was less than
      ``check_interval_secs`` (5 s) ago, which makes the evaluated steps depend on the machine's speed.
    """

    def __init__(self, experiment, every_n_steps: int, last_step: int | None):
        self._experiment = experiment
        self._every_n_steps = every_n_steps
        self._last_step = last_step
        self._step = None
        #: give it to the training's CheckpointSaverHook (saving_listeners): a check due at a step that saves a
        #: checkpoint runs right after the save, before the step-counting hooks time that step
        self.listener = _CheckAfterSave(self)

    def begin(self):
        self._global_step_tensor = tf.compat.v1.train.get_global_step()
        self._last_check = 0  # TF 1.x's EveryN._last_active_step starts at 0, whatever step training starts from
        self._evaluated_path = None
        self._step = None

    def after_create_session(self, session, coord):
        self._step = int(session.run(self._global_step_tensor))  # the global step of the previous training step

    def after_run(self, run_context, run_values):
        self._step += 1  # locally, each training step adds exactly one to the global step
        self._maybe_check(self._step)

    def end(self, session):
        self._step = None

    def _saved(self, global_step_value: int):
        """A checkpoint was saved. During a training step (not at session start or end): that step's check, now."""
        if self._step is not None and global_step_value == self._step + 1:
            self._maybe_check(global_step_value)

    def _maybe_check(self, step: int):
        if step < self._last_check + self._every_n_steps:
            return  # not due (or already checked at this step, right after its save)
        if self._last_step is not None and step >= self._last_step:
            return  # the final evaluation follows
        self._last_check = step
        latest = tf.train.latest_checkpoint(self._experiment.estimator.model_dir)
        if latest is None or latest == self._evaluated_path:
            return  # no checkpoint yet, or none since the last evaluation
        self._evaluated_path = latest
        self._experiment._call_evaluate(name=None, checkpoint_path=latest)


class _CheckAfterSave(tf.estimator.CheckpointSaverListener):
    def __init__(self, monitor):
        self._monitor = monitor

    def after_save(self, session, global_step_value):
        self._monitor._saved(int(global_step_value))


class _EvaluateAndExportEveryCheckpoint(tf.estimator.CheckpointSaverListener):
    """``checkpoint_and_export=True``: after every checkpoint save, evaluate that checkpoint (into
    ``eval_intermediate_export/``) and run the exporters on it, as TF 1.x's ``_EvalAndExportListener``."""

    def __init__(self, experiment):
        self._experiment = experiment
        self._latest_path = None
        self.eval_result = None
        self.export_results = None

    def after_save(self, session, global_step_value):
        latest = tf.train.latest_checkpoint(self._experiment.estimator.model_dir)
        if not latest or latest == self._latest_path:
            return
        self._latest_path = latest
        self.eval_result = self._experiment._call_evaluate(name="intermediate_export", checkpoint_path=latest)
        self.export_results = self._experiment._maybe_export(self.eval_result, checkpoint_path=latest)


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
        if local_eval_frequency is not None:  # TF 1.x: @deprecated_args, still honoured by local_run()
            warnings.warn(_LOCAL_EVAL_FREQUENCY_DEPRECATION, DeprecationWarning, stacklevel=2)
        for name, value in (("train_input_fn", train_input_fn), ("eval_input_fn", eval_input_fn)):
            if not callable(value):
                raise TypeError(f"`{name}` must be a function (an input_fn), got {type(value).__name__}")
        for name, value in (("train_steps", train_steps), ("eval_steps", eval_steps),
                            ("min_eval_frequency", min_eval_frequency),
                            ("local_eval_frequency", local_eval_frequency),
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
        self._local_eval_frequency = local_eval_frequency
        self._eval_delay_secs = eval_delay_secs
        self._continuous_eval_throttle_secs = continuous_eval_throttle_secs
        self._min_eval_frequency = 1 if min_eval_frequency is None else min_eval_frequency
        self._delay_workers_by_global_step = delay_workers_by_global_step
        self._train_steps_per_iteration = train_steps_per_iteration
        self._checkpoint_and_export = bool(checkpoint_and_export)
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
    def eval_delay_secs(self):
        """How long ``evaluate()`` and ``continuous_eval()`` wait before their first evaluation (default 120 s).

        Settable: TF 1.x took it in the constructor only; a launcher that runs someone's ``experiment_fn`` on a
        cluster (``helpers.cluster_task``) sets it on the Experiment that function returned."""
        return self._eval_delay_secs

    @eval_delay_secs.setter
    def eval_delay_secs(self, value):
        self._eval_delay_secs = _non_negative_seconds("eval_delay_secs", value)

    @property
    def continuous_eval_throttle_secs(self):
        """The least time between two evaluations of ``continuous_eval()`` (default 60 s). Settable, as above."""
        return self._continuous_eval_throttle_secs

    @continuous_eval_throttle_secs.setter
    def continuous_eval_throttle_secs(self, value):
        self._continuous_eval_throttle_secs = _non_negative_seconds("continuous_eval_throttle_secs", value)

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

    def _call_evaluate(self, name, steps="default", checkpoint_path=None, hooks=None, input_fn=None):
        result = self._estimator.evaluate(
            input_fn=input_fn or self._eval_input_fn, steps=self._eval_steps if steps == "default" else steps,
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
        """Start (once per process) the TensorFlow server of this task, as TF 1.x's Experiment did."""
        config = self._estimator.config
        if not config.cluster_spec or not config.task_type or not config.master or config.task_id is None:
            raise ValueError(
                "Could not start server; be sure to specify cluster_spec, task_type, master, and task in "
                "RunConfig or set the TF_CONFIG environment variable."
            )
        key = (config.task_type, config.task_id, str(config.cluster_spec.as_dict()))
        if key not in _SERVERS:  # a gRPC server cannot be stopped: a second Experiment in this process reuses it
            server = tf.distribute.Server(config.cluster_spec, job_name=config.task_type,
                                          task_index=config.task_id, config=config.session_config,
                                          protocol=config.protocol, start=False)
            server.start()
            _SERVERS[key] = server
        return _SERVERS[key]

    def _needs_server(self) -> bool:
        """TF 1.x: a training task of a cluster (a cluster spec and a master) runs its own server."""
        config = self._estimator.config
        return bool(self._is_distributed() and config.master and config.task_type != "evaluator")

    # -- the schedules -------------------------------------------------------------------------------------
    def train(self, delay_secs=None):
        """Train up to global step ``train_steps`` (forever if None); workers start staggered, as TF 1.x.

        On a cluster (``TF_CONFIG`` with more than one task) it first starts this task's TensorFlow server, as
        TF 1.x's ``Experiment.train`` did - before the delay, so the other tasks can reach it meanwhile. A
        worker's session connects to its own server (``RunConfig.master``): without one it would wait forever.
        """
        extra_hooks = []
        config = self._estimator.config
        if self._needs_server():
            self._start_server()
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

    def evaluate(self, delay_secs=None, name=None):
        """Evaluate the latest checkpoint once (after ``eval_delay_secs``); results go to ``eval_<name>/``,
        ``eval_one_pass/`` by default."""
        delay_secs = self._eval_delay_secs if delay_secs is None else delay_secs
        if delay_secs:
            time.sleep(delay_secs)
        return self._call_evaluate(name=name or "one_pass")

    def local_run(self):
        """Deprecated since 2016 (TF 1.x kept it to the end): ``train_and_evaluate`` with
        ``min_eval_frequency=local_eval_frequency`` - so by default it evaluates only after training."""
        warnings.warn(_LOCAL_RUN_DEPRECATION, DeprecationWarning, stacklevel=2)
        saved = self._min_eval_frequency
        self._min_eval_frequency = self._local_eval_frequency
        try:
            return self.train_and_evaluate()
        finally:
            self._min_eval_frequency = saved

    def train_and_evaluate(self):
        """Train, checking every ``min_eval_frequency`` steps for a new checkpoint to evaluate; then evaluate once more.

        Returns ``(eval_result, export_results)`` as TF 1.x did. With ``checkpoint_and_export=True`` every
        checkpoint is evaluated (into ``eval_intermediate_export/``) and exported instead, and the results of
        the last one are returned. On a cluster (TF_CONFIG), this is
        ``tf.estimator.train_and_evaluate(estimator, self.train_spec, self.eval_spec)``.
        """
        if self._is_distributed():
            result = tf.estimator.train_and_evaluate(self._estimator, self.train_spec, self.eval_spec)
            return result if result is not None else (None, [])
        config = self._estimator.config
        if self._checkpoint_and_export and (config.save_checkpoints_secs or config.save_checkpoints_steps):
            listener = _EvaluateAndExportEveryCheckpoint(self)  # min_eval_frequency is ignored, as TF 1.x
            self._call_train(max_steps=self._train_steps, saving_listeners=[listener])
            if listener.eval_result is not None:
                return listener.eval_result, listener.export_results
            eval_result = self._call_evaluate(name=None)  # nothing was trained: evaluate what is there
            return eval_result, self._maybe_export(eval_result)
        hooks, listeners = [], []
        if self._min_eval_frequency:  # 0 or None (local_run's default): evaluate only after training, as TF 1.x
            monitor = _ValidationMonitor(self, self._min_eval_frequency, last_step=self._train_steps)
            hooks.append(monitor)
            if config.save_checkpoints_steps or config.save_checkpoints_secs:
                listeners.append(monitor.listener)
        self._call_train(hooks=hooks, max_steps=self._train_steps, saving_listeners=listeners)
        eval_result = self._call_evaluate(name=None)  # always, as TF 1.x
        export_results = self._maybe_export(eval_result, is_the_final_export=True)
        return eval_result, export_results

    def _global_step(self) -> int:
        try:
            return int(self._estimator.get_variable_value(tf.compat.v1.GraphKeys.GLOBAL_STEP))
        except ValueError:  # no checkpoint yet
            return 0
        except tf.errors.NotFoundError as e:
            raise RuntimeError(
                f"the latest checkpoint in {self._estimator.model_dir} has no `global_step` variable, which an "
                "Experiment counts its steps by. A checkpoint in TF 2's object format has none: with "
                "tf.keras.estimator.model_to_estimator pass checkpoint_format='saver' (notebook 07)") from e

    def _has_training_stopped(self, eval_result) -> bool:
        """TF 1.x: training is over once an evaluated checkpoint is at global step >= ``train_steps``."""
        if not eval_result or not self._train_steps:
            return False
        global_step = eval_result.get(tf.compat.v1.GraphKeys.GLOBAL_STEP)
        return bool(global_step) and global_step >= self._train_steps

    def continuous_train_and_eval(self, continuous_eval_predicate_fn=None):
        """Train ``train_steps_per_iteration`` steps, evaluate (into ``eval_one_pass/``), repeat.

        Stops when an evaluation is at global step >= ``train_steps``, or when
        ``continuous_eval_predicate_fn(eval_result)`` - or ``(eval_result, checkpoint_path)`` - returns False;
        it is asked first with ``eval_result=None``. ``train_steps_per_iteration`` defaults to a tenth of
        ``train_steps`` (1000 without ``train_steps``). Returns ``(eval_result, export_results)`` of the last
        evaluation (``(None, None)`` if the predicate stopped it before the first).
        """
        predicate_fn = _standardized_predicate(continuous_eval_predicate_fn)
        if self._train_steps_per_iteration is not None:
            steps_per_iteration = self._train_steps_per_iteration
        elif self._train_steps is not None:
            steps_per_iteration = max(1, self._train_steps // 10)
        else:
            steps_per_iteration = _DEFAULT_TRAIN_STEPS_PER_ITERATION
        eval_result, export_results, latest = None, None, None
        while predicate_fn is None or predicate_fn(eval_result, checkpoint_path=latest if eval_result else None):
            if self._has_training_stopped(eval_result):
                break
            steps = steps_per_iteration
            if self._train_steps is not None:
                steps = min(steps, self._train_steps - self._global_step())  # never past train_steps
            if steps > 0:
                self._call_train(steps=steps)
            latest = tf.train.latest_checkpoint(self._estimator.model_dir)
            eval_result = self._call_evaluate(name="one_pass", checkpoint_path=latest)
            export_results = self._maybe_export(eval_result, checkpoint_path=latest)
        return eval_result, export_results

    def continuous_eval(self, delay_secs=None, throttle_delay_secs=None, evaluate_checkpoint_only_once=True,
                        continuous_eval_predicate_fn=None, name="continuous"):
        """Evaluate each new checkpoint as it appears (into ``eval_<name>/``), at most once per
        ``throttle_delay_secs``, and run the exporters on it.

        Returns once a checkpoint at global step >= ``train_steps`` has been evaluated, or when
        ``continuous_eval_predicate_fn(eval_result)`` - or ``(eval_result, checkpoint_path)`` - returns False
        (it is asked first with None, then after every round; ``{}`` means no new checkpoint was ready).
        Without ``train_steps`` and without a predicate it runs forever, as in TF 1.x.
        """
        self._continuous_eval(self._eval_input_fn, name, delay_secs, throttle_delay_secs,
                              evaluate_checkpoint_only_once, continuous_eval_predicate_fn, export=True)

    def continuous_eval_on_train_data(self, delay_secs=None, throttle_delay_secs=None,
                                      continuous_eval_predicate_fn=None, name="continuous_on_train_data"):
        """As ``continuous_eval``, on the training input (into ``eval_continuous_on_train_data/``), no export."""
        self._continuous_eval(self._train_input_fn, name, delay_secs, throttle_delay_secs, True,
                              continuous_eval_predicate_fn, export=False)

    def _continuous_eval(self, input_fn, name, delay_secs, throttle_delay_secs, evaluate_checkpoint_only_once,
                         continuous_eval_predicate_fn, export):
        predicate_fn = _standardized_predicate(continuous_eval_predicate_fn)
        delay_secs = self._eval_delay_secs if delay_secs is None else delay_secs
        throttle = self._continuous_eval_throttle_secs if throttle_delay_secs is None else throttle_delay_secs
        if delay_secs:
            time.sleep(delay_secs)
        previous_path, eval_result, last_warning = None, None, None
        while predicate_fn is None or predicate_fn(eval_result, checkpoint_path=previous_path):
            if self._has_training_stopped(eval_result):
                tf.compat.v1.logging.info("Exiting continuous eval, global_step=%s >= train_steps=%s",
                                          eval_result.get("global_step"), self._train_steps)
                return
            start = time.time()
            latest = tf.train.latest_checkpoint(self._estimator.model_dir)
            if not latest or (evaluate_checkpoint_only_once and latest == previous_path):
                eval_result = {}
                if last_warning is None or start - last_warning > _WARN_EVERY_SECS:
                    tf.compat.v1.logging.warning(
                        "No new checkpoint ready for evaluation." if latest else
                        "Estimator is not fitted yet. Will start an evaluation when a checkpoint is ready.")
                    last_warning = start
            else:
                eval_result = self._call_evaluate(name=name, checkpoint_path=latest, input_fn=input_fn) or {}
                if export:
                    self._maybe_export(eval_result, checkpoint_path=latest)
                previous_path, last_warning = latest, None
            elapsed = time.time() - start
            if elapsed < throttle:
                time.sleep(throttle - elapsed)

    def test(self):
        """Train one step, evaluate one step and export: a smoke test of the whole set-up (TF 1.x API)."""
        self._call_train(steps=1)
        eval_result = self._call_evaluate(name="one_pass", steps=1, hooks=[])
        self._maybe_export(eval_result)
        return eval_result

    def run_std_server(self):
        """Start a TensorFlow server for this task of the cluster and join it (parameter servers)."""
        self._start_server().join()

    def __repr__(self) -> str:
        return (f"Experiment(model_dir={self._estimator.model_dir!r}, train_steps={self._train_steps}, "
                f"eval_steps={self._eval_steps}, min_eval_frequency={self._min_eval_frequency})")
