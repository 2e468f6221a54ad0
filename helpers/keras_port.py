"""What the Estimator became: the post's network in Keras, run as an Estimator by the same Experiment
(``model_to_estimator``) and trained by plain Keras (``model.fit``) on the same input - and a throughput meter that
times both the same way.

Taught in ``notebooks/07_canned_estimators_and_keras.ipynb`` (optional, going further than the post).
"""

from __future__ import annotations

import inspect
import io
import textwrap
import time
import tokenize
import warnings

import numpy as np
import tensorflow as tf

from helpers.experiment import Experiment
from helpers.inputs import POST_SHUFFLE_BUFFER, _check_arrays, get_eval_inputs, get_train_inputs

# model_to_estimator builds the Keras model in a TF 1 graph through Keras' own graph-mode training code
# (keras/src/engine/training_v1.py), which warns about a property of its own on every training graph it builds:
# "`Model.state_updates` will be removed in a future version". It is not about the learner's code.
warnings.filterwarnings("ignore", message=r"`Model\.state_updates` will be removed", category=UserWarning)

#: The feature name the Estimators of notebook 07 read: feature columns, the Keras ``Input`` and the SavedModel use it.
FEATURE = "images"


def keras_network(dropout_rate: float = 0.5, name: str = "MnistConvNet") -> tf.keras.Sequential:
    """The post's network (``helpers.model.architecture``) in Keras, layer for layer and with the same names:
    conv 5x5 (20) -> max-pool -> conv 5x5 (40) -> max-pool -> flatten to 640 -> fn5 (256) -> dropout -> fn6 (256)
    -> dropout -> 10 logits; 253,018 parameters, Glorot-uniform weights and zero biases (Keras' defaults, tf-slim's
    with the post's initializer). Dropout is on only when the model is called with ``training=True`` (``fit``)."""
    layers = tf.keras.layers
    return tf.keras.Sequential([
        tf.keras.Input(shape=(28, 28, 1), name=FEATURE),
        layers.Conv2D(20, 5, activation="relu", name="conv1"),        # 24x24x20
        layers.MaxPooling2D(2, name="pool2"),                         # 12x12x20
        layers.Conv2D(40, 5, activation="relu", name="conv3"),        # 8x8x40
        layers.MaxPooling2D(2, name="pool4"),                         # 4x4x40
        layers.Flatten(name="flatten"),                               # 640
        layers.Dense(256, activation="relu", name="fn5"),             # 256
        layers.Dropout(dropout_rate, name="dropout5"),
        layers.Dense(256, activation="relu", name="fn6"),             # 256
        layers.Dropout(dropout_rate, name="dropout6"),
        layers.Dense(10, name="output"),                              # 10 logits
    ], name=name)


def compile_network(model, learning_rate: float, legacy_optimizer: bool = False):
    """Compile ``model`` as the post's ``model_fn`` trains it: Adam at ``learning_rate`` on the mean sparse softmax
    cross-entropy of the logits, with accuracy as the metric. ``legacy_optimizer=True`` uses
    ``tf.keras.optimizers.legacy.Adam``, the optimizer ``model_to_estimator`` needs (Keras 2.11+'s new optimizers do not
    work in the TF 1 graph an Estimator builds; given one, it converts it itself and logs a warning). Returns the
    model."""
    adam = tf.keras.optimizers.legacy.Adam if legacy_optimizer else tf.keras.optimizers.Adam
    model.compile(optimizer=adam(learning_rate=learning_rate),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def features_dict(input_fn, key: str = FEATURE):
    """Wrap an ``input_fn`` that returns ``(images, labels)`` so that it returns ``({key: images}, labels)``.

    Canned estimators find their input by feature-column name, so they need a dict; the post's ``model_fn``
    (it reads ``features["images"]`` from a dict) and a Keras model whose ``Input`` is named ``key`` take it too."""

    def keyed_input_fn():
        images, labels = input_fn()
        return {key: images}, labels

    return keyed_input_fn


def make_experiment_fn(mnist, build_estimator, train_hooks=(), eval_batch_size: int = 500):
    """The post's ``experiment_fn`` (notebook 03, ``helpers.train``) for *any* Estimator:
    ``build_estimator(run_config, hparams)`` returns it - the post's ``model_fn`` in ``tf.estimator.Estimator``, a
    canned ``DNNClassifier``, or ``model_to_estimator`` of a Keras model. The inputs are the post's (placeholders,
    initializable iterator, hook), their images under the feature name ``"images"``; ``train_hooks`` are added to
    the Experiment's ``train_monitors``."""

    def experiment_fn(run_config, hparams):
        # Checkpoint as often as we want to evaluate: an Experiment evaluates new checkpoints only.
        run_config = run_config.replace(save_checkpoints_steps=hparams.min_eval_frequency)
        estimator = build_estimator(run_config, hparams)
        train_input_fn, train_input_hook = get_train_inputs(hparams.batch_size, mnist, seed=run_config.tf_random_seed)
        eval_input_fn, eval_input_hook = get_eval_inputs(eval_batch_size, mnist)
        return Experiment(
            estimator=estimator,
            train_input_fn=features_dict(train_input_fn),
            eval_input_fn=features_dict(eval_input_fn),
            train_steps=hparams.train_steps,
            min_eval_frequency=hparams.min_eval_frequency,
            train_monitors=[train_input_hook, *train_hooks],
            eval_hooks=[eval_input_hook],
            eval_steps=None,  # the whole test split each time
        )

    return experiment_fn


def train_dataset(mnist, batch_size: int, seed: int | None = None) -> tf.data.Dataset:
    """The post's training input for ``model.fit``: the same pipeline as ``helpers.inputs.get_train_inputs`` -
    ``repeat(None)``, then ``shuffle(10000)``, then ``batch`` - built from the arrays directly. Keras runs eagerly, so
    there are no placeholders, no initializable iterator and no hook: ``fit`` makes the iterator itself (and the
    arrays are held once, in memory, not in a GraphDef)."""
    images, labels = _check_arrays(mnist.train_images, mnist.train_labels)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).repeat(None)
    return dataset.shuffle(buffer_size=POST_SHUFFLE_BUFFER, seed=seed).batch(batch_size)


def eval_dataset(mnist, batch_size: int = 500) -> tf.data.Dataset:
    """The post's evaluation input for ``model.evaluate``: the test split once, in order."""
    images, labels = _check_arrays(mnist.test_images, mnist.test_labels)
    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(batch_size)


# --- training throughput, timed the same way in a SessionRunHook and in a Keras Callback ------------------------

class ExamplesPerSecond:
    """Examples per second over training steps, after ``warmup_steps`` (graph building, tracing, the first batches).

    ``step_done()`` is called at the end of every training step; the rate is the examples of the steps after the
    warm-up divided by the time from the end of the last warm-up step to the end of the last step. The idea of
    TF 1.x's ``StepCounterHook`` and of the ``ExamplesPerSecondHook`` / ``TimeHistory`` callback of TensorFlow's
    official models, in one class for both APIs."""

    def __init__(self, batch_size: int, warmup_steps: int = 10, clock=time.perf_counter):
        if batch_size < 1 or warmup_steps < 1:
            raise ValueError(f"batch_size and warmup_steps must be at least 1, got {batch_size} and {warmup_steps}")
        self.batch_size, self.warmup_steps, self._clock = batch_size, warmup_steps, clock
        self.reset()

    def reset(self) -> None:
        self.steps, self._start, self._end = 0, None, None

    def step_done(self) -> None:
        now = self._clock()
        self.steps += 1
        if self.steps == self.warmup_steps:
            self._start = now
        elif self.steps > self.warmup_steps:
            self._end = now

    @property
    def timed_steps(self) -> int:
        return max(0, self.steps - self.warmup_steps)

    @property
    def seconds(self) -> float:
        return 0.0 if self._end is None else self._end - self._start

    @property
    def examples_per_sec(self) -> float:
        """The rate; NaN until at least one step after the warm-up was timed."""
        return self.timed_steps * self.batch_size / self.seconds if self.seconds > 0 else float("nan")


class ExamplesPerSecondHook(ExamplesPerSecond, tf.compat.v1.train.SessionRunHook):
    """:class:`ExamplesPerSecond` for an Estimator: a ``SessionRunHook`` whose ``after_run`` ends a step."""

    def begin(self):
        self.reset()

    def after_run(self, run_context, run_values):
        self.step_done()


class ExamplesPerSecondCallback(ExamplesPerSecond, tf.keras.callbacks.Callback):
    """:class:`ExamplesPerSecond` for ``model.fit``: a Keras ``Callback`` whose ``on_train_batch_end`` ends a step.

    ``_supports_tf_logs``: it reads no logs, so Keras need not copy the batch's loss and metrics to numpy after every
    step for it - which would make ``fit`` wait for each step and slow it down a little."""

    _supports_tf_logs = True

    def __init__(self, batch_size: int, warmup_steps: int = 10, clock=time.perf_counter):
        tf.keras.callbacks.Callback.__init__(self)
        ExamplesPerSecond.__init__(self, batch_size, warmup_steps, clock)

    def on_train_begin(self, logs=None):
        self.reset()

    def on_train_batch_end(self, batch, logs=None):
        self.step_done()


# --- comparing the two ----------------------------------------------------------------------------------------

def code_lines(*objects) -> int:
    """Lines of code of functions or classes, counted as a reader sees them: without blank lines, comments and
    docstrings (a string standing alone as a statement)."""
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
               tokenize.ENCODING, tokenize.ENDMARKER)
    statement_start = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    total = 0
    for obj in objects:
        source = textwrap.dedent(inspect.getsource(obj))
        lines, previous = set(), tokenize.NEWLINE
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in skipped:
                if token.type in statement_start:
                    previous = token.type
                continue
            if not (token.type == tokenize.STRING and previous in statement_start):
                lines.update(range(token.start[0], token.end[0] + 1))
            previous = token.type
        total += len(lines)
    return total


def load_estimator_weights(model, model_dir) -> None:
    """Set the weights of :func:`keras_network` ``model`` from the latest checkpoint of the post's ``model_fn`` in
    ``model_dir``: the same layers under the same names, so ``MnistConvNet/fn5/weights`` is ``fn5``'s kernel and
    ``MnistConvNet/fn5/biases`` its bias. Raises ``ValueError`` naming a variable that is missing or has another
    shape."""
    checkpoint = tf.train.latest_checkpoint(str(model_dir))
    if checkpoint is None:
        raise ValueError(f"no checkpoint in {model_dir}: train the Estimator first")
    reader = tf.train.load_checkpoint(checkpoint)
    shapes = reader.get_variable_to_shape_map()
    for layer in model.layers:
        if not layer.weights:
            continue
        values = []
        for weight, suffix in zip(layer.weights, ("weights", "biases"), strict=True):
            name = f"MnistConvNet/{layer.name}/{suffix}"
            if name not in shapes or list(shapes[name]) != weight.shape.as_list():
                raise ValueError(f"{checkpoint}: {name} is {'missing' if name not in shapes else shapes[name]}, "
                                 f"Keras layer {layer.name!r} needs {weight.shape.as_list()}")
            values.append(reader.get_tensor(name))
        layer.set_weights(values)


def parameter_count(model) -> int:
    """Trainable parameters of a Keras model."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
