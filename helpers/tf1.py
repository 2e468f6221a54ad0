"""Run TF 1.x Estimator code on TensorFlow 2.15 by changing only its imports.

    import tensorflow as tf                         ->  import helpers.tf1 as tf
    from tensorflow.contrib.learn import learn_runner   ->  from helpers.tf1.contrib.learn import learn_runner
    from tensorflow.contrib import slim             ->  from helpers.tf1.contrib import slim
    from tensorflow.examples.tutorials.mnist import input_data
                                                    ->  from helpers.tf1 import mnist_input_data as input_data

``helpers.tf1`` is ``tf.compat.v1`` (placeholders, sessions, ``tf.train``, ``tf.losses``, ``tf.app.flags`` ...)
plus a ``contrib`` namespace holding the pieces of ``tf.contrib`` that Estimator code of 2017 used:
``learn.Experiment``, ``learn.learn_runner`` (``run``, ``tune``), ``learn.RunConfig``, ``learn.ModeKeys``,
``training.HParams``, ``data.Dataset``, ``framework.get_global_step``, ``layers.optimize_loss``,
``layers.xavier_initializer`` and ``slim``. Everything else of ``tf.contrib`` is gone; asking for it raises an error
that says so.

Taught in ``notebooks/03_experiment_and_tensorboard.ipynb`` (porting section).
"""

from __future__ import annotations

import os
import sys
import types

# TF 2.15's C++ core prints CUDA-plugin errors at import on a machine without a GPU; drop them (only if
# TensorFlow is not imported yet). Python-level logging stays as the ported code sets it (tf.logging).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as _tf  # noqa: E402
import tf_slim as _slim  # noqa: E402

from helpers import learn_runner as _learn_runner  # noqa: E402
from helpers.experiment import Experiment as _Experiment  # noqa: E402
from helpers.hparams import HParams as _HParams  # noqa: E402

_v1 = _tf.compat.v1


def __getattr__(name):  # everything not defined here is tf.compat.v1's
    try:
        return getattr(_v1, name)
    except AttributeError:
        raise AttributeError(f"module 'helpers.tf1' (tf.compat.v1) has no attribute {name!r}") from None


class _Namespace(types.ModuleType):
    """A module whose missing attributes raise an error naming what is gone from tf.contrib."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"tf.{self.__name__.split('helpers.tf1.', 1)[-1]}.{name} is not available: tf.contrib was removed in "
            "TensorFlow 2.0 and helpers.tf1 re-creates only the pieces Estimator code commonly used"
        )


def _module(name: str, **attrs) -> types.ModuleType:
    mod = _Namespace(f"{__name__}.{name}")
    mod.__dict__.update(attrs)
    sys.modules[mod.__name__] = mod  # so `from helpers.tf1.contrib.learn import learn_runner` works
    return mod


class ModeKeys:
    """tf.contrib.learn.ModeKeys: INFER is tf.estimator.ModeKeys.PREDICT."""

    TRAIN = _tf.estimator.ModeKeys.TRAIN
    EVAL = _tf.estimator.ModeKeys.EVAL
    INFER = PREDICT = _tf.estimator.ModeKeys.PREDICT


#: tf.contrib.layers.OPTIMIZER_CLS_NAMES: the optimizers optimize_loss knows by name.
OPTIMIZER_CLS_NAMES = {"Adagrad": _v1.train.AdagradOptimizer, "Adam": _v1.train.AdamOptimizer,
                       "Ftrl": _v1.train.FtrlOptimizer,
                       "Momentum": lambda learning_rate: _v1.train.MomentumOptimizer(learning_rate, momentum=0.9),
                       "RMSProp": _v1.train.RMSPropOptimizer, "SGD": _v1.train.GradientDescentOptimizer}

#: tf.contrib.layers.OPTIMIZER_SUMMARIES: the values optimize_loss's ``summaries`` may hold.
OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm", "global_gradient_norm"]


def _with_dependencies(dependencies, output_tensor):
    """TF 1.x's control_flow_ops.with_dependencies: ``output_tensor``, as an identity that runs ``dependencies``
    first (named ``control_dependency``, ``control_dependency_1``, ... in the current scope)."""
    with _v1.name_scope(None, "control_dependency", list(dependencies) + [output_tensor]) as name:
        with output_tensor.graph.colocate_with(output_tensor.op), _v1.control_dependencies(dependencies):
            return _tf.identity(output_tensor, name=name)


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None, gradient_multipliers=None,
                  clip_gradients=None, learning_rate_decay_fn=None, update_ops=None, variables=None, name=None,
                  summaries=None, colocate_gradients_with_ops=False, increment_global_step=True):
    """tf.contrib.layers.optimize_loss of TF 1.x (tensorflow/contrib/layers/python/layers/optimizers.py, r1.x),
    with its arguments, checks and behaviour:

    - a float ``learning_rate`` becomes a non-trainable variable ``<name>/learning_rate``
      (``OptimizeLoss/learning_rate`` by default), which checkpoints then hold; a scalar ``Tensor`` is used as it is;
    - ``summaries=None`` means ``["loss", "learning_rate", "global_gradient_norm"]``: scalars ``<name>/loss`` and
      ``<name>/global_norm/gradient_norm`` (and ``<name>/global_norm/clipped_gradient_norm`` when clipping). The
      ``learning_rate`` scalar is written only when a ``learning_rate_decay_fn`` is given (its tag is then
      ``OptimizeLoss/learning_rate_1`` when the variable took the name ``OptimizeLoss/learning_rate``, as in TF 1.x);
    - the ``UPDATE_OPS`` collection (or ``update_ops``) runs before the loss is computed;
    - it returns the **loss** tensor, with the gradient update as a control dependency (running it takes one step and
      returns the loss), not the ``apply_gradients`` op.
    """
    loss = _v1.convert_to_tensor(loss)
    if loss.shape.ndims != 0:
        raise ValueError(f"Expected scalar shape for {loss.name}, saw shape: {loss.shape}.")
    if global_step is None:
        global_step = _v1.train.get_global_step()
    else:
        _v1.train.assert_global_step(global_step)
    with _v1.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        # Update ops take the UPDATE_OPS collection if not provided; they run before the loss is computed.
        if update_ops is None:
            update_ops = set(_v1.get_collection(_v1.GraphKeys.UPDATE_OPS))
        if update_ops:
            loss = _with_dependencies(list(update_ops), loss)

        # Learning rate variable, with possible decay.
        lr = None
        if learning_rate is not None:
            if isinstance(learning_rate, _tf.Tensor) and learning_rate.shape.ndims == 0:
                lr = learning_rate
            elif isinstance(learning_rate, float):
                if learning_rate < 0.0:
                    raise ValueError(f"Invalid learning_rate {learning_rate}.")
                lr = _v1.get_variable("learning_rate", [], trainable=False,
                                      initializer=_v1.constant_initializer(learning_rate))
            else:
                raise ValueError(f"Learning rate should be 0d Tensor or float. Got {learning_rate} of type "
                                 f"{type(learning_rate)}")
        if summaries is None:
            summaries = ["loss", "learning_rate", "global_gradient_norm"]
        else:
            for summ in summaries:
                if summ not in OPTIMIZER_SUMMARIES:
                    raise ValueError(f"Summaries should be one of [{', '.join(OPTIMIZER_SUMMARIES)}], you provided "
                                     f"{summ}.")
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                _v1.summary.scalar("learning_rate", lr)

        # Create the optimizer.
        if isinstance(optimizer, str):
            if lr is None:
                raise ValueError("Learning rate is None, but should be specified if optimizer is string "
                                 f"({optimizer}).")
            if optimizer not in OPTIMIZER_CLS_NAMES:
                raise ValueError(f"Optimizer name should be one of [{', '.join(OPTIMIZER_CLS_NAMES)}], you provided "
                                 f"{optimizer}.")
            opt = OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
        elif isinstance(optimizer, type) and issubclass(optimizer, _v1.train.Optimizer):
            if lr is None:
                raise ValueError(f"Learning rate is None, but should be specified if optimizer is class ({optimizer}).")
            opt = optimizer(learning_rate=lr)
        elif isinstance(optimizer, _v1.train.Optimizer):
            opt = optimizer
        elif callable(optimizer):
            opt = optimizer(lr) if learning_rate is not None else optimizer()
            if not isinstance(opt, _v1.train.Optimizer):
                raise ValueError(f"Unrecognized optimizer: function should return subclass of Optimizer. Got {opt}.")
        else:
            raise ValueError("Unrecognized optimizer: should be string, subclass of Optimizer, instance of subclass "
                             f"of Optimizer or function with one argument. Got {optimizer}.")

        if variables is None:
            variables = _v1.trainable_variables()
        gradients = opt.compute_gradients(loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_noise_scale is not None:
            gradients = _add_scaled_noise_to_gradients(gradients, gradient_noise_scale)
        if gradient_multipliers is not None:
            gradients = _multiply_gradients(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError("Empty list of (gradient, var) pairs encountered. This is most likely to be caused "
                                 "by an improper value of gradient_multipliers.")

        if "global_gradient_norm" in summaries or "gradient_norm" in summaries:
            _v1.summary.scalar("global_norm/gradient_norm", _v1.global_norm([g for g, _ in gradients]))

        # Optionally clip gradients by global norm (a float, as in TF 1.x: an int is refused), or by a callable.
        if isinstance(clip_gradients, float):
            grads, tvars = zip(*gradients, strict=True)
            grads, _ = _v1.clip_by_global_norm(grads, clip_gradients)
            gradients = list(zip(grads, tvars, strict=True))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(f"Unknown type {type(clip_gradients)} for clip_gradients")

        if "loss" in summaries:
            _v1.summary.scalar("loss", loss)

        # Histograms of the gradients and their norms, per variable.
        for gradient, variable in gradients:
            grad_values = gradient.values if isinstance(gradient, _tf.IndexedSlices) else gradient
            if grad_values is not None:
                var_name = variable.name.replace(":", "_")
                if "gradients" in summaries:
                    _v1.summary.histogram(f"gradients/{var_name}", grad_values)
                if "gradient_norm" in summaries:
                    _v1.summary.scalar(f"gradient_norm/{var_name}", _v1.global_norm([grad_values]))

        if clip_gradients is not None and ("global_gradient_norm" in summaries or "gradient_norm" in summaries):
            _v1.summary.scalar("global_norm/clipped_gradient_norm", _v1.global_norm([g for g, _ in gradients]))

        grad_updates = opt.apply_gradients(gradients, global_step=global_step if increment_global_step else None,
                                           name="train")
        # The result is the loss, which runs the update first: TF 1.x's train_tensor.
        return _with_dependencies([grad_updates], loss)


def _add_scaled_noise_to_gradients(grads_and_vars, gradient_noise_scale):
    """Adds scaled noise from a 0-mean (truncated) normal distribution to the gradients."""
    noisy = []
    for gradient, variable in grads_and_vars:
        if gradient is None:
            noisy.append((None, variable))
            continue
        shape = gradient.dense_shape if isinstance(gradient, _tf.IndexedSlices) else gradient.shape
        noisy.append((gradient + _v1.truncated_normal(shape) * gradient_noise_scale, variable))
    return noisy


def _multiply_gradients(grads_and_vars, gradient_multipliers):
    """Multiplies the gradients of the variables (or variable names) in ``gradient_multipliers``."""
    multiplied = []
    for grad, var in grads_and_vars:
        if grad is not None and (var in gradient_multipliers or var.name in gradient_multipliers):
            key = var if var in gradient_multipliers else var.name
            multiplier = _tf.constant(gradient_multipliers[key], dtype=_tf.float32)
            if isinstance(grad, _tf.IndexedSlices):
                grad = _tf.IndexedSlices(grad.values * multiplier, grad.indices, grad.dense_shape)
            else:
                grad *= multiplier
        multiplied.append((grad, var))
    return multiplied


def _read_data_sets(train_dir=None, one_hot=False, dtype=_tf.float32, reshape=True, validation_size=5000,
                    seed=None, source_url=None):
    """tensorflow.examples.tutorials.mnist.input_data.read_data_sets on helpers.data.load_mnist.

    Uses the IDX files in ``train_dir`` (downloading them there if possible), else the bundled sample - it
    says which. With the 4,000-image sample, ``validation_size`` is scaled down in proportion (5000/55000).
    """
    from helpers.data import load_mnist

    data = load_mnist("auto", train_dir)
    train_x, train_y = data.train_images, data.train_labels
    if data.source == "sample" and validation_size:
        validation_size = int(round(len(train_x) * validation_size / 60000))
        print(f"read_data_sets: validation_size scaled to {validation_size} for the bundled sample")
    if not 0 <= validation_size <= len(train_x):
        raise ValueError(f"Validation size should be between 0 and {len(train_x)}. Received: {validation_size}.")

    def dataset(x, y):
        images = x.reshape(len(x), -1) if reshape else x
        if dtype == _tf.uint8:
            images = np.round(images * 255).astype(np.uint8)
        labels = np.eye(10, dtype=np.float64)[y] if one_hot else y.astype(np.uint8)
        return types.SimpleNamespace(images=images, labels=labels, num_examples=len(x))

    return types.SimpleNamespace(train=dataset(train_x[validation_size:], train_y[validation_size:]),
                                 validation=dataset(train_x[:validation_size], train_y[:validation_size]),
                                 test=dataset(data.test_images, data.test_labels))


mnist_input_data = _module("mnist_input_data", read_data_sets=_read_data_sets)
contrib = _module(
    "contrib",
    learn=_module("contrib.learn", Experiment=_Experiment, RunConfig=_tf.estimator.RunConfig, ModeKeys=ModeKeys,
                  learn_runner=_learn_runner),
    training=_module("contrib.training", HParams=_HParams),
    data=_module("contrib.data", Dataset=_v1.data.Dataset),
    framework=_module("contrib.framework", get_global_step=_v1.train.get_global_step,
                      get_or_create_global_step=_v1.train.get_or_create_global_step),
    layers=_module("contrib.layers", optimize_loss=optimize_loss,
                   xavier_initializer=_v1.glorot_uniform_initializer),
    slim=_slim,
)
sys.modules[f"{__name__}.contrib.slim"] = _slim
