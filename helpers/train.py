"""The 2017 post's complete training set-up: hyper-parameters, ``experiment_fn`` and the run.

Notebook 03 teaches it; the command line (``python -m helpers``) and notebook 04 reuse it.
"""

from __future__ import annotations

import tensorflow as tf

from helpers import learn_runner
from helpers.experiment import Experiment
from helpers.hooks import ProgressBarHook
from helpers.hparams import HParams
from helpers.inputs import get_eval_inputs, get_train_inputs
from helpers.model import model_fn


def default_hparams(**overrides) -> HParams:
    """The post's hyper-parameters, scaled to the bundled sample.

    The post trained 5,000 steps at learning rate 0.002 on 55,000 images, evaluating every 100 steps. On the
    4,000-image sample, 600 steps at 0.001 reach ~98 % test accuracy in about 15 s on a laptop CPU (more steps add
    nothing: 800 ended at 97.5 %), and the smaller rate keeps the accuracy from wobbling between evaluations.
    """
    hparams = HParams(learning_rate=0.001, batch_size=128, dropout_rate=0.5, train_steps=600,
                      min_eval_frequency=200)
    return hparams.override_from_dict(overrides) if overrides else hparams


def make_experiment_fn(mnist, progress: bool = True, eval_batch_size: int = 500):
    """Return the post's ``experiment_fn(run_config, params)`` for the data set ``mnist``.

    One difference from the post: evaluation batches of ``eval_batch_size`` = 500 images, where the post used 128,
    its training batch size. Each evaluation runs over the whole test split either way (``eval_steps=None``), so
    the accuracy does not depend on it (the loss, a mean of the batches' mean losses, a little).
    """

    def experiment_fn(run_config, params):
        # Checkpoint as often as we want to evaluate: an Experiment evaluates new checkpoints only.
        run_config = run_config.replace(save_checkpoints_steps=params.min_eval_frequency)
        estimator = tf.estimator.Estimator(model_fn=model_fn, params=params, config=run_config)
        train_input_fn, train_input_hook = get_train_inputs(params.batch_size, mnist, seed=run_config.tf_random_seed)
        eval_input_fn, eval_input_hook = get_eval_inputs(eval_batch_size, mnist)
        train_monitors = [train_input_hook]
        if progress:
            train_monitors.append(ProgressBarHook(total=params.train_steps))
        return Experiment(
            estimator=estimator,
            train_input_fn=train_input_fn,
            eval_input_fn=eval_input_fn,
            train_steps=params.train_steps,
            min_eval_frequency=params.min_eval_frequency,
            train_monitors=train_monitors,
            eval_hooks=[eval_input_hook],
            eval_steps=None,  # the whole test split each time
        )

    return experiment_fn


def run_experiment(mnist, model_dir, hparams: HParams | None = None, seed: int = 42, progress: bool = True,
                   schedule: str = "train_and_evaluate"):
    """``learn_runner.run`` the post's experiment; return what the schedule returns."""
    hparams = hparams or default_hparams()
    run_config = tf.estimator.RunConfig(model_dir=str(model_dir), tf_random_seed=seed, keep_checkpoint_max=3,
                                        log_step_count_steps=50)
    return learn_runner.run(make_experiment_fn(mnist, progress=progress), run_config=run_config,
                            schedule=schedule, hparams=hparams)


class IncompatibleCheckpointError(RuntimeError):
    """model_dir holds a checkpoint of a different model; nothing in it was changed."""


def expected_variables(hparams: HParams | None = None) -> dict[str, list[int]]:
    """The model's variables and shapes, as a checkpoint of it holds them."""
    with tf.Graph().as_default():
        features = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
        labels = tf.compat.v1.placeholder(tf.int32, [None])
        model_fn(features, labels, tf.estimator.ModeKeys.TRAIN, hparams or default_hparams())
        return {v.op.name: v.shape.as_list() for v in tf.compat.v1.global_variables()}


def check_checkpoint_compatible(model_dir, hparams: HParams | None = None) -> int | None:
    """Return the global step of the latest checkpoint in ``model_dir`` (None if there is none), or raise
    :class:`IncompatibleCheckpointError` if it was written by a different model. Reads only; deletes nothing."""
    checkpoint = tf.train.latest_checkpoint(str(model_dir))
    if checkpoint is None:
        return None
    found = dict(tf.train.list_variables(checkpoint))
    expected = expected_variables(hparams)
    problems = []
    for name, shape in expected.items():
        if name not in found:
            problems.append(f"{name} is missing")
        elif list(found[name]) != shape:
            problems.append(f"{name} has shape {list(found[name])} there, {shape} in this model")
    extra = sorted(n for n in found if n not in expected)
    if extra:
        more = " ..." if len(extra) > 4 else ""
        problems.append(f"it has variables this model does not: {', '.join(extra[:4])}{more}")
    if problems:
        raise IncompatibleCheckpointError(
            f"{model_dir} holds a checkpoint of a different model ({checkpoint}): " + "; ".join(problems[:4])
            + ". Train into a new model directory (--model_dir), or move this one away yourself; nothing in it "
            "was changed."
        )
    return int(tf.train.load_variable(checkpoint, "global_step"))


def load_or_train(model_dir, mnist, hparams: HParams | None = None, seed: int = 42, progress: bool = True):
    """An Estimator restored from ``model_dir``, trained there first (the post's experiment) if it has no checkpoint.

    Returns ``(estimator, global_step, trained_now)``.
    """
    hparams = hparams or default_hparams()
    step = check_checkpoint_compatible(model_dir, hparams)
    trained_now = step is None
    if trained_now:
        run_experiment(mnist, model_dir, hparams, seed=seed, progress=progress)
        step = check_checkpoint_compatible(model_dir, hparams)
    return restore_estimator(model_dir, hparams, seed), step, trained_now


def restore_estimator(model_dir, hparams: HParams | None = None, seed: int = 42):
    """The post's Estimator on ``model_dir``: predict/evaluate/export restore its latest checkpoint."""
    config = tf.estimator.RunConfig(model_dir=str(model_dir), tf_random_seed=seed)
    return tf.estimator.Estimator(model_fn=model_fn, params=hparams or default_hparams(), config=config)
