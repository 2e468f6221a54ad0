"""Leaving TensorFlow 2.15: the Estimator's checkpoint of the post's network becomes a Keras 3 model that trains on.

Taught in ``notebooks/09_leaving_tf215.ipynb`` (optional, going further), which runs in the second environment
(environment-tf221.yml: TensorFlow 2.21, Keras 3). Nothing here imports ``tf.estimator`` or tf-slim: it reads what
2.15 left on disk.

- :func:`keras_network`: the post's network in Keras 3, with the post's layer names (as ``helpers.keras_port`` does
  for Keras 2 in 2.15);
- :data:`LAYERS` and :func:`checkpoint_names`: which name-based checkpoint variable goes where - the layer
  ``MnistConvNet/fn5/weights`` is ``fn5``'s kernel, ``.../Adam`` and ``.../Adam_1`` are TF 1 Adam's first and
  second moments of it (Keras 3's *momentum* and *velocity*), ``global_step`` is Keras 3's ``iterations``;
- :func:`load_estimator_checkpoint`: all of it copied into a model and a built Keras 3 ``Adam``;
- :func:`train_steps`: a plain training loop that records the loss, to show that training resumes where the
  Estimator stopped; :func:`check_checkpoint_mapping`: the checker of notebook 09's exercise.
"""

from __future__ import annotations

import os
import sys


def _import_quietly() -> None:
    """Import TensorFlow and Keras with the process's stderr closed: TensorFlow 2.21 logs its oneDNN and CUDA
    notices through absl before any log level is read, so TF_CPP_MIN_LOG_LEVEL (helpers.notebook.setup) no longer
    keeps them out of a notebook."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as helpers.notebook.setup: the later C++ logs (cuInit)
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

#: The post's layers that hold variables, in order, by their scope under ``MnistConvNet/`` (helpers.model.LAYERS).
LAYERS = ("conv1", "conv3", "fn5", "fn6", "output")
#: TF 1.x AdamOptimizer's defaults (tf.compat.v1.train.AdamOptimizer): Keras 3's epsilon is 1e-7, TF 1's 1e-8.
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-8


def keras_network(dropout_rate: float = 0.5) -> keras.Sequential:
    """The post's network in Keras 3, layer for layer and with the post's scope names as layer names (253,018
    parameters). ``tf.reshape(net, [-1, 640])`` of the post is ``Flatten`` here: both read the 4x4x40 maps in the
    same (height, width, channel) order, so ``fn5``'s kernel needs no reordering."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1), name="images"),
        layers.Conv2D(20, 5, activation="relu", name="conv1"),        # 24x24x20
        layers.MaxPooling2D(2, name="pool2"),                         # 12x12x20
        layers.Conv2D(40, 5, activation="relu", name="conv3"),        # 8x8x40
        layers.MaxPooling2D(2, name="pool4"),                         # 4x4x40
        layers.Flatten(name="flatten"),                               # 640
        layers.Dense(256, activation="relu", name="fn5"),
        layers.Dropout(dropout_rate, name="dropout5"),
        layers.Dense(256, activation="relu", name="fn6"),
        layers.Dropout(dropout_rate, name="dropout6"),
        layers.Dense(10, name="output"),                              # 10 logits
    ], name="MnistConvNet")


def make_adam(learning_rate: float, model=None) -> keras.optimizers.Adam:
    """Keras 3's Adam with TF 1 AdamOptimizer's hyper-parameters (epsilon 1e-8, not Keras' 1e-7); built on
    ``model``'s trainable variables when given, so its momentums and velocities exist."""
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate, beta_1=BETA_1, beta_2=BETA_2, epsilon=EPSILON)
    if model is not None:
        optimizer.build(model.trainable_variables)
    return optimizer


def adam_slots(optimizer, variable):
    """Keras 3 Adam's (momentum, velocity) of ``variable``: TF 1's ``<name>/Adam`` and ``<name>/Adam_1``."""
    index = optimizer._get_variable_index(variable)
    return optimizer._momentums[index], optimizer._velocities[index]


def checkpoint_names(layer: str) -> dict:
    """The checkpoint names of one post layer's variables and of TF 1 Adam's slots of them."""
    return {"kernel": f"MnistConvNet/{layer}/weights", "bias": f"MnistConvNet/{layer}/biases"}


def load_estimator_checkpoint(model, optimizer, reader) -> int:
    """Copy the Estimator's name-based checkpoint (``tf.train.load_checkpoint``) into ``model`` and its built
    Keras 3 Adam ``optimizer``: each layer's kernel and bias, Adam's two moments of each, and the step. Returns the
    step. The reference solution of notebook 09's exercise."""
    for layer in LAYERS:
        keras_layer = model.get_layer(layer)
        for attribute, name in checkpoint_names(layer).items():
            variable = getattr(keras_layer, attribute)
            variable.assign(reader.get_tensor(name))
            momentum, velocity = adam_slots(optimizer, variable)
            momentum.assign(reader.get_tensor(name + "/Adam"))
            velocity.assign(reader.get_tensor(name + "/Adam_1"))
    step = int(reader.get_tensor("global_step"))
    optimizer.iterations.assign(step)
    return step


def check_bias_correction(reader, step: int) -> None:
    """TF 1 Adam kept beta1_power = beta_1 ** (step + 1) (and beta2_power likewise) as variables; Keras 3 computes
    the same powers from ``iterations + 1``. Raise if the checkpoint disagrees (another optimizer, other betas)."""
    for name, beta in (("beta1_power", BETA_1), ("beta2_power", BETA_2)):
        stored, computed = float(reader.get_tensor(name)), beta ** (step + 1)
        if not np.isclose(stored, computed, rtol=1e-4, atol=0):
            raise ValueError(f"{name} is {stored:g} in the checkpoint; beta ** (global_step + 1) is {computed:g}")


def restore(model_dir, learning_rate: float, dropout_rate: float = 0.5, adam_state: bool = True):
    """A Keras 3 model and Adam from the latest checkpoint in ``model_dir``: (model, optimizer, step).
    ``adam_state=False`` copies the weights only, and Adam starts from zero (step 0)."""
    reader = tf.train.load_checkpoint(str(model_dir))
    model = keras_network(dropout_rate)
    optimizer = make_adam(learning_rate, model)
    step = load_estimator_checkpoint(model, optimizer, reader)
    check_bias_correction(reader, step)
    if not adam_state:
        optimizer = make_adam(learning_rate, model)
        step = 0
    return model, optimizer, step


def batches(images, labels, batch_size: int = 128, seed: int = 0):
    """Endless shuffled batches (numpy), the same ones for every call with the same seed."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            yield images[index], labels[index]


def loss_on(model, images, labels) -> float:
    """Mean sparse softmax cross-entropy of the logits, dropout off (the post's loss)."""
    logits = model(images, training=False)
    return float(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True).numpy().mean())


def train_steps(model, optimizer, images, labels, steps: int, monitor=None, batch_size: int = 128, seed: int = 0):
    """Train ``steps`` steps of Adam on the post's loss; after each step record the loss on ``monitor``
    ((images, labels), dropout off) when given, else the batch's loss. Returns the losses, the first one before
    any step."""
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables,
                                      strict=True))
        return loss

    data = batches(images, labels, batch_size, seed)
    losses = [loss_on(model, *monitor)] if monitor is not None else []
    for _ in range(steps):
        x, y = next(data)
        batch_loss = float(step(tf.constant(x), tf.constant(y)))
        losses.append(loss_on(model, *monitor) if monitor is not None else batch_loss)
    return np.array(losses)


def accuracy(model, images, labels) -> float:
    return float((np.argmax(model.predict(images, verbose=0, batch_size=500), axis=-1) == labels).mean())


# --- notebook 09's exercise: the checkpoint-to-Keras mapping, graded by equivalence -------------------------------

def check_checkpoint_mapping(attempt, model_dir, expected_probabilities, images, tolerance: float = 1e-5) -> None:
    """Run the learner's ``attempt(model, optimizer, reader)`` on a fresh Keras 3 model and Adam, then require
    the model's probabilities on ``images`` to equal the Estimator's (``expected_probabilities``, written by
    TensorFlow 2.15) within ``tolerance``, and Adam's moments and step to be the Estimator's. A wrong try gets a
    hint that names the mistake: a transposed kernel, a missing bias, a wrong layer order, Adam's slots swapped."""
    from helpers.exercises import Hint, expect

    reader = tf.train.load_checkpoint(str(model_dir))
    model = keras_network()
    optimizer = make_adam(0.001, model)
    attempt(model, optimizer, reader)
    probabilities = keras.ops.softmax(model(images, training=False)).numpy()
    if not np.allclose(probabilities, expected_probabilities, atol=tolerance, rtol=0):
        expect(False, _weights_mistake(model, reader))
    for layer in LAYERS:
        for attribute, name in checkpoint_names(layer).items():
            momentum, velocity = adam_slots(optimizer, getattr(model.get_layer(layer), attribute))
            first, second = reader.get_tensor(name + "/Adam"), reader.get_tensor(name + "/Adam_1")
            if np.allclose(momentum.numpy(), second) and np.allclose(velocity.numpy(), first):
                raise Hint(f"Adam's slots are swapped ({name}): '/Adam' is the first moment, Keras 3's momentum; "
                           "'/Adam_1' the second, the velocity.")
            expect(np.allclose(momentum.numpy(), first) and np.allclose(velocity.numpy(), second),
                   f"the weights are right, Adam's state is not: {layer}'s {attribute} needs its momentum from "
                   f"'{name}/Adam' and its velocity from '{name}/Adam_1' (adam_slots(optimizer, variable)).")
    step = int(reader.get_tensor("global_step"))
    expect(int(optimizer.iterations.numpy()) == step,
           f"Adam's step: optimizer.iterations must be the Estimator's global_step ({step}), so that its bias "
           "correction goes on where TF 1's beta1_power and beta2_power left it.")


def _weights_mistake(model, reader) -> str:
    """Name what is wrong with the weights of ``model``, compared with the checkpoint."""
    tensors = {layer: {a: reader.get_tensor(n) for a, n in checkpoint_names(layer).items()} for layer in LAYERS}
    for layer in LAYERS:
        keras_layer = model.get_layer(layer)
        kernel, bias = keras_layer.kernel.numpy(), keras_layer.bias.numpy()
        want = tensors[layer]
        if kernel.shape == want["kernel"].T.shape and np.allclose(kernel, want["kernel"].T) \
                and not np.allclose(kernel, want["kernel"]):
            return (f"{layer}'s kernel is transposed: TF 1's weights are already (inputs, outputs), as Keras' "
                    "kernel - assign them as they are.")
        for attribute, value in (("kernel", kernel), ("bias", bias)):
            for other in LAYERS:
                if other != layer and tensors[other][attribute].shape == value.shape \
                        and np.allclose(value, tensors[other][attribute]) \
                        and not np.allclose(value, want[attribute]):
                    return (f"layer {layer!r} holds {other!r}'s {attribute}: a wrong layer order. Take each layer's "
                            f"variables from its own scope, MnistConvNet/{layer}/...")
        if not np.allclose(kernel, want["kernel"]):
            return (f"{layer}'s kernel differs from MnistConvNet/{layer}/weights: assign "
                    f"reader.get_tensor('MnistConvNet/{layer}/weights') to model.get_layer({layer!r}).kernel.")
        if not np.allclose(bias, want["bias"]):
            return (f"{layer}'s bias is missing or wrong: assign reader.get_tensor('MnistConvNet/{layer}/biases') to "
                    f"model.get_layer({layer!r}).bias (tf-slim's layers had a bias too).")
    return "the predictions differ from the Estimator's, though every kernel and bias matches: check the network."
