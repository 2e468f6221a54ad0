"""What Experiment did, in Keras 3: notebook 03's run as ``model.fit`` and its callbacks.

Taught in ``notebooks/09_leaving_tf215.ipynb`` section 4 (TensorFlow 2.21, Keras 3). Each job of
``tf.contrib.learn.Experiment`` (re-created for 2.15 in :mod:`helpers.experiment`) has a Keras 3 counterpart:

==========================================  ===============================================================
Experiment (notebook 03)                    here
==========================================  ===============================================================
``train_steps``                             ``fit(..., epochs=train_steps // eval_every,
                                            steps_per_epoch=eval_every)``
evaluation every ``min_eval_frequency``     ``validation_data=``: one evaluation at each epoch's end
checkpoints in ``model_dir``, resumed       ``keras.callbacks.BackupAndRestore``: a killed ``fit`` run
                                            again resumes from the last epoch it backed up
TensorBoard summaries                       ``keras.callbacks.TensorBoard``
early stopping                              ``keras.callbacks.EarlyStopping``
``train_monitors`` / ``SessionRunHook``     a ``keras.callbacks.Callback`` (:class:`StepLog`); the input
                                            hooks go: ``fit`` iterates the ``tf.data.Dataset`` itself
``export_strategies``                       ``model.export``: a SavedModel with a ``serve`` endpoint
==========================================  ===============================================================

As a program, so that a run can be killed and started again::

    python -m helpers.keras3_experiment --model MODEL.keras --work_dir DIR [--train_steps 600] [--eval_every 100]

It trains the ``.keras`` model (compiled, with its optimizer's state) on the bundled sample, prints one line per
evaluation, and exports the result to ``DIR/export``. Run with the same arguments after a kill, it resumes.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from helpers import keras3  # noqa: F401  (imports TensorFlow 2.21 and Keras 3 without their start-up notices)

# isort: split
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def datasets(mnist, batch_size: int = 128, eval_batch_size: int = 500, seed: int = 0):
    """(train, evaluation) ``tf.data.Dataset``\\ s as notebook 01 builds them: the training images shuffled each
    pass and repeated without end (``fit``'s ``steps_per_epoch`` says when an epoch ends), the test images once."""
    train = (tf.data.Dataset.from_tensor_slices((mnist.train_images, mnist.train_labels))
             .shuffle(len(mnist.train_images), seed=seed).batch(batch_size, drop_remainder=True).repeat())
    evaluation = tf.data.Dataset.from_tensor_slices((mnist.test_images, mnist.test_labels)).batch(eval_batch_size)
    return train, evaluation


class StepLog(keras.callbacks.Callback):
    """A ``SessionRunHook``'s job, as a Keras 3 callback: a line when training starts, one per evaluation, and one
    when early stopping ends the run, each with the global step (the optimizer's ``iterations``, which the
    ``.keras`` file and the backup keep)."""

    def __init__(self, early_stopping=None):
        super().__init__()
        self.early_stopping = early_stopping
        self.steps = {}  # fit's epoch -> the global step at its end

    def step(self) -> int:
        return int(self.model.optimizer.iterations.numpy())

    def on_train_begin(self, logs=None):
        print(f"starting at global step {self.step()}", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        self.steps[epoch] = self.step()
        print(f"global step {self.step()}: loss {logs['loss']:.3f}, "
              f"validation accuracy {logs['val_accuracy']:.4f}", flush=True)

    def on_train_end(self, logs=None):
        stopping = self.early_stopping
        if stopping is not None and stopping.stopped_epoch:
            print(f"early stopping at global step {self.step()}: the weights of global step "
                  f"{self.steps[stopping.best_epoch]} kept (validation accuracy {stopping.best:.4f})", flush=True)


def compile_for_training(model) -> None:
    """Compile ``model`` with the post's loss and an accuracy metric, keeping the optimizer (and its state) that
    ``keras.models.load_model`` restored."""
    model.compile(optimizer=model.optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])


def run(model, mnist, work_dir, train_steps: int = 600, eval_every: int = 100, patience: int = 0,
        min_delta: float = 0.0):
    """Experiment's ``train_and_evaluate`` in Keras 3: train ``train_steps`` steps, evaluate on the test images
    every ``eval_every`` steps, back up after each evaluation to ``work_dir/backup`` (and resume from it), write
    TensorBoard summaries to ``work_dir/logs``, stop early when ``patience`` > 0 evaluations in a row do not raise
    the validation accuracy by ``min_delta`` (and keep the best weights), and export a SavedModel to
    ``work_dir/export``. Returns ``fit``'s History."""
    work_dir = Path(work_dir)
    train, evaluation = datasets(mnist)
    early_stopping = (keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=patience, min_delta=min_delta,
                                                    restore_best_weights=True) if patience else None)
    callbacks = [
        keras.callbacks.BackupAndRestore(str(work_dir / "backup")),  # first: backed up before StepLog prints
        keras.callbacks.TensorBoard(str(work_dir / "logs")),
        *([early_stopping] if early_stopping else []),
        StepLog(early_stopping),
    ]
    history = model.fit(train, epochs=math.ceil(train_steps / eval_every), steps_per_epoch=eval_every,
                        validation_data=evaluation, callbacks=callbacks, verbose=0,
                        shuffle=False)  # the Dataset shuffles itself
    model.export(str(work_dir / "export"), verbose=False)
    return history


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.keras3_experiment", description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="a compiled .keras model to train on (notebook 09, section 2)")
    parser.add_argument("--work_dir", required=True, help="backup, TensorBoard logs and export go here")
    parser.add_argument("--train_steps", type=int, default=600, help="steps in this run (default 600)")
    parser.add_argument("--eval_every", type=int, default=100, help="steps between evaluations (default 100)")
    parser.add_argument("--patience", type=int, default=0,
                        help="stop after this many evaluations without improvement (default 0: never)")
    parser.add_argument("--min_delta", type=float, default=0.0,
                        help="the validation accuracy's least rise that counts as improvement (default 0)")
    args = parser.parse_args(argv)
    if not Path(args.model).is_file():
        parser.error(f"no model file {args.model}: notebook 09's section 2 writes it")

    from helpers.data import load_mnist

    keras.utils.set_random_seed(0)
    mnist = load_mnist("sample", verbose=False)
    model = keras.models.load_model(args.model)
    compile_for_training(model)
    history = run(model, mnist, args.work_dir, args.train_steps, args.eval_every, args.patience, args.min_delta)
    print(f"done: {len(history.history['loss'])} evaluations in this run; the SavedModel exported to "
          f"{Path(args.work_dir) / 'export'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
