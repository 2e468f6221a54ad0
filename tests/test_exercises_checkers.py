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
    ({"checkpoint": False}, "evaluated only the checkpoints saved when training started and ended (global steps "
                            "[0, 4]), not one every 2 steps"),
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


def test_notebook_03_exercise_2_answer_is_what_the_experiment_does(tiny_mnist, tmp_path):
    """Notebook 03's Exercise 2 (checkpoints every 200 steps, min_eval_frequency=300, train_steps=1000: checks at 300,
    600 and 900 evaluate the checkpoints of 200, 600 and 800, then the final one, 1000) - the same run scaled down
    by 100."""
    from helpers import learn_runner
    from helpers.tensorboard import read_scalars
    from helpers.train import default_hparams

    config = tf.estimator.RunConfig(model_dir=str(tmp_path), tf_random_seed=1, log_step_count_steps=None)
    learn_runner.run(_experiment_fn(tiny_mnist, save_every=2), run_config=config, schedule="train_and_evaluate",
                     hparams=default_hparams(train_steps=10, min_eval_frequency=3))
    assert read_scalars(tmp_path)["eval"]["accuracy"][0].tolist() == [2, 6, 8, 10]


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


# --- notebook 05: the decisions (per-class accuracy, hyper-parameters in a time budget, reading the evaluation) ----

NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _class_accuracies(mask="labels", metric="accuracy", keys="names", returns="pairs", only=None, extra=False):
    """A notebook-05 class_accuracies(labels, classes, class_names), right by default or with one mistake."""

    def class_accuracies(labels, classes, class_names):
        metrics = {}
        for c, name in enumerate(class_names):
            if only is not None and c >= only:
                break
            where = {"labels": tf.equal(labels, c), "classes": tf.equal(classes, c), "python": labels == c,
                     "none": None}[mask]
            if metric == "recall":
                pair = tf.compat.v1.metrics.recall(labels=tf.equal(labels, c), predictions=tf.equal(classes, c))
            elif metric == "batch":  # one batch's value, as a pair of tensors
                value = tf.compat.v1.div_no_nan(tf.reduce_sum(tf.cast(where & tf.equal(classes, c), tf.float32)),
                                                tf.reduce_sum(tf.cast(where, tf.float32)))
                pair = (value, value)
            else:
                pair = tf.compat.v1.metrics.accuracy(labels=labels, predictions=classes, weights=where)
            key = {"names": f"accuracy/{name}", "numbers": f"accuracy/{c}"}[keys]
            metrics[key] = {"pairs": pair, "values": pair[0]}[returns]
        if extra:
            metrics["accuracy"] = tf.compat.v1.metrics.accuracy(labels=labels, predictions=classes)
        return metrics

    return class_accuracies


def test_class_accuracies_checker_accepts_the_reference_and_a_recall():
    values = exercises.check_class_accuracies(exercises.class_accuracies, NAMES)
    assert list(values) == list(NAMES) and len(set(values.values())) > 3
    assert exercises.check_class_accuracies(_class_accuracies(metric="recall"), NAMES) == pytest.approx(values)


def test_class_accuracy_batches_tell_every_mistake_apart():
    """The made-up batches give each wrong way of counting a different number, so each hint can be reached."""
    batches = exercises._class_accuracy_batches(len(NAMES))
    labels = np.concatenate([b[0] for b in batches])
    predicted = np.concatenate([b[1] for b in batches])
    right = exercises._per_class(labels, predicted, len(NAMES))
    for wrong in (np.full(len(NAMES), np.mean(labels == predicted)),
                  exercises._per_class(labels, predicted, len(NAMES), by="predicted"),
                  exercises._per_class(*batches[-1], len(NAMES)),
                  np.zeros(len(NAMES))):
        assert not np.allclose(right, wrong, equal_nan=True)
    assert len(batches[1][0]) < len(batches[0][0]) and (batches[1][0] != len(NAMES) - 1).all()


@pytest.mark.parametrize(("attempt", "hint"), [
    (_class_accuracies(mask="none"), "every class shows the overall accuracy"),
    (_class_accuracies(mask="classes"), "these are precisions"),
    (_class_accuracies(mask="python"), "is the mask `labels == c`? On a tensor in a graph"),
    (_class_accuracies(metric="batch"), "these are the last batch's values only"),
    (_class_accuracies(keys="numbers"), "name each metric after its class, not its number"),
    (_class_accuracies(returns="values"), "a metric is a (value, update_op) pair"),
    (_class_accuracies(only=9), "'accuracy/Ankle boot'] is missing"),
    (_class_accuracies(extra=True), "'accuracy' is not one of them (the model_fn adds 'accuracy' itself)"),
    (lambda labels, classes, names: [exercises.class_accuracies(labels, classes, names)], "return a dict"),
], ids=["overall", "precision", "python ==", "one batch", "numbered", "tensor", "missing", "extra", "list"])
def test_class_accuracies_checker_names_the_mistake(attempt, hint, capsys):
    ok = check("Exercise 3", attempt, lambda fn: exercises.check_class_accuracies(fn, NAMES),
               exercises.CLASS_ACCURACIES_MISTAKES)
    out = capsys.readouterr().out
    assert not ok and out.startswith("Exercise 3: not yet - ") and hint in out, out


def test_model_fn_checker_of_05_wants_the_class_metrics_and_the_wrapped_reference_has_them(model_fn_mnist, capsys):
    from helpers.model import model_fn

    wrapped = exercises.with_eval_metrics(model_fn, exercises.class_accuracies, NAMES)
    exercises.check_model_fn_reports_classes(wrapped, model_fn_mnist, MODEL_FN_PARAMS, NAMES, steps=40, batch_size=32)
    ok = check("Exercise 4", model_fn, lambda fn: exercises.check_model_fn_reports_classes(
        fn, model_fn_mnist, MODEL_FN_PARAMS, NAMES, steps=40, batch_size=32), exercises.MODEL_FN_MISTAKES)
    out = capsys.readouterr().out
    assert not ok and "EVAL's eval_metric_ops has no 'accuracy/T-shirt/top' (nor 9 more)" in out, out


def test_an_evaluation_reports_each_class_accuracy(fashion_estimator):
    """estimator.evaluate with the per-class metrics in the EVAL spec: each is the fraction of that class's test
    images that predict() gets right, counted over batches of the evaluation (here three, the last smaller)."""
    from helpers.data import FASHION_CLASSES, load_fashion_mnist
    from helpers.inference import predict_images
    from helpers.inputs import get_eval_inputs
    from helpers.model import model_fn

    estimator = fashion_estimator[0]
    fashion = load_fashion_mnist("sample", verbose=False)
    fashion.test_images, fashion.test_labels = fashion.test_images[:250], fashion.test_labels[:250]
    evaluator = tf.estimator.Estimator(exercises.with_eval_metrics(model_fn, exercises.class_accuracies,
                                                                   FASHION_CLASSES),
                                       estimator.model_dir, params=estimator.params)
    input_fn, hook = get_eval_inputs(100, fashion)
    result = evaluator.evaluate(input_fn, hooks=[hook], name="per_class")
    classes, _ = predict_images(estimator, fashion.test_images, check_background=False)
    for c, name in enumerate(FASHION_CLASSES):
        mine = fashion.test_labels == c
        assert result[f"accuracy/{name}"] == pytest.approx(np.mean(classes[mine] == c), abs=1e-6)
    assert result["accuracy"] == pytest.approx(np.mean(classes == fashion.test_labels), abs=1e-6)


STEP_SECONDS = {64: 0.012, 128: 0.020, 256: 0.038, 512: 0.076}


def _hparams(**changes):
    from helpers.hparams import HParams

    values = dict(learning_rate=0.002, batch_size=256, dropout_rate=0.5, train_steps=500, min_eval_frequency=250)
    values.update(changes)
    return HParams(**{k: v for k, v in values.items() if v is not None})


def _check_budget(attempt):
    return exercises.check_hparams_budget(attempt, 25, STEP_SECONDS, 1.0)


def test_hparams_budget_checker_accepts_the_notebooks_choice_and_others_that_fit():
    assert _check_budget(_hparams()) == {"seconds": pytest.approx(21.0), "evaluations": 2}
    _check_budget(_hparams(batch_size=128, train_steps=1000, min_eval_frequency=500))
    _check_budget(_hparams(batch_size=512, train_steps=280, min_eval_frequency=140, learning_rate=0.001,
                           dropout_rate=0.0))


@pytest.mark.parametrize(("attempt", "hint"), [
    ({"train_steps": 5000, "batch_size": 128, "min_eval_frequency": 100},
     "your run costs about 150.0 s - 5,000 steps of 128 (100.0 s) and 50 evaluation(s) (50 s) - over the budget"),
    ({"train_steps": 250, "min_eval_frequency": 125}, "your run costs about 11.5 s of the 25"),
    ({"train_steps": 500, "min_eval_frequency": 200}, "train_steps=500 is not a multiple of min_eval_frequency=200"),
    ({"min_eval_frequency": 500}, "1 evaluation: evaluate at least twice"),
    ({"batch_size": 128, "train_steps": 900, "min_eval_frequency": 150}, "6 evaluations, 6 s of the budget"),
    ({"learning_rate": 0.05}, "learning_rate=0.05: in a few hundred steps"),
    ({"learning_rate": 0.0001}, "learning_rate=0.0001"),
    ({"dropout_rate": 0.9}, "dropout_rate=0.9"),
    ({"batch_size": 200}, "batch_size=200: choose one whose cost was measured, 64, 128, 256, 512"),
    ({"batch_size": 256.0}, "whole numbers above 0"),
    ({"dropout_rate": None}, "my_hparams has no dropout_rate"),
], ids=["the post's", "half spent", "last not final", "one evaluation", "six evaluations", "rate high", "rate low",
        "dropout", "unmeasured batch", "float", "missing"])
def test_hparams_budget_checker_names_the_mistake(attempt, hint, capsys):
    ok = check("Exercise 5", _hparams(**attempt), _check_budget)
    out = capsys.readouterr().out
    assert not ok and out.startswith("Exercise 5: not yet - ") and hint in out, out


def test_hparams_budget_checker_wants_hparams_and_says_not_answered_for_none(capsys):
    assert not check("Exercise 5", None, _check_budget)
    assert "Exercise 5: not answered yet" in capsys.readouterr().out
    with pytest.raises(Hint, match=r"should be an HParams\(learning_rate=..."):
        _check_budget({"learning_rate": 0.002, "batch_size": 256})


def _reading_case():
    """Per-class accuracies with Shirt lowest; mistakes: Coat->Shirt 14 is the largest one way, but T-shirt/top and
    Shirt are mixed up most (8 + 10 = 18 against 14 + 2 = 16)."""
    accuracy = dict(zip(NAMES, [0.87, 0.92, 0.81, 0.91, 0.79, 0.96, 0.68, 0.98, 0.97, 0.95], strict=True))
    counts = np.diag([87, 92, 81, 91, 79, 96, 68, 98, 97, 95])
    index = {name: i for i, name in enumerate(NAMES)}
    for (a, b), n in {("T-shirt/top", "Shirt"): 8, ("Shirt", "T-shirt/top"): 10, ("Coat", "Shirt"): 14,
                      ("Shirt", "Coat"): 2, ("Pullover", "Coat"): 5}.items():
        counts[index[a], index[b]] = n
    return accuracy, counts


def _check_reading(answer):
    accuracy, counts = _reading_case()
    return exercises.check_evaluation_reading(answer, accuracy, counts, NAMES)


@pytest.mark.parametrize("answer", [("Shirt", ("T-shirt/top", "Shirt")), ("Shirt", ["Shirt", "T-shirt/top"]),
                                    ("Shirt", {"Shirt", "T-shirt/top"})])
def test_evaluation_reading_checker_accepts_the_right_reading_in_any_order(answer):
    _check_reading(answer)


@pytest.mark.parametrize(("answer", "hint"), [
    (("Coat", ("T-shirt/top", "Shirt")), "Coat's accuracy is 0.79, and 1 class did worse"),
    (("T-shirt/top", ("T-shirt/top", "Shirt")), "T-shirt/top's accuracy is 0.87, and 3 classes did worse"),
    (("shirt", ("T-shirt/top", "Shirt")), "set ex7_weakest to a class name"),
    (("Shirt", ("Coat", "Shirt")), "the model's most frequent mistake in one direction (14 times), but Coat and Shirt "
                                   "were mixed up 16 times in both directions"),
    (("Shirt", ("Pullover", "Coat")), "Pullover and Coat were mixed up 5 times (5 + 0), and another pair 18 times"),
    (("Shirt", ("Shirt", "Shirt")), "set ex7_pair to two different class names"),
    (("Shirt", "Shirt, T-shirt/top"), "set ex7_pair to two different class names"),
], ids=["weakest wrong", "weakest far off", "misspelled", "one direction", "another pair", "same twice", "a string"])
def test_evaluation_reading_checker_names_the_mistake_without_the_answer(answer, hint, capsys):
    ok = check("Exercise 7", answer, _check_reading)
    out = capsys.readouterr().out
    assert not ok and hint in out, out
    assert "T-shirt/top and Shirt" not in out  # the hint does not give the answer away


def test_eval_inputs_hints_speak_of_the_evaluation_input(capsys):
    """Notebook 05's Exercise 2 gets notebook 01's hints in its own words: none speaks of get_train_inputs."""
    assert not any("get_train_inputs" in hint for _, hint in exercises.EVAL_INPUTS_MISTAKES)
    assert [pattern for pattern, _ in exercises.EVAL_INPUTS_MISTAKES] == \
        [pattern for pattern, _ in exercises.TRAIN_INPUTS_MISTAKES]

    def eager_placeholders(batch_size, data):  # the placeholders made outside input_fn, eagerly
        images = tf.compat.v1.placeholder(tf.float32, data.test_images.shape)
        return (lambda: images), None

    ok = check("Exercise 2", eager_placeholders, lambda fn: exercises.check_eval_inputs(fn, _eval_data()),
               exercises.EVAL_INPUTS_MISTAKES)
    out = capsys.readouterr().out
    assert not ok and "my_get_eval_inputs itself runs eagerly" in out and "get_train_inputs" not in out, out


# --- notebook 07: check_keras_network ---------------------------------------------------------------------------

def _keras_network(input_shape=(28, 28, 1), padding="valid", kernel=5, pool="max", flatten=True, activation="relu",
                   output_activation=None, dropout=True, rate=None, dropout_after_output=False, fn5_units=256,
                   build=True, returns="model", relu_layers=False, order="post"):
    """The reference Keras network (helpers.keras_port.keras_network), or one with a usual mistake switched on."""
    layers = tf.keras.layers

    def my_keras_network(dropout_rate=0.5):
        drop = rate if rate is not None else dropout_rate
        act = None if relu_layers else activation

        def relu():  # a separate activation layer after each convolution and fn5/fn6, when relu_layers is set
            return [layers.Activation(relu_layers if isinstance(relu_layers, str) else "relu")] if relu_layers else []

        pooling = layers.MaxPooling2D if pool == "max" else layers.AveragePooling2D
        stack = [tf.keras.Input(shape=input_shape, name="images")] if build else []
        conv1 = [layers.Conv2D(20, kernel, padding=padding, activation=act)] + relu()
        stack += conv1 + [pooling(2)] if order == "post" else [pooling(2)] + conv1
        stack += [layers.Conv2D(40, kernel, padding=padding, activation=act)] + relu()
        stack += [pooling(2)] + ([layers.Flatten()] if flatten else [])
        for units in (fn5_units, 256):
            stack += [layers.Dense(units, activation=act)] + relu()
            stack += [layers.Dropout(drop)] if dropout and not dropout_after_output else []
        stack += [layers.Dense(10, activation=output_activation)]
        stack += [layers.Dropout(drop), layers.Dropout(drop)] if dropout_after_output else []
        return stack if returns == "list" else tf.keras.Sequential(stack)

    return my_keras_network


def _check_keras(attempt, capsys) -> tuple[bool, str]:
    ok = check("Exercise 1", attempt, exercises.check_keras_network, exercises.KERAS_NETWORK_MISTAKES)
    return ok, capsys.readouterr().out


def test_keras_network_checker_accepts_the_reference_separate_relu_layers_and_tf_nn_relu(capsys):
    from helpers.keras_port import keras_network

    for attempt in (keras_network, _keras_network(), _keras_network(relu_layers=True),
                    _keras_network(activation=tf.nn.relu)):
        ok, out = _check_keras(attempt, capsys)
        assert ok and out == "Exercise 1: correct!\n", out


@pytest.mark.parametrize(("mistake", "hint"), [
    ({"padding": "same"}, "That is 7x7x40: the convolutions use padding 'same'"),
    ({"kernel": 3}, "conv1 has 3x3 kernels; the post's are 5x5"),
    ({"pool": "average"}, "not the average: MaxPooling2D(2)"),
    ({"flatten": False}, "must be flattened into 640 numbers first"),
    ({"activation": None}, "conv1, conv3, fn5, fn6 have no ReLU: Keras layers have no activation unless you give one"),
    ({"output_activation": "softmax"}, "the output layer has a softmax: leave it out"),
    ({"output_activation": "relu"}, "the post's gives plain logits"),
    ({"dropout": False}, "your network has 0 dropout layer(s)"),
    ({"rate": 0.2}, "the dropout rates are [0.2, 0.2], not dropout_rate = 0.5"),
    ({"dropout_after_output": True}, "the post's come right after fn5 and right after fn6"),
    ({"fn5_units": 128}, "fn5 has 128 units; the post's has 256"),
    ({"build": False}, "start the list with tf.keras.Input(shape=(28, 28, 1)"),
    ({"returns": "list"}, "you return a list of layers: wrap it"),
    ({"input_shape": (28, 28)}, "the input shape is (28, 28, 1), not (28, 28)"),
    ({"order": "pool first"}, "fn5 gets 360 numbers; the post's gets 640 = 4x4x40"),
    ({"relu_layers": "sigmoid"}, "with the post's weights your network computes other logits"),
])
def test_keras_network_checker_hints_the_usual_mistakes(capsys, mistake, hint):
    ok, out = _check_keras(_keras_network(**mistake), capsys)
    assert not ok and out.startswith("Exercise 1: not yet - "), out
    assert hint in out, out
    assert "Traceback" not in out


def test_keras_network_checker_skeleton_is_not_answered_yet_and_a_call_is_refused(capsys):
    def skeleton(dropout_rate=0.5):
        # TODO: the post's layers
        raise NotImplementedError("my_keras_network is not written yet")

    ok, out = _check_keras(skeleton, capsys)
    assert not ok and out.startswith("Exercise 1: not answered yet"), out
    ok, out = _check_keras(_keras_network()(), capsys)
    assert not ok and "pass the function itself" in out, out


# --- notebook 08: check_tuner and check_random_search_space ---------------------------------------------------
import copy  # noqa: E402
import os  # noqa: E402

from helpers import learn_runner  # noqa: E402
from helpers.hparams import HParams  # noqa: E402
from helpers.tuner import Tuner  # noqa: E402


class ListTuner(Tuner):
    """The notebook's solution."""

    def __init__(self, trials, hparams, run_config):
        self.trials = trials
        self.hparams = hparams
        self.run_config = run_config
        self.index = -1
        self.results = []

    def next_trial(self):
        if self.index + 1 < len(self.trials):
            self.index += 1
            return True
        return False

    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        hparams = copy.deepcopy(self.hparams).override_from_dict(trial)
        run_config = self.run_config.replace(model_dir=os.path.join(self.run_config.model_dir, f"trial-{self.index}"))
        eval_result, _ = learn_runner.run(experiment_fn, run_config=run_config, schedule="train_and_evaluate",
                                          hparams=hparams)
        self.results.append((trial, eval_result))


class NeverDone(ListTuner):
    def next_trial(self):
        self.index = (self.index + 1) % len(self.trials)
        return True


class SkipsTheFirst(ListTuner):
    def __init__(self, *args):
        super().__init__(*args)
        self.index = 0


class RunsOffTheEnd(ListTuner):
    def next_trial(self):
        self.index += 1
        return self.index <= len(self.trials)


class PassesTheDict(ListTuner):
    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        config = self.run_config.replace(model_dir=os.path.join(self.run_config.model_dir, str(self.index)))
        self.results.append((trial, learn_runner.run(experiment_fn, run_config=config, hparams=trial)[0]))


class OnlyTheTrialsValues(ListTuner):
    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        config = self.run_config.replace(model_dir=os.path.join(self.run_config.model_dir, str(self.index)))
        self.results.append((trial, learn_runner.run(experiment_fn, run_config=config,
                                                     hparams=HParams(**trial))[0]))


class ChangesTheBase(ListTuner):
    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        config = self.run_config.replace(model_dir=os.path.join(self.run_config.model_dir, str(self.index)))
        self.results.append((trial, learn_runner.run(experiment_fn, run_config=config,
                                                     hparams=self.hparams.override_from_dict(trial))[0]))


class OneModelDir(ListTuner):
    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        hparams = copy.deepcopy(self.hparams).override_from_dict(trial)
        self.results.append((trial, learn_runner.run(experiment_fn, run_config=self.run_config, hparams=hparams)[0]))


class NewRunConfig(ListTuner):
    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        hparams = copy.deepcopy(self.hparams).override_from_dict(trial)
        config = tf.estimator.RunConfig(model_dir=os.path.join(self.run_config.model_dir, str(self.index)))
        self.results.append((trial, learn_runner.run(experiment_fn, run_config=config, hparams=hparams)[0]))


class KeepsTheTuple(ListTuner):
    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        hparams = copy.deepcopy(self.hparams).override_from_dict(trial)
        config = self.run_config.replace(model_dir=os.path.join(self.run_config.model_dir, str(self.index)))
        self.results.append((trial, learn_runner.run(experiment_fn, run_config=config, hparams=hparams)))


class ReportsNothing(ListTuner):
    def run_experiment(self, experiment_fn):
        trial = self.trials[self.index]
        hparams = copy.deepcopy(self.hparams).override_from_dict(trial)
        config = self.run_config.replace(model_dir=os.path.join(self.run_config.model_dir, str(self.index)))
        learn_runner.run(experiment_fn, run_config=config, hparams=hparams)


class HasNoRunExperiment(Tuner):
    def __init__(self, trials, hparams, run_config):
        pass

    def next_trial(self):
        return False


class Skeleton(ListTuner):
    def next_trial(self):
        raise NotImplementedError("next_trial is not written yet")


def _check_tuner(attempt, capsys):
    check("Exercise 1", attempt, exercises.check_tuner, exercises.TUNER_MISTAKES)
    return capsys.readouterr().out


def test_tuner_checker_accepts_the_solution(capsys):
    assert _check_tuner(ListTuner, capsys) == "Exercise 1: correct!\n"


@pytest.mark.parametrize("attempt, hint", [
    (Skeleton, "not answered yet"),
    ("ListTuner", "pass the class itself"),
    (dict, "make ListTuner a subclass of Tuner"),
    (HasNoRunExperiment, "Hint: a Tuner subclass must define both methods"),
    (NeverDone, "next_trial() keeps returning True"),
    (SkipsTheFirst, "the first trial never ran: self.index starts at -1"),
    (RunsOffTheEnd, "Hint: next_trial() went past the last trial"),
    (PassesTheDict, "Hint: learn_runner needs an HParams, not the trial's dict"),
    (OnlyTheTrialsValues, "it needs all of self.hparams"),
    (ChangesTheBase, "self.hparams changed during the sweep"),
    (OneModelDir, "every trial ran in the same model_dir"),
    (NewRunConfig, "lost self.run_config's seed"),
    (KeepsTheTuple, "returns (eval_result, export_results) - keep eval_result"),
    (ReportsNothing, "report each trial's measure"),
], ids=lambda a: a.__name__ if isinstance(a, type) else None)
def test_tuner_checker_answers_each_mistake_with_its_hint(attempt, hint, capsys):
    out = _check_tuner(attempt, capsys)
    assert out.startswith("Exercise 1: not"), out
    assert hint in out, out
    assert "Traceback" not in out


def _random_space(**changes):
    space = {"learning_rate": lambda rng: 10 ** rng.uniform(-4, -2), "dropout_rate": [0.2, 0.35, 0.5],
             "hidden_units": [64, 128, 256]}
    return {**space, **changes}


def _check_space(attempt, tmp_path, capsys):
    hparams = HParams(learning_rate=0.001, dropout_rate=0.5, hidden_units=256, batch_size=32)
    run_config = tf.estimator.RunConfig(model_dir=str(tmp_path / "random"), tf_random_seed=42)
    check("Exercise 2", attempt, lambda space: exercises.check_random_search_space(space, hparams, run_config))
    return capsys.readouterr().out


def test_random_search_space_checker_accepts_log_uniform_in_any_form(tmp_path, capsys):
    import numpy as np

    assert _check_space(_random_space(), tmp_path, capsys) == "Exercise 2: correct!\n"
    natural_log = _random_space(learning_rate=lambda rng: float(np.exp(rng.uniform(np.log(1e-4), np.log(1e-2)))))
    assert _check_space(natural_log, tmp_path, capsys) == "Exercise 2: correct!\n"


@pytest.mark.parametrize("attempt, hint", [
    (None, "not answered yet"),
    ([0.001, 0.01], "the search space is a dict"),
    ({"learning_rate": [0.001]}, "it needs exactly"),
    (_random_space(learning_rate=[1e-4, 1e-3, 1e-2]), "a list gives the learning rate only the values in it"),
    (_random_space(learning_rate=lambda rng: rng.uniform(1e-4, 1e-2)), "most of them near 1e-2"),
    (_random_space(learning_rate=lambda rng: 10 ** rng.uniform(-5, -2)), "keep them between 1e-4 and 1e-2"),
    (_random_space(learning_rate=lambda rng: 10 ** rng.uniform(-4, -3)), "log-uniform between 1e-4 and 1e-2 puts"),
    (_random_space(learning_rate=lambda rng: 0.0005), "hardly varies"),  # a number drawn once, outside
    (_random_space(hidden_units=[64.0, 128.0, 256.0]), "an int: 64, not 64.0"),
    (_random_space(dropout_rate=[0.2, 0.5]), "dropout_rate: a list of the values to pick from"),
], ids=lambda a: None)
def test_random_search_space_checker_answers_each_mistake_with_its_hint(attempt, hint, tmp_path, capsys):
    out = _check_space(attempt, tmp_path, capsys)
    assert out.startswith("Exercise 2: not"), out
    assert hint in out, out
