"""SessionRunHooks beyond the input hook: one that records its calls, and a progress bar for training.

``RecordingHook`` is taught in ``notebooks/01_dataset_pipeline.ipynb`` (the hook life cycle) and drawn in 02;
``ProgressBarHook`` in ``notebooks/03_experiment_and_tensorboard.ipynb``.
"""

from __future__ import annotations

import time

import tensorflow as tf


class RecordingHook(tf.compat.v1.train.SessionRunHook):
    """Remember which hook methods the session called, in order, in ``calls``.

    Pass ``log`` (a list) to share one record between several recorders, e.g. to interleave the hook's calls
    with an input_fn's and a model_fn's; each entry is then the method's name.
    """

    def __init__(self, log: list | None = None):
        self.calls = log if log is not None else []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")

    def before_run(self, run_context):
        self.calls.append("before_run")

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")

    def end(self, session):
        self.calls.append("end")


class ProgressBarHook(tf.compat.v1.train.SessionRunHook):
    """A tqdm progress bar over the global step, showing the loss and steps per second.

    ``total`` is the global step training stops at (``max_steps``; an Experiment's ``train_steps``);
    without it the bar counts up. The bar starts at the global step the session begins from, so a resumed
    run shows where it resumed. It fetches the loss (already computed by the train op, so no extra work) and
    redraws at most every ``refresh_secs`` - cheap enough not to slow training (benchmarks/progress_hook.py).
    """

    def __init__(self, total: int | None = None, desc: str = "training", refresh_secs: float = 0.5,
                 loss_tensor=None, leave: bool = True, file=None):
        self._total = total
        self._desc = desc
        self._refresh_secs = refresh_secs
        self._loss_tensor = loss_tensor
        self._leave = leave
        self._file = file
        self._bar = None

    def begin(self):
        self._global_step = tf.compat.v1.train.get_global_step()
        if self._global_step is None:
            raise RuntimeError("ProgressBarHook needs a global step: create it with "
                               "tf.compat.v1.train.get_or_create_global_step() (an Estimator does)")
        if self._loss_tensor is None and tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.LOSSES):
            self._loss_tensor = tf.compat.v1.losses.get_total_loss(add_regularization_losses=False)
        self._fetches = {"step": self._global_step}
        if self._loss_tensor is not None:
            self._fetches["loss"] = self._loss_tensor

    def after_create_session(self, session, coord):
        from tqdm.auto import tqdm

        start = int(session.run(self._global_step))
        self._bar = tqdm(total=self._total, initial=start, desc=self._desc, unit="step", leave=self._leave,
                         file=self._file, dynamic_ncols=True)
        self._last_step, self._last_draw, self._last_loss = start, time.monotonic(), None
        self._start_step, self._start_time = start, time.monotonic()

    def before_run(self, run_context):
        return tf.compat.v1.train.SessionRunArgs(self._fetches)

    def after_run(self, run_context, run_values):
        results = run_values.results
        # Usually the value fetched is the step before the train op ran. The read is not ordered with the train op's
        # increment, though (TF's own StopAtStepHook says the same and re-reads the step), so now and then it is the
        # new step already: the bar may run one step ahead, never past `total`, and end() draws the exact step.
        step = int(results["step"]) + 1
        if self._total is not None:
            step = min(step, self._total)
        self._last_loss = results.get("loss", self._last_loss)
        now = time.monotonic()
        if now - self._last_draw >= self._refresh_secs:
            self._draw(step)
            self._last_draw = now

    def _draw(self, step):
        if step != self._last_step:  # back by one too, when end() finds the bar ran ahead
            self._bar.update(step - self._last_step)
            self._last_step = step
        if self._last_loss is not None:
            self._bar.set_postfix(loss=f"{float(self._last_loss):.4f}", refresh=False)
        self._bar.refresh()

    def end(self, session):
        if self._bar is not None:
            step = int(session.run(self._global_step))
            self._draw(step)
            self._bar.close()
            self._bar = None
            # One plain line that stays readable where the bar does not (logs, a notebook viewed on GitHub).
            seconds = time.monotonic() - self._start_time
            loss = f", last loss {float(self._last_loss):.4f}" if self._last_loss is not None else ""
            print(f"{self._desc}: global step {self._start_step} -> {step} in {seconds:.1f} s "
                  f"({(step - self._start_step) / max(seconds, 1e-9):.1f} steps/s){loss}")
