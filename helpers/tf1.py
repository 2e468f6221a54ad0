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


_OPTIMIZERS = {"Adagrad": _v1.train.AdagradOptimizer, "Adam": _v1.train.AdamOptimizer,
               "Ftrl": _v1.train.FtrlOptimizer, "RMSProp": _v1.train.RMSPropOptimizer,
               "SGD": _v1.train.GradientDescentOptimizer,
               "Momentum": lambda learning_rate: _v1.train.MomentumOptimizer(learning_rate, momentum=0.9)}


def optimize_loss(loss, global_step, learning_rate, optimizer, clip_gradients=None, learning_rate_decay_fn=None,
                  update_ops=None, variables=None, name=None, summaries=None, increment_global_step=True,
                  **unsupported):
    """tf.contrib.layers.optimize_loss for the common arguments: returns the training op."""
    if unsupported:
        raise TypeError(f"optimize_loss: {', '.join(sorted(unsupported))} not supported by this re-creation")
    global_step = global_step if global_step is not None else _v1.train.get_or_create_global_step()
    with _v1.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        lr = _v1.convert_to_tensor(learning_rate, dtype=_tf.float32) if learning_rate is not None else None
        if learning_rate_decay_fn is not None:
            lr = learning_rate_decay_fn(lr, global_step)
        if isinstance(optimizer, str):
            if optimizer not in _OPTIMIZERS:
                names = ", ".join(_OPTIMIZERS)
                raise ValueError(f"Optimizer name should be one of [{names}], you provided {optimizer}")
            opt = _OPTIMIZERS[optimizer](learning_rate=lr)
        elif isinstance(optimizer, _v1.train.Optimizer):
            opt = optimizer
        elif callable(optimizer):
            opt = optimizer(lr) if lr is not None else optimizer()
        else:
            raise ValueError(f"Unrecognized optimizer: should be a name, an Optimizer or a callable, got {optimizer!r}")
        for summary in summaries if summaries is not None else ("loss", "learning_rate"):
            if summary == "loss":
                _v1.summary.scalar("loss", loss)
            elif summary == "learning_rate" and lr is not None:
                _v1.summary.scalar("learning_rate", lr)
        grads_and_vars = opt.compute_gradients(loss, variables)
        if clip_gradients is not None:
            grads, tvars = zip(*grads_and_vars, strict=True)
            grads, _ = _v1.clip_by_global_norm(grads, clip_gradients)
            grads_and_vars = list(zip(grads, tvars, strict=True))
        update_ops = set(update_ops if update_ops is not None else _v1.get_collection(_v1.GraphKeys.UPDATE_OPS))
        with _v1.control_dependencies(list(update_ops)):
            return opt.apply_gradients(grads_and_vars, global_step=global_step if increment_global_step else None)


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
