"""The exercise checkers in helpers.exercises: wrong attempts get the specific hint, the reference solution passes."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers import exercises  # noqa: E402
from helpers.exercises import Hint, check  # noqa: E402

# --- notebook 04: check_serving_input_receiver_fn -------------------------------------------------------------

@pytest.fixture(scope="module")
def serving_estimator(tmp_path_factory):
    """A briefly trained (3 steps) Estimator of the post's model and a few test images: enough to export."""
    from helpers.data import load_mnist
    from helpers.inputs import get_train_inputs
    from helpers.model import model_fn

    mnist = load_mnist("sample", verbose=False)
    params = {"learning_rate": 0.001, "dropout_rate": 0.5}
    estimator = tf.estimator.Estimator(model_fn, str(tmp_path_factory.mktemp("serving_model")), params=params)
    input_fn, hook = get_train_inputs(32, mnist)
    estimator.train(input_fn, hooks=[hook], max_steps=3)
    return estimator, mnist.test_images[:8]


def _receiver(dtype=tf.float32, shape=(None, 28, 28, 1), features=lambda x: {"images": x},
              receivers=lambda x: {"images": x}):
    def serving_input_receiver_fn():
        x = tf.compat.v1.placeholder(dtype, list(shape))
        return tf.estimator.export.ServingInputReceiver(features(x), receivers(x))
    return serving_input_receiver_fn


def _run_check(attempt, estimator, images, capsys, export=None):
    check("Exercise 1", attempt,
          lambda fn: exercises.check_serving_input_receiver_fn(fn, estimator, images, export=export),
          exercises.SERVING_INPUT_MISTAKES)
    return capsys.readouterr().out


def test_serving_checker_accepts_the_reference_solution_and_an_export_function(serving_estimator, capsys):
    from helpers.inference import serving_input_receiver_fn

    estimator, images = serving_estimator
    assert _run_check(serving_input_receiver_fn, estimator, images, capsys) == "Exercise 1: correct!\n"

    def export_model(estimator, export_dir_base):
        return estimator.export_saved_model(export_dir_base, serving_input_receiver_fn)

    assert _run_check(serving_input_receiver_fn, estimator, images, capsys,
                      export=export_model) == "Exercise 1: correct!\n"


@pytest.mark.parametrize(("attempt", "hint"), [
    (_receiver(shape=(28, 28, 1)), "shape (28, 28, 1); the model takes a batch"),
    (_receiver(shape=(None, 28, 28)), "[None, 28, 28, 1]"),
    (_receiver(shape=(None, 784)), "[None, 28, 28, 1]"),
    (_receiver(shape=(1, 28, 28, 1)), "batch dimension is fixed at 1: use None"),
    (_receiver(dtype=tf.uint8), "placeholder is uint8; the model computes in float32"),
    (_receiver(receivers=lambda x: x, features=lambda x: x), "called ['input']; name it 'images'"),
    (_receiver(features=lambda x: x), "the features are ['feature']; model_fn reads features['images']"),
    (_receiver(features=lambda x: {"images": x / 255.0}), "don't scale them again"),
    (lambda: ({"images": tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])}, None),
     "your function returns a tuple; return tf.estimator.export.ServingInputReceiver"),
    (lambda: tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]), "returns the placeholder itself; wrap it"),
], ids=["no-batch-dim", "no-channel", "flat", "fixed-batch", "uint8", "bare-tensor", "features-not-dict",
        "scaled-twice", "tuple", "tensor"])
def test_serving_checker_hints_the_usual_mistakes(serving_estimator, capsys, attempt, hint):
    estimator, images = serving_estimator
    out = _run_check(attempt, estimator, images, capsys)
    assert out.startswith("Exercise 1: not yet - ") and hint in out, out
    assert "Traceback" not in out


def test_serving_checker_skeleton_is_not_answered_yet(serving_estimator, capsys):
    def serving_input_receiver_fn():
        # TODO: a placeholder, and a ServingInputReceiver
        raise NotImplementedError

    assert "not answered yet" in _run_check(serving_input_receiver_fn, *serving_estimator, capsys)


def test_serving_checker_refuses_an_untrained_estimator_and_a_bad_export(serving_estimator, tmp_path, capsys):
    from helpers.inference import serving_input_receiver_fn
    from helpers.model import model_fn

    estimator, images = serving_estimator
    untrained = tf.estimator.Estimator(model_fn, str(tmp_path / "untrained"), params={"learning_rate": 0.001})
    with pytest.raises(Hint, match="no checkpoint"):
        exercises.check_serving_input_receiver_fn(serving_input_receiver_fn, untrained, images)

    def export_returns_nothing(estimator, export_dir_base):
        estimator.export_saved_model(export_dir_base, serving_input_receiver_fn)

    out = _run_check(serving_input_receiver_fn, estimator, images, capsys, export=export_returns_nothing)
    assert "returns None: return the path" in out

    def export_a_new_estimator(estimator, export_dir_base):  # "exporting before training"
        fresh = tf.estimator.Estimator(model_fn, str(tmp_path / "fresh"), params={"learning_rate": 0.001})
        return fresh.export_saved_model(export_dir_base, serving_input_receiver_fn)

    out = _run_check(serving_input_receiver_fn, estimator, images, capsys, export=export_a_new_estimator)
    assert "Couldn't find trained model" in out and "Hint: export_saved_model exports the latest checkpoint" in out

    def export_into_a_path(estimator, export_dir_base):  # TF 2.15's export_saved_model wants a str
        from pathlib import Path

        return estimator.export_saved_model(Path(export_dir_base), serving_input_receiver_fn)

    out = _run_check(serving_input_receiver_fn, estimator, images, capsys, export=export_into_a_path)
    assert "Hint: export_saved_model takes the folder as a string: str(export_dir_base)" in out, out
    assert np.asarray(images).shape == (8, 28, 28, 1)


# --- notebook 03: check_experiment_fn ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_mnist():
    """512 training and 100 test images of the bundled sample: a few training steps take a second."""
    from helpers.data import Mnist, load_mnist

    full = load_mnist("sample", verbose=False)
    rng = np.random.default_rng(0)
    train, test = rng.permutation(len(full.train_images))[:512], rng.permutation(len(full.test_images))[:100]
    return Mnist(full.train_images[train], full.train_labels[train], full.test_images[test], full.test_labels[test],
                 source="sample", description="a random part of the bundled sample")


def _experiment_fn(mnist, checkpoint=True, save_every=None, new_config=False, train_hook=True, eval_hook=True,
                   swap_hooks=False, eval_steps=None, train_steps=None, return_estimator=False, unpacked=True):
    """The reference experiment_fn, or one with a usual mistake switched on."""
    from helpers.experiment import Experiment
    from helpers.inputs import get_eval_inputs, get_train_inputs
    from helpers.model import model_fn

    def experiment_fn(run_config, hparams):
        if checkpoint:
            run_config = run_config.replace(save_checkpoints_steps=save_every or hparams.min_eval_frequency)
        if new_config:
            run_config = tf.estimator.RunConfig(save_checkpoints_steps=hparams.min_eval_frequency)
        estimator = tf.estimator.Estimator(model_fn=model_fn, params=hparams, config=run_config)
        if return_estimator:
            return estimator
        train_input_fn, train_input_hook = get_train_inputs(hparams.batch_size, mnist, seed=run_config.tf_random_seed)
        eval_input_fn, eval_input_hook = get_eval_inputs(500, mnist)
        if swap_hooks:
            train_input_hook, eval_input_hook = eval_input_hook, train_input_hook
        return Experiment(
            estimator=estimator,
            train_input_fn=train_input_fn if unpacked else get_train_inputs(hparams.batch_size, mnist),
            eval_input_fn=eval_input_fn,
            train_steps=train_steps or hparams.train_steps,
            min_eval_frequency=hparams.min_eval_frequency,
            train_monitors=[train_input_hook] if train_hook else [],
            eval_hooks=[eval_input_hook] if eval_hook else [],
            eval_steps=eval_steps,
        )

    return experiment_fn


def _check_experiment_fn(attempt, model_dir, capsys) -> tuple[bool, str]:
    ok = check("Exercise 1", attempt, lambda fn: exercises.check_experiment_fn(
        fn, model_dir, train_steps=4, min_eval_frequency=2, min_accuracy=0.0), exercises.EXPERIMENT_FN_MISTAKES)
    return ok, capsys.readouterr().out


def test_experiment_fn_checker_accepts_the_reference_solution_twice(tiny_mnist, tmp_path, capsys):
    from helpers.train import make_experiment_fn

    for _ in range(2):  # the second run finds the first one's model_dir and starts afresh
        ok, out = _check_experiment_fn(make_experiment_fn(tiny_mnist, progress=False), tmp_path / "run", capsys)
        assert ok and "Exercise 1: correct!" in out, out
    result = exercises.check_experiment_fn(_experiment_fn(tiny_mnist), tmp_path / "run", train_steps=4,
                                           min_eval_frequency=2, min_accuracy=0.0)
    assert result["global_step"] == 4 and 0.0 <= result["accuracy"] <= 1.0


@pytest.mark.parametrize(("mistake", "hint"), [
    ({"train_hook": False}, "train_monitors has no IteratorInitializerHook"),
    ({"eval_hook": False}, "eval_hooks has no IteratorInitializerHook"),
    ({"eval_steps": 100}, "eval_steps is 100 (the TF 1.x default is 100)"),
    ({"train_steps": 800}, "train_steps is 800, but this check runs with hparams.train_steps = 4"),
    ({"checkpoint": False}, "evaluated only at the end (global step 4), not every 2 steps"),
    ({"new_config": True}, "not with a new tf.estimator.RunConfig"),
    ({"return_estimator": True}, "not the Estimator itself"),
    ({"swap_hooks": True}, "each hook belongs to the input function it came with"),
    ({"unpacked": False}, "return a pair: unpack it"),
])
def test_experiment_fn_checker_hints_the_usual_mistakes(tiny_mnist, tmp_path, capsys, mistake, hint):
    ok, out = _check_experiment_fn(_experiment_fn(tiny_mnist, **mistake), tmp_path / "run", capsys)
    assert not ok and "Exercise 1: not yet - " in out, out
    assert hint in out, out
    assert "Traceback" not in out


def test_experiment_fn_checker_hints_a_misspelled_hyper_parameter_and_an_unfinished_skeleton(tmp_path, capsys):
    def misspelled(run_config, hparams):
        return run_config.replace(save_checkpoints_steps=hparams.min_eval_frecuency)

    ok, out = _check_experiment_fn(misspelled, tmp_path / "run", capsys)
    assert not ok and "AttributeError" in out and "a hyper-parameter name is misspelled" in out, out

    def skeleton(run_config, hparams):
        # TODO: build the Estimator and return an Experiment
        raise NotImplementedError

    ok, out = _check_experiment_fn(skeleton, tmp_path / "run", capsys)
    assert not ok and "Exercise 1: not answered yet" in out, out
    ok, out = _check_experiment_fn(None, tmp_path / "run", capsys)
    assert not ok and "not answered yet" in out
    ok, out = _check_experiment_fn(object(), tmp_path / "run", capsys)
    assert not ok and "pass the function itself" in out, out


def test_notebook_03_exercise_3_answer_is_what_the_experiment_does(tiny_mnist, tmp_path):
    """Notebook 03's Exercise 3 (checkpoints every 200 steps, min_eval_frequency=300, train_steps=1000: evaluations
    at 400, 800 and 1000) - the same run scaled down by 100."""
    from helpers import learn_runner
    from helpers.tensorboard import read_scalars
    from helpers.train import default_hparams

    config = tf.estimator.RunConfig(model_dir=str(tmp_path), tf_random_seed=1, log_step_count_steps=None)
    learn_runner.run(_experiment_fn(tiny_mnist, save_every=2), run_config=config, schedule="train_and_evaluate",
                     hparams=default_hparams(train_steps=10, min_eval_frequency=3))
    assert read_scalars(tmp_path)["eval"]["accuracy"][0].tolist() == [4, 8, 10]


# --- notebook 02: check_model_fn --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def model_fn_mnist():
    """256 training images of the bundled sample: 40 training steps of 32 images take a few seconds."""
    from helpers.data import Mnist, load_mnist

    full = load_mnist("sample", verbose=False)
    return Mnist(full.train_images[:256], full.train_labels[:256], full.test_images[:64], full.test_labels[:64],
                 source="sample", description="the first images of the bundled sample")


MODEL_FN_PARAMS = {"learning_rate": 0.002, "dropout_rate": 0.5}


def _model_fn(loss_first=False, predict_dict=False, global_step=True, metric="compat", metric_name="accuracy",
              always_training=False, never_training=False, eval_returns=True, skeleton=False):
    """The reference model_fn of notebook 02's main exercise, or one with a usual mistake switched on."""
    from helpers.model import architecture

    def model_fn(features, labels, mode, params):
        if skeleton:
            raise NotImplementedError("TODO")
        is_training = (mode == tf.estimator.ModeKeys.TRAIN or always_training) and not never_training
        logits = architecture(features, is_training=is_training, dropout_rate=params["dropout_rate"])
        predictions = {"classes": tf.argmax(logits, axis=-1, output_type=tf.int32),
                       "probabilities": tf.nn.softmax(logits)}
        if loss_first:
            loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        if mode == tf.estimator.ModeKeys.PREDICT:
            return predictions if predict_dict else tf.estimator.EstimatorSpec(mode, predictions=predictions)
        loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        if mode == tf.estimator.ModeKeys.EVAL:
            if metric == "reduce_mean":
                accuracy = tf.reduce_mean(tf.cast(tf.equal(predictions["classes"], labels), tf.float32))
            else:
                accuracy = tf.compat.v1.metrics.accuracy(labels=labels, predictions=predictions["classes"])
            spec = tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops={metric_name: accuracy})
            return spec if eval_returns else None
        optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate=params["learning_rate"])
        step = tf.compat.v1.train.get_or_create_global_step() if global_step else None
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=optimizer.minimize(loss, global_step=step))

    return model_fn


def _check_model_fn(attempt, mnist, capsys, steps=40):
    ok = check("Exercise 1", attempt, lambda fn: exercises.check_model_fn(fn, mnist, MODEL_FN_PARAMS, steps=steps,
                                                                           batch_size=32),
               exercises.MODEL_FN_MISTAKES)
    return ok, capsys.readouterr().out


def test_model_fn_checker_accepts_the_reference_solution(model_fn_mnist, capsys):
    ok, out = _check_model_fn(_model_fn(), model_fn_mnist, capsys)
    assert ok and "Exercise 1: correct!" in out and "trained 40 steps" in out, out


def test_model_fn_checker_accepts_the_package_model_fn(model_fn_mnist):
    from helpers.model import model_fn

    losses = exercises.check_model_fn(model_fn, model_fn_mnist, MODEL_FN_PARAMS, steps=40, batch_size=32)
    assert losses["end_loss"] < losses["start_loss"]


@pytest.mark.parametrize(("mistake", "hint"), [
    ({"loss_first": True}, "in PREDICT mode labels is None"),
    ({"predict_dict": True}, "returned a dict, not an EstimatorSpec"),
    ({"global_step": False}, "the global step is 0, not 1"),
    ({"metric": "reduce_mean"}, "a metric is a (value, update_op) pair"),
    ({"metric_name": "Accuracy"}, "name the accuracy metric 'accuracy'"),
    ({"always_training": True}, "PREDICT gave different probabilities for the same images twice: dropout is on"),
    ({"never_training": True}, "dropout is off while training"),
    ({"eval_returns": False}, "returned None in EVAL mode"),
])
def test_model_fn_checker_hints_the_usual_mistakes(model_fn_mnist, capsys, mistake, hint):
    ok, out = _check_model_fn(_model_fn(**mistake), model_fn_mnist, capsys)
    assert not ok and "Exercise 1: not yet" in out and hint in out, out
    assert "Traceback" not in out


def test_model_fn_checker_skeleton_is_not_answered_yet_and_a_weak_optimizer_is_caught(model_fn_mnist, capsys):
    ok, out = _check_model_fn(_model_fn(skeleton=True), model_fn_mnist, capsys)
    assert not ok and "Exercise 1: not answered yet" in out
    params = dict(MODEL_FN_PARAMS, learning_rate=1e-7)  # trains, but the loss does not fall
    with pytest.raises(Hint, match="the loss went from"):
        exercises.check_model_fn(_model_fn(), model_fn_mnist, params, steps=20, batch_size=32)


# --- notebook 01: check_train_inputs (the learner writes the post's get_train_inputs) ------------------------

def _tiny_mnist(n=300):
    """Distinct small images (each one traceable) with random labels - fast to shuffle with the post's buffer."""
    from helpers.data import Mnist

    rng = np.random.default_rng(0)
    images = rng.random((n, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, n).astype(np.int32)
    return Mnist(images, labels, images[:10], labels[:10], source="test")


def _train_inputs(order=("repeat", "shuffle", "batch"), buffer=None, placeholders=True, initializer="run",
                  return_hook=True, returns="batch", fixed_batch=None, labels_dtype=None):
    """A get_train_inputs(batch_size, mnist) with one deliberate mistake (the defaults are the post's)."""
    from helpers.inputs import POST_SHUFFLE_BUFFER, IteratorInitializerHook

    def get_train_inputs(batch_size, mnist):
        hook = IteratorInitializerHook()

        def input_fn():
            images, labels = mnist.train_images, mnist.train_labels
            if labels_dtype is not None:
                labels = labels.astype(labels_dtype)
            feed = None
            if placeholders:
                images_ph = tf.compat.v1.placeholder(images.dtype, images.shape)
                labels_ph = tf.compat.v1.placeholder(labels.dtype, labels.shape)
                dataset = tf.data.Dataset.from_tensor_slices((images_ph, labels_ph))
                feed = {images_ph: images, labels_ph: labels}
            else:
                dataset = tf.data.Dataset.from_tensor_slices((images, labels))
            for step in order:
                if step == "repeat":
                    dataset = dataset.repeat(None)
                elif step == "shuffle":
                    dataset = dataset.shuffle(buffer_size=buffer or POST_SHUFFLE_BUFFER)
                else:
                    dataset = dataset.batch(fixed_batch or batch_size)
            if returns == "dataset":
                return dataset
            iterator = tf.compat.v1.data.make_initializable_iterator(dataset)
            if returns == "iterator":
                return iterator
            if initializer == "run":
                hook.iterator_initializer_func = lambda session: session.run(iterator.initializer, feed_dict=feed)
            elif initializer == "noop":
                hook.iterator_initializer_func = lambda session: None
            return iterator.get_next()

        return (input_fn, hook) if return_hook else input_fn

    return get_train_inputs


def test_train_inputs_checker_accepts_the_post_and_the_helper():
    from helpers.inputs import get_train_inputs

    mnist = _tiny_mnist()
    exercises.check_train_inputs(_train_inputs(), mnist, batch_size=32)
    exercises.check_train_inputs(get_train_inputs, mnist, batch_size=32)


@pytest.mark.parametrize("attempt, hint", [
    (_train_inputs(return_hook=False), "returned only a function"),
    (_train_inputs(initializer=None), "iterator_initializer_func was never set"),
    (_train_inputs(initializer="noop"), "iterator was not initialized"),
    (_train_inputs(order=("shuffle", "batch")), "the data ran out after 10 batches"),
    (_train_inputs(order=("repeat", "batch")), "in the data's order"),
    (_train_inputs(placeholders=False), "as constants"),
    (_train_inputs(fixed_batch=10), "was asked for 32: pass the batch_size argument"),
    (_train_inputs(returns="dataset"), "input_fn returned the Dataset"),
    (_train_inputs(returns="iterator"), "input_fn returned the iterator"),
    (_train_inputs(order=("shuffle", "repeat", "batch")), "you shuffled before repeating"),
    (_train_inputs(order=("shuffle", "batch", "repeat")), "you batched before repeating"),
    (_train_inputs(order=("repeat", "batch", "shuffle")), "you shuffle whole batches"),
    (_train_inputs(buffer=300), "your shuffle buffer holds 300 examples"),
    (_train_inputs(labels_dtype=np.int64), "dtypes are float32 / int64"),
], ids=["no hook", "initializer never set", "initializer does not run", "no repeat", "no shuffle", "constants",
        "fixed batch size", "returns Dataset", "returns iterator", "shuffle before repeat", "batch before repeat",
        "shuffles batches", "small buffer", "wrong dtype"])
def test_train_inputs_checker_names_the_mistake(attempt, hint):
    import re

    with pytest.raises(Hint, match=re.escape(hint)):
        exercises.check_train_inputs(attempt, _tiny_mnist(), batch_size=32)


def test_train_inputs_checker_catches_images_shuffled_apart_from_labels():
    from helpers.inputs import IteratorInitializerHook

    def apart(batch_size, mnist):
        hook = IteratorInitializerHook()

        def input_fn():
            images = tf.compat.v1.placeholder(tf.float32, mnist.train_images.shape)
            labels = tf.compat.v1.placeholder(tf.int32, mnist.train_labels.shape)
            streams = [tf.data.Dataset.from_tensor_slices(t).repeat().shuffle(10_000) for t in (images, labels)]
            iterator = tf.compat.v1.data.make_initializable_iterator(
                tf.data.Dataset.zip(tuple(streams)).batch(batch_size))
            hook.iterator_initializer_func = lambda session: session.run(
                iterator.initializer, {images: mnist.train_images, labels: mnist.train_labels})
            return iterator.get_next()

        return input_fn, hook

    with pytest.raises(Hint, match="images and labels no longer match"):
        exercises.check_train_inputs(apart, _tiny_mnist(), batch_size=32)


def test_train_inputs_check_prints_one_line_for_skeletons_and_errors(capsys):
    from helpers.inputs import IteratorInitializerHook

    mnist = _tiny_mnist()

    def skeleton(batch_size, mnist):
        hook = IteratorInitializerHook()

        def input_fn():
            # TODO: ...
            raise NotImplementedError

        return input_fn, hook

    def placeholders_outside(batch_size, mnist):  # runs eagerly: placeholders need the Estimator's graph
        images = tf.compat.v1.placeholder(tf.float32, mnist.train_images.shape)
        return (lambda: images), IteratorInitializerHook()

    def checker(attempt):
        return exercises.check_train_inputs(attempt, mnist, batch_size=32)

    assert not check("Exercise 1", skeleton, checker, exercises.TRAIN_INPUTS_MISTAKES)
    assert "Exercise 1: not answered yet" in capsys.readouterr().out
    assert not check("Exercise 1", placeholders_outside, checker, exercises.TRAIN_INPUTS_MISTAKES)
    out = capsys.readouterr().out
    assert "not yet - your code raised RuntimeError" in out and "make the placeholders inside input_fn" in out
    assert not check("Exercise 1", _train_inputs(return_hook=False), checker, exercises.TRAIN_INPUTS_MISTAKES)
    assert "Exercise 1: not yet - get_train_inputs returned only a function" in capsys.readouterr().out
    assert check("Exercise 1", _train_inputs(), checker, exercises.TRAIN_INPUTS_MISTAKES)
    assert capsys.readouterr().out == "Exercise 1: correct!\n"


def test_every_check_keeps_its_latest_verdict_in_results(capsys, monkeypatch):
    """helpers.exercises.RESULTS: what tests/test_notebooks.py reads after the solutions' pass."""
    monkeypatch.setattr(exercises, "RESULTS", {})

    def skeleton():
        raise NotImplementedError

    def wrong(_):
        raise Hint("look again")

    assert not exercises.check_answer("Exercise 1", None, 3)
    assert not check("Exercise 2", skeleton, lambda attempt: attempt())
    assert not check("Exercise 3", object(), wrong)
    assert exercises.RESULTS == {"Exercise 1": "not answered yet", "Exercise 2": "not answered yet",
                                 "Exercise 3": "not yet"}
    assert exercises.check_answer("Exercise 1", 3, 3)
    assert not exercises.check_answer("Exercise 1", 4, 3)  # the latest verdict counts
    assert exercises.RESULTS["Exercise 1"] == "not yet"
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"Exercise 1: {exercises.NOT_ANSWERED}" and printed[2] == "Exercise 3: not yet - look again"


# --- notebook 05: check_eval_inputs, check_saved_model_predict, and the earlier checkers on Fashion-MNIST ---------

def _eval_data(n_test=70):
    """Distinct random images: 200 for training, ``n_test`` (not a multiple of the batch size) for testing."""
    from helpers.data import Mnist

    rng = np.random.default_rng(1)
    images = rng.random((200 + n_test, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, 200 + n_test).astype(np.int32)
    return Mnist(images[:200], labels[:200], images[200:], labels[200:], source="test")


def _eval_inputs(repeat=False, shuffle=False, drop_remainder=False, split="test", placeholders=True,
                 fixed_batch=None, returns="batch", labels_from=None, swap=False):
    """A get_eval_inputs(batch_size, mnist) with one deliberate mistake (the defaults are right)."""
    from helpers.inputs import IteratorInitializerHook

    def get_eval_inputs(batch_size, mnist):
        hook = IteratorInitializerHook()

        def input_fn():
            images = getattr(mnist, f"{split}_images")
            labels = getattr(mnist, f"{labels_from or split}_labels")[:len(images)]
            if placeholders:
                images_ph = tf.compat.v1.placeholder(images.dtype, images.shape)
                labels_ph = tf.compat.v1.placeholder(labels.dtype, labels.shape)
                dataset = tf.data.Dataset.from_tensor_slices((images_ph, labels_ph))
                feed = {images_ph: images, labels_ph: labels}
            else:
                dataset, feed = tf.data.Dataset.from_tensor_slices((images, labels)), None
            if repeat:
                dataset = dataset.repeat()
            if shuffle:
                dataset = dataset.shuffle(1000, seed=3)
            dataset = dataset.batch(fixed_batch or batch_size, drop_remainder=drop_remainder)
            if returns == "dataset":
                return dataset
            iterator = tf.compat.v1.data.make_initializable_iterator(dataset)
            hook.iterator_initializer_func = lambda session: session.run(iterator.initializer, feed_dict=feed)
            return iterator.get_next()

        return (hook, input_fn) if swap else (input_fn, hook)

    return get_eval_inputs


def test_eval_inputs_checker_accepts_a_right_answer_and_the_helper():
    from helpers.inputs import get_eval_inputs

    data = _eval_data()
    exercises.check_eval_inputs(_eval_inputs(), data, batch_size=32)
    exercises.check_eval_inputs(get_eval_inputs, data, batch_size=32)
    exercises.check_eval_inputs(get_eval_inputs, _eval_data(n_test=64), batch_size=32)  # no smaller last batch


@pytest.mark.parametrize("attempt, hint", [
    (_eval_inputs(repeat=True), "did not end after one pass over the 70 test images"),
    (_eval_inputs(shuffle=True), "come in another order: leave out shuffle()"),
    (_eval_inputs(drop_remainder=True), "one pass gave 64 of the 70 test images: batch(batch_size) without "
                                        "drop_remainder=True"),
    (_eval_inputs(split="train"), "the batches are the training images"),
    (_eval_inputs(labels_from="train"), "the labels are not theirs"),
    (_eval_inputs(placeholders=False), "as constants"),
    (_eval_inputs(fixed_batch=10), "was asked for 32: pass the batch_size argument"),
    (_eval_inputs(returns="dataset"), "input_fn returned the Dataset"),
    (_eval_inputs(swap=True), "you returned (hook, input_fn)"),
], ids=["repeat", "shuffle", "drop remainder", "training split", "wrong labels", "constants", "fixed batch size",
        "returns Dataset", "hook first"])
def test_eval_inputs_checker_names_the_mistake(attempt, hint):
    import re

    with pytest.raises(Hint, match=re.escape(hint)):
        exercises.check_eval_inputs(attempt, _eval_data(), batch_size=32)


def test_eval_inputs_checker_recognises_the_training_images_and_foreign_images():
    from helpers.data import Mnist

    data = _eval_data()
    same_size = Mnist(data.train_images[:70], data.train_labels[:70], data.test_images, data.test_labels, source="t")
    with pytest.raises(Hint, match=r"the batches are the training images"):
        exercises.check_eval_inputs(_eval_inputs(split="train"), same_size, batch_size=32)
    other = Mnist(data.train_images, data.train_labels, data.test_images + 1e-3, data.test_labels, source="t")
    with pytest.raises(Hint, match=r"not mnist.test_images"):
        exercises.check_eval_inputs(lambda b, m: _eval_inputs()(b, data), other, batch_size=32)


@pytest.fixture(scope="module")
def fashion_estimator(tmp_path_factory):
    """The post's model trained 30 steps on the bundled Fashion-MNIST sample, 8 of its test images (the first 4 bright
    all over, as a garment that fills the frame is), and an export."""
    from helpers.data import load_fashion_mnist
    from helpers.inference import export_saved_model
    from helpers.inputs import get_train_inputs
    from helpers.model import model_fn

    fashion = load_fashion_mnist("sample", verbose=False)
    estimator = tf.estimator.Estimator(model_fn, str(tmp_path_factory.mktemp("fashion_model")),
                                       params={"learning_rate": 0.001, "dropout_rate": 0.5})
    input_fn, hook = get_train_inputs(32, fashion)
    estimator.train(input_fn, hooks=[hook], max_steps=30)
    export_path = export_saved_model(estimator, tmp_path_factory.mktemp("fashion_export"))
    median = np.median(fashion.test_images.reshape(len(fashion.test_images), -1), axis=1)
    chosen = np.concatenate([np.flatnonzero(median > 0.5)[:4], np.flatnonzero(median <= 0.5)[:4]])
    return estimator, fashion.test_images[chosen], export_path


def test_serving_checker_takes_fashion_images_that_are_bright_all_over(fashion_estimator, capsys):
    """A garment that fills the frame is mostly bright: MNIST's light-on-dark test (prepare_images) refuses such
    images, the checker must not."""
    from helpers.inference import InputImageError, prepare_images, serving_input_receiver_fn

    estimator, images, _ = fashion_estimator
    bright = np.median(images.reshape(len(images), -1), axis=1) > 0.5
    assert bright.sum() == 4
    with pytest.raises(InputImageError):
        prepare_images(images)
    assert _run_check(serving_input_receiver_fn, estimator, images, capsys) == "Exercise 1: correct!\n"


def _saved_model_predict(call="signature", returns="pair", dtype=tf.float32):
    """A predict(export_path, images) with one deliberate mistake (the defaults are right)."""

    def predict(export_path, images):
        loaded = tf.saved_model.load(str(export_path))
        if call == "object":
            outputs = loaded(images)
        elif call == "wrong name":
            outputs = loaded.signatures["serving_default"](x=tf.constant(images, dtype))
        else:
            outputs = loaded.signatures["serving_default"](images=tf.constant(images, dtype))
        classes, probabilities = outputs["classes"].numpy(), outputs["probabilities"].numpy()
        return {"dict": outputs, "pair": (classes, probabilities), "swapped": (probabilities, classes),
                "classes only": classes, "reversed": (classes[::-1], probabilities[::-1]),
                "logits": (classes, np.log(probabilities))}[returns]

    return predict


def _run_predict_check(attempt, fashion_estimator, capsys):
    estimator, images, export_path = fashion_estimator
    ok = check("Exercise 6", attempt,
               lambda fn: exercises.check_saved_model_predict(fn, estimator, export_path, images),
               exercises.SAVED_MODEL_PREDICT_MISTAKES)
    return ok, capsys.readouterr().out


def test_saved_model_predict_checker_accepts_a_right_answer(fashion_estimator, capsys):
    classes, _ = _saved_model_predict()(fashion_estimator[2], fashion_estimator[1])
    assert len(set(classes.tolist())) > 1, "a model that tells the images apart: a wrong order shows"
    ok, out = _run_predict_check(_saved_model_predict(), fashion_estimator, capsys)
    assert ok and out == "Exercise 6: correct!\n", out


@pytest.mark.parametrize("attempt, hint", [
    (_saved_model_predict(call="object"), "a loaded SavedModel is not a function: call its signature"),
    (_saved_model_predict(call="wrong name"), "the signature's input is named 'images'"),
    (_saved_model_predict(dtype=tf.float64), "the SavedModel takes float32"),
    (_saved_model_predict(returns="dict"), "returns the signature's dict"),
    (_saved_model_predict(returns="swapped"), "you returned (probabilities, classes)"),
    (_saved_model_predict(returns="classes only"), "return two things, (classes, probabilities)"),
    (_saved_model_predict(returns="reversed"), "in the images' order"),
    (_saved_model_predict(returns="logits"), "the probabilities are not estimator.predict's"),
], ids=["calls the object", "wrong input name", "float64", "dict", "swapped", "classes only", "reversed",
        "not probabilities"])
def test_saved_model_predict_checker_hints_the_usual_mistakes(fashion_estimator, capsys, attempt, hint):
    ok, out = _run_predict_check(attempt, fashion_estimator, capsys)
    assert not ok and out.startswith("Exercise 6: not yet - ") and hint in out, out
    assert "Traceback" not in out


def test_saved_model_predict_checker_skeleton_is_not_answered_yet(fashion_estimator, capsys):
    def skeleton(export_path, images):
        # TODO: load it, call its signature
        raise NotImplementedError

    assert "Exercise 6: not answered yet" in _run_predict_check(skeleton, fashion_estimator, capsys)[1]


def test_experiment_fn_checker_runs_with_the_given_hparams(tiny_mnist, tmp_path, capsys):
    """Notebook 05 gives its own hyper-parameters (the real run): their train_steps and min_eval_frequency count."""
    from helpers.hparams import HParams
    from helpers.train import make_experiment_fn

    hparams = HParams(learning_rate=0.002, batch_size=64, dropout_rate=0.5, train_steps=6, min_eval_frequency=3)
    result = exercises.check_experiment_fn(make_experiment_fn(tiny_mnist, progress=False), tmp_path / "run",
                                           hparams=hparams, min_accuracy=0.0)
    assert result["global_step"] == 6
    ok = check("Exercise 4", _experiment_fn(tiny_mnist, train_steps=4), lambda fn: exercises.check_experiment_fn(
        fn, tmp_path / "run", hparams=hparams, min_accuracy=0.0), exercises.EXPERIMENT_FN_MISTAKES)
    out = capsys.readouterr().out
    assert not ok and "train_steps is 4, but this check runs with hparams.train_steps = 6" in out, out
