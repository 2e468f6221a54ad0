"""Exercise checks: run the learner's answer and reply with "correct!", or with a hint - never a traceback.

Every notebook ends with exercises. A learner's answer cell starts as ``None`` (a value to find) or as a skeleton
with ``# TODO`` lines that raises ``NotImplementedError`` (a piece to write). The check cell below it calls

- :func:`check_answer` to compare a value with the expected one, or
- :func:`check` to run a *checker* on the learner's code. A checker raises :class:`Hint` with a specific message
  when the attempt is wrong (the usual mistakes: the forgotten hook, ``steps`` instead of ``max_steps``, ...);
  an unexpected exception from the learner's code is reported in one line, followed by a hint when one of the
  known mistakes matches.

Each prints one line starting with the exercise's name: ``correct!``, ``not answered yet`` or ``not yet``, and
keeps the verdict in :data:`RESULTS`. ``tests/test_notebooks.py`` runs every notebook with the solutions and
requires ``correct!`` from each.

Taught in ``notebooks/01_dataset_pipeline.ipynb``; the checkers of each notebook's main exercise are below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from helpers import room

NOT_ANSWERED = "not answered yet - fill in your answer above and re-run this cell (solution: click to reveal)"


#: The latest verdict of every exercise checked in this kernel, by name: "correct!", "not yet" or "not answered
#: yet". A teacher can print it to see where a learner stands; the notebook tests read it.
RESULTS: dict[str, str] = {}


def _verdict(name: str, verdict: str, text: str, mistake: str | None = None) -> bool:
    RESULTS[name] = verdict
    print(f"{name}: {verdict}{text}")
    room.record(name, verdict, mistake)  # the instructor's room view, when a workshop turns it on (helpers/room.py)
    return verdict == "correct!"


class Hint(Exception):
    """The learner's attempt is not right yet; the message says what to look at."""


def expect(condition, hint: str) -> None:
    """Raise :class:`Hint` with ``hint`` unless ``condition`` holds (the checkers' one assertion)."""
    if not condition:
        raise Hint(hint)


def check_answer(name: str, answer, expected, hint: str = "") -> bool:
    """Compare an exercise answer with the expected value; ``None`` means not answered yet (not an error)."""
    if answer is None:
        return _verdict(name, "not answered yet", NOT_ANSWERED.removeprefix("not answered yet"))
    if answer != expected:
        return _verdict(name, "not yet", f" - {answer!r} is not right." + (f" Hint: {hint}" if hint else ""),
                        room.mistake_name(hint) if hint else "wrong value")
    return _verdict(name, "correct!", "")


def check(name: str, attempt, checker: Callable, known_mistakes: Iterable[tuple[str, str]] = ()) -> bool:
    """Run ``checker(attempt)`` and print one line: correct, not answered yet, or not yet with a hint.

    ``attempt`` is what the learner wrote (a function, usually); ``None`` or a ``NotImplementedError`` raised
    from a skeleton means "not answered yet". ``known_mistakes`` pairs a regular expression, searched in
    ``"ExceptionType: message"`` of an unexpected error, with the hint to show for it.
    """
    not_answered = NOT_ANSWERED.removeprefix("not answered yet")
    if attempt is None:
        return _verdict(name, "not answered yet", not_answered)
    try:
        checker(attempt)
    except NotImplementedError:
        return _verdict(name, "not answered yet", not_answered)
    except Hint as hint:
        return _verdict(name, "not yet", f" - {hint}", getattr(hint, "mistake", None) or room.mistake_name(str(hint)))
    except Exception as error:  # the learner's code failed: one line, and a hint if we know the mistake
        text = f"{type(error).__name__}: {_first_line(error)}"
        hints = [hint for pattern, hint in known_mistakes if re.search(pattern, text, re.S)]
        return _verdict(name, "not yet", f" - your code raised {text}" + (f"\n  Hint: {hints[0]}" if hints else ""),
                        room.mistake_name(hints[0]) if hints else f"raised {type(error).__name__}")
    return _verdict(name, "correct!", "")


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:300] if lines else "(no message)"


# --- notebook 04: write a serving_input_receiver_fn and export a SavedModel -------------------------------------

#: Errors a wrong ``serving_input_receiver_fn`` (or export) raises from inside TensorFlow, and what they mean.
SERVING_INPUT_MISTAKES = [
    (r"KeyError: .*images", "model_fn reads features['images']: return ServingInputReceiver({'images': images}, "
                            "{'images': images}) - a bare tensor as features arrives as {'feature': tensor}."),
    (r"rank 4, got", "the placeholder needs the batch and the channel dimensions: shape [None, 28, 28, 1]."),
    (r"Argument `dtype` got invalid value|uint8", "the model computes in float32: use "
                                                  "tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])."),
    (r"'tuple' object|'dict' object has no attribute", "return tf.estimator.export.ServingInputReceiver(features, "
                                                       "receiver_tensors), not a tuple or a dict."),
    (r"Couldn't find trained model", "export_saved_model exports the latest checkpoint in the Estimator's "
                                     "model_dir, and there is none: export the trained `estimator` (or train first)."),
    (r"not compatible with eager", "placeholders exist only in a graph: don't call your serving_input_receiver_fn "
                                   "yourself - pass the function to export_saved_model, which calls it in a graph."),
    (r"Expected binary or unicode string, got .*Path", "export_saved_model takes the folder as a string: "
                                                       "str(export_dir_base)."),
]


def check_serving_input_receiver_fn(attempt, estimator, images, export=None, n: int = 16) -> None:
    """Check a ``serving_input_receiver_fn`` by exporting ``estimator`` with it and comparing the SavedModel's classes
    with ``estimator.predict`` on the first ``n`` of ``images`` (float32, (N, 28, 28, 1), in [0, 1]).

    ``export(estimator, export_dir_base)``, when given, is the learner's export function (it must return the path of
    the SavedModel); otherwise ``estimator.export_saved_model`` is called here. Raises :class:`Hint` for the usual
    mistakes; the notebook calls it through :func:`check` with :data:`SERVING_INPUT_MISTAKES`.
    """
    import tempfile
    from pathlib import Path

    import numpy as np
    import tensorflow as tf

    from helpers.inference import predict_images

    expect(callable(attempt), "define a function serving_input_receiver_fn() (no arguments) and pass the function "
                              "itself, without calling it.")
    images = np.asarray(images, np.float32)[:n]
    expect(tf.train.latest_checkpoint(estimator.model_dir) is not None,
           f"the Estimator has no checkpoint in {estimator.model_dir} yet - export_saved_model exports the latest "
           "checkpoint: train first, or restore the trained model.")

    # 1. what the function returns, looked at in a graph of its own (placeholders need one)
    with tf.Graph().as_default():
        receiver = attempt()
        if not isinstance(receiver, tf.estimator.export.ServingInputReceiver):  # (it is a namedtuple itself)
            expect(not isinstance(receiver, (tuple, list, dict)),
                   f"your function returns a {type(receiver).__name__}; return tf.estimator.export."
                   "ServingInputReceiver(features, receiver_tensors) - a (features, labels) tuple is what an "
                   "input_fn returns.")
            expect(not isinstance(receiver, tf.Tensor), "your function returns the placeholder itself; wrap it: "
                   "return tf.estimator.export.ServingInputReceiver({'images': images}, {'images': images}).")
            raise Hint(f"return a tf.estimator.export.ServingInputReceiver, not a {type(receiver).__name__}.")
        inputs = receiver.receiver_tensors
        expect("images" in inputs,
               f"the SavedModel's input is called {sorted(inputs)}; name it 'images': receiver_tensors="
               "{'images': images} (a bare tensor is named 'input').")
        placeholder = inputs["images"]
        expect(placeholder.dtype == tf.float32,
               f"the 'images' placeholder is {placeholder.dtype.name}; the model computes in float32 and the "
               "SavedModel takes images as prepare_images returns them: tf.float32, values in [0, 1].")
        shape = placeholder.shape
        expect(shape.rank == 4 and shape.as_list()[1:] == [28, 28, 1],
               f"the 'images' placeholder has shape {shape}; the model takes a batch of 28x28 one-channel images: "
               "[None, 28, 28, 1] (the batch dimension first, the channel last).")
        expect(shape[0] is None,
               f"the placeholder's batch dimension is fixed at {shape[0]}: use None, so any number of images fits.")
        features = receiver.features
        expect("images" in features,
               f"the features are {sorted(features)}; model_fn reads features['images'] - return "
               "ServingInputReceiver({'images': ...}, ...) (a bare tensor as features becomes {'feature': ...}).")
        with tf.compat.v1.Session() as session:
            seen = session.run(features["images"], {placeholder: images})
        expect(np.shape(seen) == images.shape,
               f"features['images'] has shape {np.shape(seen)} for {images.shape} images; pass them on unchanged.")
        expect(np.allclose(seen, images, atol=1e-6),
               f"features['images'] changes the images: [0, 1] becomes [{float(np.min(seen)):g}, "
               f"{float(np.max(seen)):g}]. The images arrive already scaled to [0, 1] (prepare_images) - "
               "don't scale them again.")

    # 2. export, load the SavedModel without the Estimator, compare with estimator.predict
    with tempfile.TemporaryDirectory() as base:
        if export is None:
            path = estimator.export_saved_model(base, attempt)
        else:
            path = export(estimator, base)
            expect(path is not None, "your export function returns None: return the path that "
                                     "estimator.export_saved_model(...) returns.")
        path = Path(path.decode() if isinstance(path, bytes) else str(path))
        expect((path / "saved_model.pb").is_file(),
               f"there is no saved_model.pb in {path.name!r}: export into the export_dir_base you are given, and "
               "return the path export_saved_model returns.")
        expect(Path(base).resolve() in path.resolve().parents,
               "export into the export_dir_base argument, not into another folder.")
        loaded = tf.saved_model.load(str(path))
        expect("serving_default" in loaded.signatures, "the SavedModel has no 'serving_default' signature.")
        outputs = loaded.signatures["serving_default"](images=tf.constant(images))
        saved_classes = outputs["classes"].numpy()
    classes, _ = predict_images(estimator, images, check_background=False)  # Fashion images may be bright all over
    same = int((saved_classes == classes).sum())
    expect(same == len(classes), f"the SavedModel agrees with estimator.predict on {same} of {len(classes)} images: "
                                 "pass the images to the model exactly as training saw them.")


# ---------------------------------------------------------------------------------------------------------------
# Notebook 02: the learner writes a three-mode model_fn.

#: Errors a learner's model_fn commonly raises, as (regex on "Type: message", hint).
MODEL_FN_MISTAKES = [
    (r"labels. must not be None|None values not supported|NoneType",
     "in PREDICT mode labels is None (there is nothing to compare with): return the PREDICT EstimatorSpec "
     "before you build the loss and the metrics"),
    (r"Missing predictions", "a PREDICT EstimatorSpec needs predictions={'classes': ..., 'probabilities': ...}"),
    (r"Missing loss", "EVAL and TRAIN EstimatorSpecs need loss=... (the mean cross-entropy of the batch)"),
    (r"Missing train_op", "a TRAIN EstimatorSpec needs train_op=optimizer.minimize(loss, global_step=...)"),
    (r"eval_metric_ops must be \(metric_value, update_op\)",
     "a metric is a (value, update_op) pair, which tf.compat.v1.metrics.accuracy(labels=..., predictions=...) "
     "returns - a plain tensor such as tf.reduce_mean(...) is not: it would average nothing over the batches"),
    (r"eval_metric_ops must be a dict", "eval_metric_ops is a dict: {'accuracy': tf.compat.v1.metrics.accuracy(...)}"),
    (r"Shapes \(None, 10\) and \(None,\)|Shapes \(None,\) and \(None, 10\)",
     "compare the labels with the predicted classes (tf.argmax(logits, axis=-1)), not with the logits or "
     "probabilities"),
    (r"not subscriptable", "params is the HParams object given to the Estimator: read params.learning_rate"),
    (r"has no attribute 'learning_rate'|has no attribute 'dropout_rate'",
     "params holds learning_rate, batch_size and dropout_rate: read them as params.learning_rate, ..."),
]


def _model_fn_hint(error: BaseException) -> str:
    text = f"{type(error).__name__}: {_first_line(error)}"
    hints = [hint for pattern, hint in MODEL_FN_MISTAKES if re.search(pattern, text, re.S)]
    return text + (f"\n  Hint: {hints[0]}" if hints else "")


def check_model_fn(attempt, mnist, params, steps: int = 100, batch_size: int = 64) -> dict:
    """Check a learner's ``model_fn(features, labels, mode, params)`` (notebook 02's main exercise).

    Calls it once per mode on placeholders, as the Estimator would, and checks each ``EstimatorSpec``: PREDICT
    works with ``labels=None`` and returns ``classes`` and ``probabilities`` but no loss; EVAL has a loss and an
    ``"accuracy"`` metric that is a ``(value, update_op)`` pair; TRAIN's ``train_op`` increments the global step;
    dropout is on in TRAIN only. Then trains it with an Estimator for ``steps`` steps (``max_steps``, in a
    temporary model_dir) and requires the loss to go down. Raises :class:`Hint`; returns the first and last losses.
    """
    import tempfile

    import numpy as np
    import tensorflow as tf

    modes = tf.estimator.ModeKeys
    images = np.asarray(mnist.train_images[:64], np.float32)
    labels = np.asarray(mnist.train_labels[:64], np.int32)
    if attempt.__class__.__name__ == "Estimator":
        raise Hint("pass the model_fn itself, not an Estimator built from it")

    def build(mode, with_labels=True):
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.set_random_seed(0)
            step = tf.compat.v1.train.get_or_create_global_step()  # the Estimator creates it before model_fn
            x = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1], name="features")
            y = tf.compat.v1.placeholder(tf.int32, [None], name="labels") if with_labels else None
            try:
                spec = attempt(x, y, mode, params)
            except (NotImplementedError, Hint):
                raise
            except Exception as error:  # the learner's code failed: say in which mode, and why if we know
                raise Hint(f"called in {mode.upper()} mode, your model_fn raised {_model_fn_hint(error)}") from None
            expect(spec is not None, f"your model_fn returned None in {mode.upper()} mode: end each branch with "
                                     "`return tf.estimator.EstimatorSpec(mode, ...)`")
            expect(isinstance(spec, tf.estimator.EstimatorSpec),
                   f"in {mode.upper()} mode your model_fn returned a {type(spec).__name__}, not an EstimatorSpec: "
                   "return tf.estimator.EstimatorSpec(mode, predictions=..., loss=..., ...)")
            expect(spec.mode == mode, f"the EstimatorSpec says mode={spec.mode!r} when called with {mode!r}: "
                                      "pass on the mode the Estimator gave you")
            init = [tf.compat.v1.global_variables_initializer(), tf.compat.v1.local_variables_initializer()]
        session = tf.compat.v1.Session(graph=graph)
        session.run(init)
        feed = {x: images, **({y: labels} if with_labels else {})}
        return session, feed, spec, step

    # PREDICT: no labels, no loss; classes and probabilities; the same answer twice (no dropout).
    session, feed, spec, _ = build(modes.PREDICT, with_labels=False)
    with session:
        expect(spec.loss is None, "PREDICT has no labels, so no loss: return the PREDICT EstimatorSpec with "
                                  "predictions only, before you build the loss")
        predictions = spec.predictions
        expect(isinstance(predictions, dict) and {"classes", "probabilities"} <= set(predictions),
               "in PREDICT mode return predictions={'classes': tf.argmax(logits, axis=-1), "
               "'probabilities': tf.nn.softmax(logits)} - a dict, so that predict() yields both for each image")
        expect(predictions["classes"].shape.as_list() == [None],
               f"predictions['classes'] should be one class per image (shape [None]), not "
               f"{predictions['classes'].shape}: tf.argmax(logits, axis=-1)")
        first, second = session.run(predictions, feed), session.run(predictions, feed)
        expect(np.allclose(first["probabilities"], second["probabilities"]),
               "PREDICT gave different probabilities for the same images twice: dropout is on - pass "
               "is_training=(mode == tf.estimator.ModeKeys.TRAIN) to architecture")
        expect(first["probabilities"].shape == (len(images), 10)
               and np.allclose(first["probabilities"].sum(axis=1), 1.0, atol=1e-4),
               "predictions['probabilities'] should be 10 probabilities per image summing to 1: "
               "tf.nn.softmax(logits)")
        expect(np.array_equal(first["classes"], first["probabilities"].argmax(axis=1)),
               "predictions['classes'] should be the most probable class: tf.argmax(logits, axis=-1)")

    # EVAL: a scalar loss without dropout, and accuracy as a (value, update_op) pair.
    session, feed, spec, _ = build(modes.EVAL)
    with session:
        expect(spec.loss is not None and spec.loss.shape.rank == 0,
               "EVAL needs the loss: a scalar, e.g. tf.compat.v1.losses.sparse_softmax_cross_entropy(...)")
        metrics = spec.eval_metric_ops or {}
        expect("accuracy" in metrics, f"eval_metric_ops has the keys {sorted(metrics)}: name the accuracy metric "
                                      "'accuracy' (the post called it 'Accuracy'; the checks of this series read "
                                      "'accuracy')")
        accuracy = metrics["accuracy"]
        if isinstance(accuracy, tuple):
            expect(len(accuracy) == 2, "a metric is a (value, update_op) pair")
            session.run(accuracy[1], feed)
            value = session.run(accuracy[0])
        else:  # a Keras metric object, which TF 2.15's EstimatorSpec also accepts
            session.run(accuracy.updates, feed)
            value = session.run(accuracy.result())
        expect(0.0 <= float(value) <= 1.0, f"the accuracy after one batch is {value}, not a fraction: "
                                           "tf.compat.v1.metrics.accuracy(labels=labels, predictions=classes)")
        losses = session.run(spec.loss, feed), session.run(spec.loss, feed)
        expect(np.isclose(*losses), "EVAL gave two different losses for the same batch: dropout is on - pass "
                                    "is_training=(mode == tf.estimator.ModeKeys.TRAIN) to architecture")

    # TRAIN: a loss and a train_op that increments the global step; dropout on.
    session, feed, spec, step = build(modes.TRAIN)
    with session:
        expect(spec.loss is not None, "TRAIN needs the loss too: the Estimator logs it and stops on NaN")
        expect(spec.train_op is not None, "TRAIN needs train_op=optimizer.minimize(loss, global_step=...)")
        losses = session.run(spec.loss, feed), session.run(spec.loss, feed)
        expect(not np.isclose(*losses), "the TRAIN loss is the same twice for one batch: dropout is off while "
                                        "training - is_training should be True in TRAIN mode")
        session.run(spec.train_op, feed)
        after = int(session.run(step))
        expect(after == 1, f"after one train_op the global step is {after}, not 1: pass "
                           "global_step=tf.compat.v1.train.get_or_create_global_step() to optimizer.minimize - "
                           "without it Estimator.train(max_steps=...) never reaches max_steps and never stops"
               if after == 0 else f"after one train_op the global step is {after}, not 1: increment it once, "
                                  "through optimizer.minimize(loss, global_step=...)")

    # Train it for real: the loss must go down.
    from helpers.inputs import get_train_inputs

    recorded = []

    class LossRecorder(tf.compat.v1.train.SessionRunHook):
        def begin(self):
            self._loss = tf.compat.v1.get_collection("check_model_fn_loss")[-1]

        def before_run(self, run_context):
            return tf.compat.v1.train.SessionRunArgs(self._loss)

        def after_run(self, run_context, run_values):
            recorded.append(float(run_values.results))

    def recording_model_fn(features, labels, mode, params):
        spec = attempt(features, labels, mode, params)
        tf.compat.v1.add_to_collection("check_model_fn_loss", spec.loss)
        return spec

    input_fn, input_hook = get_train_inputs(batch_size, mnist, seed=1)
    with tempfile.TemporaryDirectory(prefix="check_model_fn_") as model_dir:
        config = tf.estimator.RunConfig(model_dir=model_dir, tf_random_seed=42, save_checkpoints_steps=None,
                                        save_checkpoints_secs=None, save_summary_steps=None,
                                        log_step_count_steps=None)
        estimator = tf.estimator.Estimator(recording_model_fn, params=params, config=config)
        estimator.train(input_fn, hooks=[input_hook, LossRecorder()], max_steps=steps)
    expect(len(recorded) == steps, f"training ran {len(recorded)} steps instead of {steps}")
    start, end = recorded[0], float(np.mean(recorded[-10:]))
    expect(end < 0.8 * start, f"after {steps} training steps the loss went from {start:.3f} to {end:.3f}: it should "
                              "fall - minimize the loss with tf.compat.v1.train.AdamOptimizer(params.learning_rate)")
    print(f"  trained {steps} steps: loss {start:.3f} -> {end:.3f} (mean of the last 10)")
    return {"start_loss": start, "end_loss": end}


# --- notebook 01: the learner writes the post's get_train_inputs(batch_size, mnist) -----------------------------

#: Hints for errors the learner's own code raises in notebook 01's main exercise (regex on "Type: message").
TRAIN_INPUTS_MISTAKES = [
    (r"placeholder\(\) is not compatible with eager execution",
     "make the placeholders inside input_fn: the Estimator calls input_fn in the graph it builds, while "
     "get_train_inputs itself runs eagerly, outside any graph."),
    (r"has no attribute 'make_initializable_iterator'",
     "in TF 2 the iterator is made by a function: tf.compat.v1.data.make_initializable_iterator(dataset)."),
    (r"has no attribute 'placeholder'",
     "placeholders live in tf.compat.v1: tf.compat.v1.placeholder(images.dtype, images.shape)."),
    (r"must feed a value for placeholder",
     "run iterator.initializer with feed_dict={images_placeholder: images, labels_placeholder: labels}."),
    (r"not been initialized|not initialized",
     "the iterator was never initialized: the hook you return must be the one whose "
     "iterator_initializer_func input_fn sets, and that function must run iterator.initializer."),
    (r"takes \d+ positional arguments? but \d+ (was|were) given",
     "keep the signatures: get_train_inputs(batch_size, mnist) and an input_fn() without arguments; "
     "iterator_initializer_func takes the session."),
]


def _short_repr(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:80]}" if len(text) <= 80 else type(value).__name__


def _fed_by(op, kind: str) -> bool:
    """Whether a Dataset op of type ``kind`` feeds ``op`` (directly or through other Dataset ops)."""
    seen, todo = set(), [op]
    while todo:
        current = todo.pop()
        for tensor in current.inputs:
            source = tensor.op
            if source.name not in seen and "Dataset" in source.type:
                if source.type.startswith(kind):
                    return True
                seen.add(source.name)
                todo.append(source)
    return False


def check_train_inputs(attempt, mnist, batch_size: int = 96) -> None:
    """Check a learner's ``get_train_inputs(batch_size, mnist)`` the way an Estimator would use it; train nothing.

    It must return ``(input_fn, hook)``; ``input_fn()`` builds placeholders -> Dataset (the post's
    ``repeat`` -> ``shuffle(10000)`` -> ``batch``) -> initializable iterator in a fresh graph and returns the
    ``(images, labels)`` batch; the hook initializes the iterator in a ``MonitoredSession``. Checked: the
    GraphDef stays small (no arrays as constants), the batches' shapes and dtypes, that images keep their
    labels, come shuffled, in the post's order, and never run out (more batches than one epoch holds).
    Raises :class:`Hint` naming the mistake.
    """
    import numpy as np
    import tensorflow as tf

    from helpers.inputs import POST_SHUFFLE_BUFFER

    images, labels = np.asarray(mnist.train_images), np.asarray(mnist.train_labels)
    n = len(images)
    input_fn, hook = _input_fn_and_hook(attempt(batch_size, mnist), "get_train_inputs")

    graph = tf.Graph()
    with graph.as_default():
        features, targets = _next_batch(input_fn, graph, images)
        expect(features.dtype == tf.float32 and targets.dtype == tf.int32,
               f"the batches' dtypes are {features.dtype.name} / {targets.dtype.name}, not float32 / int32: make the "
               "placeholders with the arrays' own dtypes (images.dtype, labels.dtype).")
        expect(features.shape.as_list()[1:] == [28, 28, 1] and targets.shape.rank == 1,
               f"the batches' shapes are {features.shape} / {targets.shape}, not (batch, 28, 28, 1) / (batch,): "
               "build the Dataset from the (images, labels) pair with from_tensor_slices, then batch it.")
        expect(getattr(hook, "iterator_initializer_func", True) is not None,
               "hook.iterator_initializer_func was never set: in input_fn, set it to a function of the session "
               "that runs iterator.initializer, feeding the arrays into the placeholders.")
        shuffle = next((op for op in graph.get_operations() if op.type.startswith("ShuffleDataset")), None)
        buffer = None if shuffle is None else tf.get_static_value(shuffle.inputs[1])
        if buffer is not None and int(buffer) != POST_SHUFFLE_BUFFER:
            raise Hint(f"your shuffle buffer holds {int(buffer):,} examples; the post's holds "
                       f"{POST_SHUFFLE_BUFFER:,}: dataset.shuffle(buffer_size={POST_SHUFFLE_BUFFER}).")
        expect(shuffle is None or not _fed_by(shuffle, "BatchDataset"),  # before running: 10,000 batches is a lot
               "you shuffle whole batches (shuffle comes after batch): the post shuffles the examples and then "
               "batches them - repeat(None), then shuffle(buffer_size=10000), then batch(batch_size).")

        wanted = n // batch_size + 3  # more batches than one epoch holds
        batches = []
        try:
            with tf.compat.v1.train.MonitoredSession(hooks=[hook]) as session:
                while len(batches) < wanted:
                    batches.append(session.run([features, targets]))
        except tf.errors.FailedPreconditionError:
            raise Hint("the iterator was not initialized when the first batch was asked for (FailedPreconditionError: "
                       "GetNext() failed because the iterator has not been initialized): the hook you return must be "
                       "the one whose iterator_initializer_func input_fn sets, and that function must run "
                       "iterator.initializer with the feed_dict.") from None
        except RuntimeError as error:
            if "IteratorInitializerHook" not in str(error):
                raise
            raise Hint("the hook's iterator_initializer_func was not set in the graph being run: "
                       "set it inside input_fn, where the iterator is made.") from None

    # OutOfRangeError at the end of the data leaves the `with MonitoredSession` block quietly: count the batches.
    pulled = sum(len(b[1]) for b in batches)
    expect(len(batches) == wanted,
           f"the data ran out after {len(batches)} batches ({pulled:,} examples: one pass over the {n:,} training "
           "images). The post's training input is endless: dataset.repeat(None) before shuffle and batch, so the "
           "Estimator's steps decide when training stops.")
    sizes = [len(b[1]) for b in batches]
    expect(len(set(sizes)) == 1,
           f"the batches hold {sorted(set(sizes))} examples: a short batch at each epoch's end means you batched "
           "before repeating. The post repeats first, then shuffles, then batches, so every batch is full.")
    expect(sizes == [batch_size] * wanted,
           f"your batches hold {sizes[0]} examples, but get_train_inputs({batch_size}, mnist) was asked for "
           f"{batch_size}: pass the batch_size argument to dataset.batch.")
    for x, y in batches:
        expect(x.shape[1:] == (28, 28, 1) and x.dtype == np.float32 and y.dtype == np.int32,
               f"a batch came as {x.shape} {x.dtype} / {y.shape} {y.dtype}; expected float32 images of "
               "(batch, 28, 28, 1) and int32 labels.")

    index = {}
    for i, image in enumerate(images):
        index.setdefault(image.tobytes(), i)
    drawn = []
    for x, y in batches:
        for image, label in zip(x, y, strict=True):
            i = index.get(image.tobytes())
            expect(i is not None, "the batches hold images that are not mnist.train_images: feed the training "
                                  "arrays, unchanged, into the placeholders.")
            expect(labels[i] == label, "images and labels no longer match: shuffle the (image, label) pairs together "
                                       "- one Dataset.from_tensor_slices((images, labels)), not two datasets.")
            drawn.append(i)
    drawn = np.asarray(drawn)
    first = drawn[:n]
    expect(shuffle is not None and not np.array_equal(first, np.arange(len(first))),
           "the examples come in the data's order: the pipeline does not shuffle (dataset.shuffle(buffer_size=10000), "
           "after repeat and before batch).")
    expect(len(np.unique(first)) < len(first) or _fed_by(shuffle, "RepeatDataset"),
           f"the first {len(first):,} examples drawn were each training example exactly once: every epoch is a "
           "permutation, so you shuffled before repeating. That is a fine pipeline, but not the post's: it "
           "repeats, then shuffles, then batches.")
    expect(_fed_by(shuffle, "RepeatDataset"),
           "the order of your pipeline is not the post's: repeat(None), then shuffle(buffer_size=10000), "
           "then batch(batch_size).")


# --- notebook 03: write the post's experiment_fn and run it with learn_runner ------------------------------------

#: Errors a wrong ``experiment_fn`` makes ``learn_runner.run`` (or TensorFlow) raise, and what they mean.
EXPERIMENT_FN_MISTAKES = [
    (r"not return an Experiment.*NoneType", "experiment_fn must `return` the Experiment it builds."),
    (r"not return an Experiment.*Estimator", "return an Experiment(estimator=estimator, ...) that wraps the Estimator, "
                                             "not the Estimator itself: learn_runner runs a method of the Experiment "
                                             "(the schedule, here train_and_evaluate)."),
    (r"not return an Experiment", "experiment_fn must return an Experiment (from helpers.experiment import "
                                  "Experiment)."),
    (r"RuntimeError: .*RunConfig", "build the Estimator with the run_config that learn_runner passes to experiment_fn "
                                   "(config=run_config.replace(save_checkpoints_steps=...)), not with a new "
                                   "tf.estimator.RunConfig: learn_runner checks that the Estimator uses its model_dir "
                                   "(and its place in a cluster)."),
    (r"AttributeError: 'HParams' object has no attribute", "a hyper-parameter name is misspelled: print(hparams) "
                                                           "shows them - batch_size, dropout_rate, learning_rate, "
                                                           "min_eval_frequency, train_steps."),
    (r"must be a function \(an input_fn\)", "get_train_inputs and get_eval_inputs return a pair: unpack it - "
                                            "train_input_fn, train_input_hook = get_train_inputs(...) - and give the "
                                            "Experiment the function."),
    (r"must be a tf.estimator.Estimator", "Experiment(estimator=...) takes the tf.estimator.Estimator you built "
                                          "(model_fn=model_fn, params=hparams, config=run_config)."),
    (r"unexpected keyword argument", "check the argument names: Experiment(estimator, train_input_fn, eval_input_fn, "
                                     "train_steps, eval_steps, train_monitors, eval_hooks, min_eval_frequency); "
                                     "Estimator(model_fn, params=..., config=...)."),
    (r"never called in this graph", "each hook belongs to the input function it came with: train_monitors gets "
                                    "the training input's hook, eval_hooks the evaluation input's hook."),
    (r"FailedPrecondition|not (been )?initialized", "the iterator was never initialized: pass the hook that came with "
                                                    "each input function - train_monitors=[train_input_hook], "
                                                    "eval_hooks=[eval_input_hook]."),
    (r"'NoneType' object has no attribute '(learning_rate|dropout_rate|batch_size)'",
     "model_fn reads its hyper-parameters from `params`: Estimator(model_fn=model_fn, params=hparams, config=...)."),
]


def _hooks_of(spec) -> list:
    return list(getattr(spec, "hooks", None) or [])


def _inspect_experiment(experiment, hparams) -> None:
    """What shows in an Experiment before it runs: raise :class:`Hint` at the first thing that is not the post's."""
    from helpers.hparams import HParams
    from helpers.inputs import IteratorInitializerHook

    steps = experiment.train_steps
    expect(steps == hparams.train_steps,
           f"train_steps is {steps!r}, but this check runs with hparams.train_steps = {hparams.train_steps}: pass "
           "train_steps=hparams.train_steps. It is the global step training stops at (Estimator.train's max_steps), "
           "not 'this many more steps'" + (" - and None would train forever." if steps is None else "."))
    expect(any(isinstance(h, IteratorInitializerHook) for h in _hooks_of(experiment.train_spec)),
           "train_monitors has no IteratorInitializerHook, so the training iterator would never be initialized "
           "(FailedPreconditionError ... not initialized): pass train_monitors=[train_input_hook], the hook "
           "get_train_inputs returned.")
    expect(any(isinstance(h, IteratorInitializerHook) for h in _hooks_of(experiment.eval_spec)),
           "eval_hooks has no IteratorInitializerHook, so the evaluation iterator would never be initialized "
           "(FailedPreconditionError ... not initialized): pass eval_hooks=[eval_input_hook], the hook "
           "get_eval_inputs returned.")
    expect(experiment.eval_steps is None,
           f"eval_steps is {experiment.eval_steps!r} (the TF 1.x default is 100): an evaluation would stop after that "
           "many batches, which covers the whole test split only by luck. Pass eval_steps=None, as the post did: "
           "evaluate until the evaluation input is exhausted.")
    frequency = getattr(experiment, "_min_eval_frequency", hparams.min_eval_frequency)
    expect(frequency == hparams.min_eval_frequency,
           f"the Experiment's min_eval_frequency is {frequency!r}: pass min_eval_frequency=hparams.min_eval_frequency.")
    params = experiment.estimator.params
    expect(isinstance(params, HParams) and params.values() == hparams.values(),
           "the Estimator's params are not the hparams learn_runner passed in: Estimator(model_fn=model_fn, "
           "params=hparams, config=run_config) - model_fn reads learning_rate and dropout_rate from them.")


def check_experiment_fn(attempt, model_dir, train_steps: int = 200, min_eval_frequency: int = 100,
                        min_accuracy: float = 0.9, seed: int = 42, hparams=None) -> dict:
    """Run the learner's ``experiment_fn(run_config, hparams)`` with ``learn_runner.run`` - a small run of
    ``train_steps`` steps in ``model_dir`` (removed first) - and check what it did: evaluations at every
    ``min_eval_frequency`` global steps (read from the eval event files), training to ``train_steps``, and a final
    accuracy of at least ``min_accuracy``. Returns the last evaluation.

    The Experiment is inspected before it runs (train_steps, the iterator hooks, eval_steps, min_eval_frequency,
    params), so the usual mistakes get their hint without training. Raises :class:`Hint`; the notebook calls it
    through :func:`check` with :data:`EXPERIMENT_FN_MISTAKES`. ``hparams``, when given, replaces the default
    hyper-parameters and its ``train_steps`` and ``min_eval_frequency`` the two arguments (notebook 05's real run).
    """
    import os
    from pathlib import Path

    import tensorflow as tf

    from helpers import learn_runner
    from helpers.experiment import Experiment
    from helpers.notebook import fresh_model_dir
    from helpers.tensorboard import read_scalars
    from helpers.train import default_hparams

    expect(callable(attempt), "pass the function itself - check(..., my_experiment_fn, ...) - without calling it; "
                              "learn_runner.run calls it with (run_config, hparams).")
    model_dir = Path(model_dir)
    fresh_model_dir(model_dir)  # a fresh run, so the global steps below are this run's
    if hparams is None:
        hparams = default_hparams(train_steps=train_steps, min_eval_frequency=min_eval_frequency)
    train_steps, min_eval_frequency = hparams.train_steps, hparams.min_eval_frequency
    run_config = tf.estimator.RunConfig(model_dir=str(model_dir), tf_random_seed=seed, log_step_count_steps=None)

    def inspected_experiment_fn(config, params):
        experiment = attempt(config, params)
        estimator = getattr(experiment, "estimator", None)
        uses_run_config = estimator is not None and os.path.normpath(str(estimator.config.model_dir)) == \
            os.path.normpath(str(config.model_dir))
        if isinstance(experiment, Experiment) and uses_run_config:  # otherwise learn_runner says what is wrong
            _inspect_experiment(experiment, params)
        return experiment

    outcome = learn_runner.run(inspected_experiment_fn, run_config=run_config, schedule="train_and_evaluate",
                               hparams=hparams)
    eval_result = outcome[0] if isinstance(outcome, tuple) else outcome
    eval_dir = model_dir / "eval"
    expect(eval_dir.is_dir(), f"no evaluation was written to {eval_dir}: did the Experiment evaluate?")
    steps, accuracy = read_scalars(model_dir)["eval"]["accuracy"]
    steps = steps.tolist()
    expected = list(range(min_eval_frequency, train_steps + 1, min_eval_frequency))
    final_step = int(tf.train.load_variable(str(model_dir), "global_step"))
    expect(final_step == train_steps,
           f"training stopped at global step {final_step}, not {train_steps}: is train_input_fn the training input "
           "(get_train_inputs, which repeats forever)? The evaluation input ends after one pass.")
    expect(steps == expected or not set(steps) <= {0, train_steps},
           f"the run evaluated only the checkpoints saved when training started and ended (global steps {steps}), "
           f"not one every {min_eval_frequency} steps: an Experiment evaluates checkpoints only, and RunConfig "
           "checkpoints every 600 seconds by default. Checkpoint every min_eval_frequency steps - run_config = "
           "run_config.replace(save_checkpoints_steps=hparams.min_eval_frequency) - and give that run_config to the "
           "Estimator.")
    expect(steps == expected, f"evaluations ran at global steps {steps}, expected {expected} (every "
                              f"min_eval_frequency = {min_eval_frequency} steps): checkpoint every "
                              "hparams.min_eval_frequency steps, and pass min_eval_frequency="
                              "hparams.min_eval_frequency.")
    expect(accuracy[-1] >= min_accuracy,
           f"the final evaluation accuracy is {accuracy[-1]:.3f}, below {min_accuracy}: is the Estimator built with "
           "model_fn and params=hparams, and does train_input_fn feed the training split? If so, the "
           "hyper-parameters (learning_rate, train_steps, batch_size) did not train it far enough.")
    return dict(eval_result)


# --- notebook 05: the whole workflow on Fashion-MNIST -----------------------------------------------------------
# Notebook 05 reuses the checkers above (check_train_inputs, check_model_fn, check_experiment_fn with its hparams,
# check_serving_input_receiver_fn); the ones below check the pieces the earlier notebooks wrote for the learner
# (the evaluation input, the SavedModel prediction) and the decisions they did not ask for (per-class accuracy,
# hyper-parameters within a time budget, reading the evaluation).

def _input_fn_and_hook(result, name: str):
    """``(input_fn, hook)`` from what a learner's ``get_..._inputs`` returned, or a :class:`Hint`."""
    import tensorflow as tf

    hook_type = tf.compat.v1.train.SessionRunHook
    expect(not callable(result) or isinstance(result, tuple),
           f"{name} returned only a function. Return two things, (input_fn, hook): the Estimator needs the hook too, "
           "to initialize the iterator (hooks=[hook]).")
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"{name} must return two things, (input_fn, hook); it returned {_short_repr(result)}.")
    input_fn, hook = result
    expect(not (isinstance(input_fn, hook_type) and callable(hook)),
           "you returned (hook, input_fn): return them in the post's order, (input_fn, hook).")
    expect(callable(input_fn), f"the first thing returned must be the input function; got {_short_repr(input_fn)}.")
    expect(isinstance(hook, hook_type),
           f"the second thing returned must be the IteratorInitializerHook; got {_short_repr(hook)}.")
    return input_fn, hook


def _next_batch(input_fn, graph, images):
    """Call the learner's ``input_fn`` in ``graph``: it must return the ``(images, labels)`` tensors of
    ``iterator.get_next()`` and must not put the arrays into the graph as constants. Returns the two tensors."""
    import tensorflow as tf

    out = input_fn()
    expect(not isinstance(out, tf.data.Dataset),
           "input_fn returned the Dataset. In the post's pipeline it returns the next batch: make an "
           "initializable iterator on the dataset and return iterator.get_next().")
    expect(not isinstance(out, tf.compat.v1.data.Iterator),
           "input_fn returned the iterator; return iterator.get_next(), the (images, labels) batch tensors.")
    expect(isinstance(out, (tuple, list)) and len(out) == 2 and all(isinstance(t, tf.Tensor) for t in out),
           f"input_fn must return the (images, labels) tensors of iterator.get_next(); got {_short_repr(out)}.")
    features, targets = out
    size = graph.as_graph_def().ByteSize()
    expect(size < max(images.nbytes // 2, 100_000),
           f"the graph your input_fn built is {size / 1e6:.1f} MB, about the size of the data "
           f"({images.nbytes / 1e6:.1f} MB): the arrays went into the graph as constants. Make placeholders "
           "with their dtype and shape, build the Dataset from them, and feed the arrays when the "
           "iterator's initializer runs.")
    return features, targets


#: Hints for errors the learner's own evaluation input raises (notebook 05's Exercise 2): notebook 01's, in its words.
EVAL_INPUTS_MISTAKES = [
    (r"placeholder\(\) is not compatible with eager execution",
     "make the placeholders inside input_fn: the Estimator calls input_fn in the graph it builds, while "
     "my_get_eval_inputs itself runs eagerly, outside any graph."),
    (r"has no attribute 'make_initializable_iterator'",
     "in TF 2 the iterator is made by a function: tf.compat.v1.data.make_initializable_iterator(dataset)."),
    (r"has no attribute 'placeholder'",
     "placeholders live in tf.compat.v1: tf.compat.v1.placeholder(images.dtype, images.shape)."),
    (r"must feed a value for placeholder",
     "run iterator.initializer with feed_dict={images_placeholder: images, labels_placeholder: labels}."),
    (r"not been initialized|not initialized",
     "the iterator was never initialized: the hook you return must be the one whose "
     "iterator_initializer_func input_fn sets, and that function must run iterator.initializer."),
    (r"takes \d+ positional arguments? but \d+ (was|were) given",
     "keep the signatures: my_get_eval_inputs(batch_size, data) and an input_fn() without arguments; "
     "iterator_initializer_func takes the session."),
]


def check_eval_inputs(attempt, mnist, batch_size: int = 300) -> None:
    """Check a learner's ``get_eval_inputs(batch_size, mnist)`` the way ``estimator.evaluate``/``predict`` use it.

    It must return ``(input_fn, hook)``; ``input_fn()`` builds placeholders -> Dataset -> batch -> initializable
    iterator and returns the ``(images, labels)`` batch. In a ``MonitoredSession`` with the hook, the batches must be
    the test split exactly once, in its order (an evaluation ends when its input does, and ``predict`` yields the
    predictions in the input's order: that is how they pair with ``mnist.test_labels``), in batches of
    ``batch_size`` with a smaller last one. Trains nothing; raises :class:`Hint` naming the mistake.
    """
    import numpy as np
    import tensorflow as tf

    images, labels = np.asarray(mnist.test_images), np.asarray(mnist.test_labels)
    n = len(images)
    input_fn, hook = _input_fn_and_hook(attempt(batch_size, mnist), "get_eval_inputs")
    graph = tf.Graph()
    with graph.as_default():
        features, targets = _next_batch(input_fn, graph, images)
        expect(getattr(hook, "iterator_initializer_func", True) is not None,
               "hook.iterator_initializer_func was never set: in input_fn, set it to a function of the session "
               "that runs iterator.initializer, feeding the arrays into the placeholders.")
        batches = []
        try:
            # at the end of the data, OutOfRangeError leaves the `with MonitoredSession` block quietly
            with tf.compat.v1.train.MonitoredSession(hooks=[hook]) as session:
                while sum(len(b[1]) for b in batches) <= n:  # until the input ends, or gives more than one pass
                    batches.append(session.run([features, targets]))
        except tf.errors.FailedPreconditionError:
            raise Hint("the iterator was not initialized when the first batch was asked for: the hook you return "
                       "must be the one whose iterator_initializer_func input_fn sets, and that function must run "
                       "iterator.initializer with the feed_dict.") from None
        except RuntimeError as error:
            if "IteratorInitializerHook" not in str(error):
                raise
            raise Hint("the hook's iterator_initializer_func was not set in the graph being run: set it inside "
                       "input_fn, where the iterator is made.") from None

    got_images = np.concatenate([b[0] for b in batches])
    got_labels = np.concatenate([b[1] for b in batches])
    sizes = [len(b[1]) for b in batches]
    expect(got_images.shape[1:] == (28, 28, 1) and got_images.dtype == np.float32 and got_labels.dtype == np.int32,
           f"a batch came as {got_images.shape[1:]} {got_images.dtype} / {got_labels.dtype}; expected float32 "
           "images of (batch, 28, 28, 1) and int32 labels.")
    position = {image.tobytes(): i for i, image in enumerate(images)}
    if not all(image.tobytes() in position for image in got_images):
        first = {image.tobytes() for image in got_images[:4]}
        expect(not any(image.tobytes() in first for image in np.asarray(mnist.train_images)),
               "the batches are the training images: evaluate on mnist.test_images and mnist.test_labels.")
        raise Hint("the batches hold images that are not mnist.test_images: feed the test arrays, unchanged.")
    expect(len(got_labels) <= n,
           f"the evaluation input did not end after one pass over the {n:,} test images: leave out repeat(), or an "
           "evaluation never ends - it stops when its input does.")
    expect(len(got_labels) == n,
           f"one pass gave {len(got_labels):,} of the {n:,} test images"
           + (": batch(batch_size) without drop_remainder=True keeps the last, smaller batch - an evaluation "
              "should see every test image." if len(got_labels) == n - n % batch_size else
              ": feed all of mnist.test_images and mnist.test_labels."))
    expect(sizes[:-1] == [batch_size] * (len(sizes) - 1),
           f"the batches hold {sizes[0]} examples, but get_eval_inputs({batch_size}, ...) was asked for {batch_size}: "
           "pass the batch_size argument to dataset.batch.")
    expect(np.array_equal(got_images, images),
           "the test images come in another order: leave out shuffle(). predict() yields its predictions in the "
           "input's order, and that is how they are paired with mnist.test_labels.")
    expect(np.array_equal(got_labels, labels),
           "the images are the test images, but the labels are not theirs: feed mnist.test_labels with them, in "
           "one Dataset.from_tensor_slices((images, labels)).")


#: Errors a wrong SavedModel prediction function raises, and what they mean.
SAVED_MODEL_PREDICT_MISTAKES = [
    (r"not callable", "a loaded SavedModel is not a function: call its signature, "
                      "tf.saved_model.load(path).signatures['serving_default'](images=...)."),
    (r"unexpected keyword argument|Expected argument names",
     "the signature's input is named 'images', as in the serving_input_receiver_fn: signature(images=...)."),
    (r"KeyError: .*serving_default", "the signature is named 'serving_default': loaded.signatures['serving_default']."),
    (r"KeyError", "the signature returns a dict with the keys of model_fn's predictions: 'classes' and "
                  "'probabilities'."),
    (r"SavedModel file does not exist|Could not find|No such file",
     "pass the folder the export returned (it holds saved_model.pb), not the export base folder."),
    (r"float64|double", "the SavedModel takes float32: tf.constant(images, tf.float32)."),
]


def check_saved_model_predict(attempt, estimator, export_path, images, n: int = 16) -> None:
    """Check a learner's ``predict(export_path, images) -> (classes, probabilities)`` that uses a SavedModel (loaded
    with ``tf.saved_model.load``, no Estimator): on the first ``n`` of ``images`` it must give ``estimator.predict``'s
    classes and probabilities. Raises :class:`Hint`; call it through :func:`check` with
    :data:`SAVED_MODEL_PREDICT_MISTAKES`.
    """
    import numpy as np

    from helpers.inference import predict_images

    expect(callable(attempt), "pass your function itself, without calling it: the check calls it with "
                              "(export_path, images).")
    images = np.asarray(images, np.float32)[:n]
    result = attempt(export_path, images)
    expect(not isinstance(result, dict),
           f"your function returns the signature's dict (keys {sorted(result) if isinstance(result, dict) else ''}); "
           "return (outputs['classes'], outputs['probabilities']) - as numpy arrays: .numpy().")
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"return two things, (classes, probabilities); your function returned {_short_repr(result)}.")
    classes, probabilities = (np.asarray(r) for r in result)
    expect(classes.shape != (len(images), 10) or probabilities.shape != (len(images),),
           "you returned (probabilities, classes): return (classes, probabilities).")
    expect(classes.shape == (len(images),),
           f"classes has shape {classes.shape} for {len(images)} images: one class per image, outputs['classes'].")
    expect(probabilities.shape == (len(images), 10),
           f"probabilities has shape {probabilities.shape}: 10 per image, outputs['probabilities'].")
    expected_classes, expected_probabilities = predict_images(estimator, images, check_background=False)
    same = int((classes == expected_classes).sum())
    expect(same == len(images),
           f"your classes agree with estimator.predict on {same} of {len(images)} images: pass the images unchanged "
           "(float32, (N, 28, 28, 1), in [0, 1]) and return outputs['classes'] in the images' order.")
    expect(np.allclose(probabilities, expected_probabilities, atol=1e-5),
           "the classes are right, but the probabilities are not estimator.predict's: return outputs['probabilities'].")


# --- notebook 05, the decisions the earlier notebooks made for the learner ---------------------------------------

def class_accuracies(labels, classes, class_names) -> dict:
    """The accuracy of each class as evaluation metrics: ``{"accuracy/<class name>": (value, update_op)}``.

    A class's accuracy is the fraction of *its* images (``labels == c``) that the model gets right, added up over all
    the batches of an evaluation: ``tf.compat.v1.metrics.accuracy`` weighted by the class's mask. The reference of
    notebook 05's Exercise 3, which the notebook goes on with when that step is not done.
    """
    import tensorflow as tf

    return {f"accuracy/{name}": tf.compat.v1.metrics.accuracy(labels=labels, predictions=classes,
                                                              weights=tf.equal(labels, c))
            for c, name in enumerate(class_names)}


def with_eval_metrics(model_fn, metrics_fn, class_names):
    """``model_fn`` with ``metrics_fn(labels, classes, class_names)``'s metrics added to its EVAL spec.

    For a ``model_fn`` that returns ``predictions["classes"]`` in EVAL mode, as ``helpers.model.model_fn`` does:
    notebook 05 wraps that reference this way when its own ``model_fn`` (Exercise 4) is not done.
    """
    import tensorflow as tf

    def wrapped(features, labels, mode, params):
        spec = model_fn(features, labels, mode, params)
        if mode != tf.estimator.ModeKeys.EVAL:
            return spec
        metrics = {**spec.eval_metric_ops,
                   **metrics_fn(tf.cast(labels, tf.int32), spec.predictions["classes"], class_names)}
        return tf.estimator.EstimatorSpec(mode, predictions=spec.predictions, loss=spec.loss, eval_metric_ops=metrics,
                                          evaluation_hooks=spec.evaluation_hooks)

    return wrapped


#: Errors a learner's per-class accuracy raises, and what they mean.
CLASS_ACCURACIES_MISTAKES = [
    (r"(weights|Shapes).*(incompatible|not compatible|must have the same)",
     "the weights mark the images of one class, one per image: weights=tf.equal(labels, c), shape [batch]."),
    (r"Cannot convert .* to EagerTensor|Expected int32|Tensor conversion requested dtype",
     "labels and classes are int32 tensors: compare them with a class number, tf.equal(labels, c)."),
    (r"object is not iterable|cannot unpack",
     "return a dict, {'accuracy/' + class_names[c]: tf.compat.v1.metrics.accuracy(...) for each class c}."),
]


def _class_accuracy_batches(n: int):
    """Two batches of (labels, predicted classes) on which a class's accuracy differs from its precision, from the
    overall accuracy, from the last batch's value and from the mean of the two batches' values: the second batch is
    smaller, and has no image of the last class. Wrong predictions go to the next class."""
    import numpy as np

    rng = np.random.default_rng(0)
    batches = []
    for per_class, present in ((10, range(n)), (3, range(n - 1))):
        labels, predicted = [], []
        for c in present:
            right = int(rng.integers(0, per_class + 1))
            labels += [c] * per_class
            predicted += [c] * right + [(c + 1) % n] * (per_class - right)
        order = rng.permutation(len(labels))
        batches.append((np.array(labels, np.int32)[order], np.array(predicted, np.int32)[order]))
    return batches


def _per_class(labels, predicted, n: int, by: str = "label"):
    """Per class: the fraction right among its images (``by="label"``) or among those predicted as it ("predicted");
    NaN for a class with none."""
    import numpy as np

    mask = {"label": labels, "predicted": predicted}[by]
    return np.array([float(np.mean(labels[mask == c] == predicted[mask == c])) if (mask == c).any() else np.nan
                     for c in range(n)])


def check_class_accuracies(attempt, class_names) -> dict:
    """Check notebook 05's ``class_accuracies(labels, classes, class_names)``: a dict of one
    ``"accuracy/<class name>"`` metric per class, each a ``(value, update_op)`` pair. Runs the update ops on two
    batches of int32 labels and predicted classes (:func:`_class_accuracy_batches`) and compares each value with the
    fraction of that class's images predicted right in both. Raises :class:`Hint` naming the mistake (the overall
    accuracy, a precision, one batch's value, ``labels == c`` in a graph); returns the values by class name.
    """
    import numpy as np
    import tensorflow as tf

    expect(callable(attempt), "pass your function itself, without calling it: the check calls it with (labels, "
                              "classes, class_names).")
    names = list(class_names)
    n = len(names)
    keys = [f"accuracy/{name}" for name in names]
    batches = _class_accuracy_batches(n)
    graph = tf.Graph()
    with graph.as_default():
        labels = tf.compat.v1.placeholder(tf.int32, [None], name="labels")
        classes = tf.compat.v1.placeholder(tf.int32, [None], name="classes")
        metrics = attempt(labels, classes, class_names)
        expect(isinstance(metrics, dict), "return a dict with one metric per class, {'accuracy/<class name>': "
                                          f"(value, update_op), ...}}; your function returned {_short_repr(metrics)}.")
        expect(sorted(metrics) != sorted(f"accuracy/{c}" for c in range(n)),
               f"name each metric after its class, not its number: 'accuracy/' + class_names[c], e.g. {keys[0]!r}.")
        missing = [key for key in keys if key not in metrics]
        expect(not missing, f"the dict has the keys {sorted(metrics)[:3]}{' ...' if len(metrics) > 3 else ''}; it "
                            f"needs one per class, 'accuracy/' + the class's name: {missing[:1]} is missing.")
        extra = sorted(set(metrics) - set(keys))
        expect(not extra, f"only the {n} per-class metrics: {', '.join(map(repr, extra))} is not one of them (the "
                          "model_fn adds 'accuracy' itself).")
        for key in keys:
            metric = metrics[key]
            expect(isinstance(metric, tuple) and len(metric) == 2,
                   f"{key} is {_short_repr(metric)}: a metric is a (value, update_op) pair, as "
                   "tf.compat.v1.metrics.accuracy(...) returns - a tensor computed from one batch would not add up "
                   "over the batches of an evaluation.")
        init = [tf.compat.v1.global_variables_initializer(), tf.compat.v1.local_variables_initializer()]
    with tf.compat.v1.Session(graph=graph) as session:
        session.run(init)
        for y, c in batches:
            session.run([metrics[key][1] for key in keys], {labels: y, classes: c})
        # fed with the last batch, so that a value computed from one batch shows as that batch's
        got = np.array(session.run([metrics[key][0] for key in keys], {labels: batches[-1][0],
                                                                        classes: batches[-1][1]}), np.float64)
    y = np.concatenate([b[0] for b in batches])
    p = np.concatenate([b[1] for b in batches])
    expected = _per_class(y, p, n)
    if np.allclose(got, expected, atol=1e-6):
        return dict(zip(names, got.tolist(), strict=True))
    expect(not np.allclose(got, 0.0), f"every class's accuracy is 0 after {len(y)} images, {int((y == p).sum())} "
                                      "of them right: is the mask `labels == c`? On a tensor in a graph that is "
                                      "Python's comparison of two objects (False), not of the values: use "
                                      "tf.equal(labels, c).")
    expect(not np.allclose(got, np.mean(y == p), atol=1e-6),
           f"every class shows the overall accuracy ({np.mean(y == p):.3f}): count only the images of class c - "
           "weights=tf.equal(labels, c).")
    expect(not np.allclose(got, _per_class(y, p, n, by="predicted"), atol=1e-6),
           "these are precisions: the fraction right among the images *predicted* as c. A class's accuracy is the "
           "fraction right among the images that *are* c: mask with tf.equal(labels, c), not tf.equal(classes, c).")
    last = _per_class(*batches[-1], n)  # NaN for the class the last batch lacks: any value there
    expect(not np.allclose(got[~np.isnan(last)], last[~np.isnan(last)], atol=1e-6),
           "these are the last batch's values only: return the (value, update_op) pair of a tf.compat.v1.metrics "
           "function, whose update_op adds each batch to the count, and whose value reads the count.")
    wrong = int(np.flatnonzero(~np.isclose(got, expected, atol=1e-6))[0])
    raise Hint(f"{keys[wrong]} is {got[wrong]:.3f} after two batches, but {expected[wrong]:.3f} of the images of "
               f"class {names[wrong]!r} were predicted as {names[wrong]!r}: a class's accuracy is the fraction of its "
               "images that the model gets right, over all the batches of an evaluation.")


def check_model_fn_reports_classes(attempt, mnist, params, class_names, steps: int = 100, batch_size: int = 64) -> dict:
    """Notebook 02's :func:`check_model_fn` (``steps`` training steps of ``batch_size``), then: the EVAL spec's
    ``eval_metric_ops`` hold the per-class ``"accuracy/<class name>"`` of notebook 05's Exercise 3 as well. Raises
    :class:`Hint`; returns the first and last losses."""
    import tensorflow as tf

    losses = check_model_fn(attempt, mnist, params, steps=steps, batch_size=batch_size)
    with tf.Graph().as_default():
        tf.compat.v1.train.get_or_create_global_step()
        spec = attempt(tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]),
                       tf.compat.v1.placeholder(tf.int32, [None]), tf.estimator.ModeKeys.EVAL, params)
    missing = [f"accuracy/{name}" for name in class_names if f"accuracy/{name}" not in (spec.eval_metric_ops or {})]
    expect(not missing, f"EVAL's eval_metric_ops has no {missing[0]!r} (nor {len(missing) - 1} more): add the "
                        "per-class accuracies of Exercise 3 to the overall one - eval_metric_ops={'accuracy': ..., "
                        "**use_class_accuracies(labels, classes, FASHION_CLASSES)}."
           if missing else "")
    return losses


def check_hparams_budget(attempt, budget_seconds: float, step_seconds: dict, evaluation_seconds: float) -> dict:
    """Check notebook 05's choice of hyper-parameters for a training run within a time budget.

    ``attempt`` is an ``HParams`` with ``learning_rate``, ``batch_size``, ``dropout_rate``, ``train_steps`` and
    ``min_eval_frequency``. Its cost is estimated from measured times: ``train_steps`` steps of
    ``step_seconds[batch_size]`` each, plus ``evaluation_seconds`` for each evaluation (one every
    ``min_eval_frequency`` steps). It must fit ``budget_seconds`` and spend at least three quarters of it (on the
    sample, more steps still raise the accuracy), evaluate two to five times with the last at the final step, keep
    Adam's learning rate between 0.0005 and 0.01 (where 500 steps train the post's network well) and the dropout a
    rate below 0.8. Raises :class:`Hint`; returns the estimate: ``{"seconds": ..., "evaluations": ...}``.
    """
    from helpers.hparams import HParams

    names = ("batch_size", "dropout_rate", "learning_rate", "min_eval_frequency", "train_steps")
    expect(isinstance(attempt, HParams), "my_hparams should be an HParams(learning_rate=..., batch_size=..., "
                                         "dropout_rate=..., train_steps=..., min_eval_frequency=...); it is "
                                         f"{_short_repr(attempt)}.")
    values = attempt.values()
    missing = [name for name in names if name not in values]
    expect(not missing, f"my_hparams has no {missing[0] if missing else ''}: the inputs, model_fn and the Experiment "
                        f"read all five - {', '.join(names)}.")
    batch, steps, every = values["batch_size"], values["train_steps"], values["min_eval_frequency"]
    expect(all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (batch, steps, every)),
           "batch_size, train_steps and min_eval_frequency are whole numbers above 0.")
    expect(batch in step_seconds, f"batch_size={batch}: choose one whose cost was measured, "
                                  f"{', '.join(map(str, sorted(step_seconds)))}, so that you can add up your run.")
    evaluations = steps // every
    training = steps * step_seconds[batch]
    cost = training + evaluations * evaluation_seconds
    expect(cost <= budget_seconds,
           f"your run costs about {cost:.1f} s - {steps:,} steps of {batch} ({training:.1f} s) and {evaluations} "
           f"evaluation(s) ({evaluations * evaluation_seconds:.0f} s) - over the budget of {budget_seconds:g} s: "
           "fewer steps, smaller batches or fewer evaluations.")
    expect(cost >= 0.75 * budget_seconds,
           f"your run costs about {cost:.1f} s of the {budget_seconds:g}: on this sample the accuracy still rises "
           "with more steps (see the table) - spend the budget.")
    expect(steps % every == 0, f"train_steps={steps} is not a multiple of min_eval_frequency={every}: make it one, so "
                               "that the evaluations fall every min_eval_frequency steps and the last on the final "
                               "step - the model you keep.")
    expect(evaluations >= 2, f"{evaluations} evaluation: evaluate at least twice (min_eval_frequency at most half "
                             "of train_steps), to see whether the accuracy was still rising at the end.")
    expect(evaluations <= 5, f"{evaluations} evaluations, {evaluations * evaluation_seconds:.0f} s of the budget: "
                             "five are plenty to see the curve - put the time into training steps.")
    rate = values["learning_rate"]
    expect(5e-4 <= rate <= 1e-2, f"learning_rate={rate:g}: in a few hundred steps Adam trains the post's network "
                                 "well between about 0.0005 and 0.01 - much lower learns too little, much higher "
                                 "jumps about (see the table).")
    dropout = values["dropout_rate"]
    expect(0.0 <= dropout < 0.8, f"dropout_rate={dropout:g}: it is the fraction of fn5's units dropped while "
                                 "training, from 0 (none) to below 0.8; the post's is 0.5.")
    return {"seconds": cost, "evaluations": evaluations}


def check_evaluation_reading(answer, class_accuracy: dict, counts, class_names) -> None:
    """Check notebook 05's reading of the evaluation: ``answer = (weakest, pair)``.

    ``weakest`` is the class with the lowest accuracy in ``class_accuracy`` (class name -> the evaluation's
    ``accuracy/<class name>``; any of a tie); ``pair`` the two classes the model confuses most often, the mistakes
    of both directions added up (``counts``: the confusion matrix, rows the true class, columns the predicted one).
    Raises :class:`Hint`; a hint says what the answer's numbers are, not which answer is right.
    """
    import numpy as np

    names = list(class_names)
    weakest, pair = answer
    expect(weakest in names, f"set ex7_weakest to a class name, one of {names}; not {weakest!r}.")
    values = np.array([class_accuracy[name] for name in names], np.float64)
    worse = int((values < class_accuracy[weakest] - 1e-9).sum())
    expect(worse == 0, f"{weakest}'s accuracy is {class_accuracy[weakest]:.2f}, and {worse} class"
                       f"{'es' if worse > 1 else ''} did worse: the weakest class has the lowest accuracy/... value of "
                       "the evaluation.")
    expect(isinstance(pair, (tuple, list, set, frozenset)) and len(set(pair)) == 2 and all(n in names for n in pair),
           f"set ex7_pair to two different class names, e.g. ('Coat', 'Pullover'); the names are {names}.")
    mistakes = np.array(counts, np.int64)
    np.fill_diagonal(mistakes, 0)
    both = mistakes + mistakes.T
    a, b = sorted(pair, key=names.index)
    i, j = names.index(a), names.index(b)
    if both[i, j] == both.max():
        return
    one_way = max(mistakes[i, j], mistakes[j, i])
    expect(one_way < mistakes.max(),
           f"taking one for the other is the model's most frequent mistake in one direction ({one_way} times), but "
           f"{a} and {b} were mixed up {both[i, j]} times in both directions, and another pair more often: add each "
           "cell to its mirror image across the diagonal (counts + counts.T).")
    raise Hint(f"{a} and {b} were mixed up {both[i, j]} times ({mistakes[i, j]} + {mistakes[j, i]}), and another "
               f"pair {both.max()} times: look for the largest counts off the diagonal, row i column j plus row j "
               "column i.")


# --- notebook 07: the post's network in Keras -------------------------------------------------------------------

#: Errors a learner's Keras network commonly raises while it is built, and what they mean.
KERAS_NETWORK_MISTAKES = [
    (r"expected (min_)?ndim=4, found ndim=3",
     "Conv2D needs (height, width, channels): the input shape is (28, 28, 1), not (28, 28)."),
    (r"Negative dimension size|would produce an output of shape with a negative|less than or equal to 0",
     "a layer shrinks the maps below zero: 5x5 convolutions with padding 'valid' (Keras' default) and 2x2 max-pools "
     "take 28 -> 24 -> 12 -> 8 -> 4."),
    (r"missing 1 required positional argument: '(kernel_size|filters|units|rate)'",
     "give each layer its size: Conv2D(20, 5, ...) (filters, kernel size), Dense(256, ...), Dropout(dropout_rate)."),
    (r"Could not interpret activation|Unknown activation", "the activation is a name: activation='relu'."),
    (r"The added layer must be an instance of class Layer|Found: <function",
     "put layers into the list - tf.keras.layers.Conv2D(...) - not functions or classes."),
]

def check_keras_network(attempt, dropout_rate: float = 0.5) -> None:
    """Check a learner's ``my_keras_network(dropout_rate)`` (notebook 07's main exercise) against the reference,
    ``helpers.keras_port.keras_network``: a built Keras model that takes (batch, 28, 28, 1) images and returns 10
    logits; the same layers in the same order with the same weight shapes (so 253,018 parameters); ReLU after each
    convolution and fn5/fn6 and none on the output; dropout at ``dropout_rate`` after fn5 and fn6, on only when
    training. Finally, with the reference's weights copied in, it must compute the reference's logits. Trains
    nothing; raises :class:`Hint`. The notebook calls it through :func:`check` with :data:`KERAS_NETWORK_MISTAKES`.
    """
    import numpy as np
    import tensorflow as tf

    from helpers.keras_port import keras_network, parameter_count

    expect(callable(attempt) and not isinstance(attempt, tf.keras.Model),
           "pass the function itself - check(..., my_keras_network, ...) - without calling it: the check calls it.")
    model = attempt(dropout_rate)
    expect(model is not None, "your function returns None: end it with `return tf.keras.Sequential([...])`.")
    expect(not isinstance(model, (list, tuple)), "you return a list of layers: wrap it, tf.keras.Sequential([...]).")
    expect(isinstance(model, tf.keras.Model),
           f"return a Keras model, tf.keras.Sequential([...]) - not a {type(model).__name__}.")
    expect(model.built and model.inputs,
           "the model does not know its input shape yet, so Keras has not made its weights: start the list with "
           "tf.keras.Input(shape=(28, 28, 1), name='images').")
    expect(tuple(model.input_shape) == (None, 28, 28, 1),
           f"the model takes inputs of shape {model.input_shape}; MNIST batches are (batch, 28, 28, 1): "
           "tf.keras.Input(shape=(28, 28, 1)).")
    reference = keras_network(dropout_rate)
    layers = [layer for layer in model.layers if not isinstance(layer, tf.keras.layers.InputLayer)]
    kinds = [type(layer).__name__ for layer in layers]
    output_shape = tuple(model.output_shape)
    expect(len(output_shape) != 4 or "Flatten" in kinds or "Reshape" in kinds,
           f"the output has shape {output_shape}: a Dense layer works on the last axis only, so the 4x4x40 maps must "
           "be flattened into 640 numbers first - tf.keras.layers.Flatten() after pool4 (the post's tf.reshape).")
    expect(output_shape == (None, 10), f"the output has shape {output_shape}; it should be 10 logits per image, "
                                       "(None, 10): the last layer is Dense(10).")

    # the layers with weights: two convolutions and three dense layers, with the post's sizes
    weighted = [layer for layer in layers if layer.weights]
    convs = [layer for layer in weighted if isinstance(layer, tf.keras.layers.Conv2D)]
    denses = [layer for layer in weighted if isinstance(layer, tf.keras.layers.Dense)]
    expect(len(convs) == 2 and len(denses) == 3 and len(weighted) == 5,
           f"your network has {len(convs)} convolution(s) and {len(denses)} dense layer(s)"
           + (f" and {len(weighted) - len(convs) - len(denses)} other layer(s) with weights" if
              len(weighted) != len(convs) + len(denses) else "")
           + "; the post's has 2 convolutions (conv1, conv3) and 3 dense layers (fn5, fn6, output).")
    for layer, (filters, name) in zip(convs, ((20, "conv1"), (40, "conv3")), strict=True):
        kernel = tuple(layer.kernel.shape[:2])
        expect(kernel == (5, 5),
               f"{name} has {kernel[0]}x{kernel[1]} kernels; the post's are 5x5: Conv2D({filters}, 5).")
        expect(layer.filters == filters, f"{name} has {layer.filters} filters; the post's has {filters}.")
        expect(tuple(layer.strides) == (1, 1), f"{name} has strides {layer.strides}; the post's convolutions move one "
                                               "pixel at a time (the default).")
    pools = [layer for layer in layers if isinstance(layer, tf.keras.layers.AveragePooling2D)]
    expect(not pools, "the post pools with the maximum, not the average: MaxPooling2D(2).")
    fn5_inputs = int(denses[0].kernel.shape[0])
    expect(fn5_inputs == 640,
           f"fn5 gets {fn5_inputs:,} numbers; the post's gets 640 = 4x4x40. "
           + ("That is 7x7x40: the convolutions use padding 'same'; the post's use 'valid' (Keras' default), "
              "28 -> 24 -> 12 -> 8 -> 4." if fn5_inputs == 7 * 7 * 40 else
              "Each convolution (5x5, padding 'valid') is followed by a 2x2 max-pool: 28 -> 24 -> 12 -> 8 -> 4."))
    for layer, (units, name) in zip(denses, ((256, "fn5"), (256, "fn6"), (10, "output")), strict=True):
        expect(layer.units == units, f"{name} has {layer.units} units; the post's has {units}.")
    expect(parameter_count(model) == parameter_count(reference),
           f"your network has {parameter_count(model):,} trainable parameters, the post's "
           f"{parameter_count(reference):,}.")

    # activations: tf-slim's layers default to ReLU, Keras' to none (compared by name: "relu" and tf.nn.relu alike)
    def activation(layer):
        return getattr(layer.activation, "__name__", type(layer.activation).__name__)

    last = activation(denses[-1])
    expect(last != "softmax",
           "the output layer has a softmax: leave it out - the output is the logits, as in the post (the loss is "
           "compiled with from_logits=True, and predictions apply the softmax themselves).")
    relu_layers = [layer for layer in layers if isinstance(layer, (tf.keras.layers.ReLU, tf.keras.layers.Activation))]
    if not relu_layers:  # activations given as arguments, as the reference does
        linear = [name for layer, name in zip([*convs, *denses[:2]], ("conv1", "conv3", "fn5", "fn6"), strict=True)
                  if activation(layer) != "relu"]
        expect(not linear, f"{', '.join(linear)} {'has' if len(linear) == 1 else 'have'} no ReLU: Keras layers have no "
                           "activation unless you give one (tf-slim's default is ReLU) - activation='relu'.")
    expect(last == "linear" or relu_layers,
           "the output layer has an activation; the post's gives plain logits: Dense(10) with no activation.")

    # dropout: after fn5 and after fn6, at dropout_rate
    dropouts = [layer for layer in layers if isinstance(layer, tf.keras.layers.Dropout)]
    expect(len(dropouts) == 2, f"your network has {len(dropouts)} dropout layer(s); the post's has two, one after fn5 "
                               "and one after fn6: tf.keras.layers.Dropout(dropout_rate).")
    rates = [float(layer.rate) for layer in dropouts]
    expect(all(np.isclose(rate, dropout_rate) for rate in rates),
           f"the dropout rates are {rates}, not dropout_rate = {dropout_rate}: Dropout(dropout_rate) - Keras' rate is "
           "the fraction dropped (tf-slim's keep_prob is the fraction kept).")

    def next_layer(layer):  # the layer after this one, past a separate ReLU/Activation layer
        following = layers[layers.index(layer) + 1:]
        following = [f for f in following if not isinstance(f, (tf.keras.layers.ReLU, tf.keras.layers.Activation))]
        return following[0] if following else None

    expect(all(isinstance(next_layer(dense), tf.keras.layers.Dropout) for dense in denses[:2]),
           "your dropout layers come after " + ", ".join(layers[layers.index(d) - 1].name for d in dropouts)
           + "; the post's come right after fn5 and right after fn6 (never after the output: the logits are not "
           "dropped).")

    # the same function: with the reference's weights, the same logits (and dropout on only when training)
    expect([w.shape.as_list() for w in model.weights] == [w.shape.as_list() for w in reference.weights],
           "your layers' weights come in another order than the post's: conv1, conv3, fn5, fn6, output.")
    model.set_weights(reference.get_weights())
    images = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    mine, expected = model(images, training=False).numpy(), reference(images, training=False).numpy()
    expect(np.allclose(mine, expected, atol=1e-4),
           "with the post's weights your network computes other logits: check the order of the layers - conv1, pool2, "
           "conv3, pool4, flatten, fn5, dropout5, fn6, dropout6, output - and that each convolution and fn5/fn6 has "
           "a ReLU.")
    expect(not np.allclose(model(images, training=True).numpy(), mine),
           "in training your network gives the same logits as in inference: is the dropout there, with a rate above 0?")


# --- notebook 08: write a Tuner for learn_runner.tune; a random search space ----------------------------------------

#: Errors a learner's Tuner commonly makes learn_runner.tune (or Python) raise, and what they mean.
TUNER_MISTAKES = [
    (r"Can't instantiate abstract class", "a Tuner subclass must define both methods, next_trial(self) and "
                                          "run_experiment(self, experiment_fn), inside the class (check names and "
                                          "indentation)."),
    (r"`hparams` must be `HParams` instance", "learn_runner needs an HParams, not the trial's dict: a copy of "
                                              "self.hparams with the trial's values set - "
                                              "copy.deepcopy(self.hparams).override_from_dict(trial)."),
    (r"`hparams` cannot be `None`", "learn_runner.tune gives the tuner an experiment_fn that must get "
                                    "hyper-parameters: pass the trial's HParams - learn_runner.run(..., hparams=...)."),
    (r"`run_config` must be a `tf.estimator.RunConfig`|Must set value for `output_dir` or `run_config`",
     "give learn_runner.run the trial's run config: run_config=self.run_config.replace(model_dir=...)."),
    (r"Unknown hyperparameter", "a trial's values are set on a copy of self.hparams, which has every "
                                "hyper-parameter; HParams(**trial) alone would lack the others."),
    (r"IndexError: list index out of range", "next_trial() went past the last trial: return False when there is no "
                                             "next one (and leave the index where it is)."),
    (r"takes \d+ positional arguments? but \d+ (were|was) given|missing \d+ required positional argument",
     "the methods are next_trial(self) and run_experiment(self, experiment_fn); the constructor stays "
     "__init__(self, trials, hparams, run_config)."),
]


def _tuner_check_model_fn(features, labels, mode, params):  # pragma: no cover - never called: nothing trains
    raise AssertionError("the Tuner check trains nothing")


def check_tuner(attempt, num_trials: int = 3) -> None:
    """Check a learner's ``ListTuner(trials, hparams, run_config)`` (notebook 08's main exercise) by running
    ``learn_runner.tune`` with it on Experiments that train nothing (their schedules return a made-up evaluation at
    once): every trial runs once, in order, with its values set on a copy of ``hparams``, in a model_dir of its own
    below ``run_config.model_dir`` with the seed kept; ``results`` gets ``(trial, eval_result)`` per trial; after the
    last trial ``next_trial()`` returns False, and keeps doing so. Raises :class:`Hint`; the notebook calls it
    through :func:`check` with :data:`TUNER_MISTAKES`."""
    import inspect
    import tempfile
    from pathlib import Path

    import tensorflow as tf

    from helpers import learn_runner
    from helpers.experiment import Experiment
    from helpers.hparams import HParams
    from helpers.tuner import Tuner

    expect(inspect.isclass(attempt), f"pass the class itself (ListTuner), not {type(attempt).__name__!r}.")
    expect(issubclass(attempt, Tuner), "make ListTuner a subclass of Tuner: class ListTuner(Tuner): ...")
    trials = [{"learning_rate": 0.01, "dropout_rate": 0.2}, {"learning_rate": 0.001, "dropout_rate": 0.5},
              {"learning_rate": 0.0001, "dropout_rate": 0.2}, {"learning_rate": 0.003, "dropout_rate": 0.35}]
    trials = trials[:num_trials]
    base = HParams(learning_rate=0.002, dropout_rate=0.5, batch_size=32, train_steps=100)
    base_values = base.values()

    def made_up_evaluation(values):  # a different accuracy for every trial, so a mixed-up result shows
        return {"accuracy": round(0.5 + values["learning_rate"] * 10 + values["dropout_rate"] / 10, 6),
                "loss": 0.5, "global_step": values.get("train_steps", 0)}

    class MadeUpExperiment(Experiment):
        """Trains nothing: every schedule returns the made-up evaluation at once."""

        def train_and_evaluate(self):
            return made_up_evaluation(self._values), []

        def evaluate(self, delay_secs=None, name=None):
            return made_up_evaluation(self._values)

    calls = []  # (run_config, hparams.values()) of each experiment_fn call

    def experiment_fn(run_config, hparams):
        calls.append((run_config, hparams.values()))
        expect(len(calls) <= len(trials), f"experiment_fn was called {len(calls)} times for {len(trials)} trials: "
                                          "next_trial() keeps returning True - return False once every trial ran "
                                          "(and run_experiment runs the one trial next_trial() moved to).")
        estimator = tf.estimator.Estimator(_tuner_check_model_fn, config=run_config)
        experiment = MadeUpExperiment(estimator, train_input_fn=lambda: None, eval_input_fn=lambda: None)
        experiment._values = hparams.values()
        return experiment

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "sweep"
        run_config = tf.estimator.RunConfig(model_dir=str(root), tf_random_seed=42)
        tuner = attempt([dict(t) for t in trials], base, run_config)
        original_next_trial, answers = tuner.next_trial, []

        def next_trial():  # stop a tuner that never says False
            answers.append(original_next_trial())
            expect(len(answers) <= len(trials) + 2, "next_trial() keeps returning True: return False once every "
                                                    "trial ran, or learn_runner.tune never stops.")
            return answers[-1]

        tuner.next_trial = next_trial
        learn_runner.tune(experiment_fn, tuner)

    expect(calls, "run_experiment never built an Experiment: run the trial with learn_runner.run(experiment_fn, "
                  "run_config=..., schedule='train_and_evaluate', hparams=...)." if answers and answers[0] else
           "next_trial() returned False at once: the first call moves to the first trial (index 0) and returns True.")
    ran = [values for _, values in calls]
    wanted = [{**base_values, **trial} for trial in trials]
    expect(not (len(ran) == len(trials) - 1 and ran == wanted[1:]),
           "the first trial never ran: self.index starts at -1, and the first next_trial() moves it to 0.")
    expect(len(ran) == len(trials), f"{len(ran)} of the {len(trials)} trials ran: next_trial() returns True while "
                                     "there is a next trial.")
    for i, (values, expected) in enumerate(zip(ran, wanted, strict=True)):
        expect(set(values) == set(expected),
               f"trial {i} ran with the hyper-parameters {sorted(values)}; it needs all of self.hparams "
               f"({', '.join(sorted(expected))}) with the trial's values set: copy.deepcopy(self.hparams)"
               ".override_from_dict(trial).")
        expect(values == expected, f"trial {i} ran with {_changed(values, base_values)} instead of {trials[i]}: "
                                   "use self.trials[self.index], the trial next_trial() moved to.")
    expect(base.values() == base_values,
           f"self.hparams changed during the sweep (now {_changed(base.values(), base_values)}): every trial set its "
           "values on the same HParams. Set them on a copy: copy.deepcopy(self.hparams).override_from_dict(trial).")
    folders = [Path(config.model_dir) for config, _ in calls]
    expect(len(set(folders)) == len(folders),
           "every trial ran in the same model_dir, so each would resume the previous trial's checkpoint instead of "
           "training from scratch: give each trial its own - os.path.join(self.run_config.model_dir, f'trial-{...}').")
    expect(all(root in folder.parents for folder in folders),
           "put each trial's model_dir below self.run_config.model_dir (the sweep's root folder: TensorBoard's logdir "
           "then shows every trial as a run).")
    expect(all(config.tf_random_seed == 42 for config, _ in calls),
           "a trial's run config lost self.run_config's seed (tf_random_seed): derive it with "
           "self.run_config.replace(model_dir=...) rather than a new RunConfig.")
    expect(answers[-1] is False and original_next_trial() is False,
           "after the last trial next_trial() must go on returning False.")
    results = getattr(tuner, "results", None)
    expect(isinstance(results, list) and len(results) == len(trials),
           f"self.results holds {len(results) if isinstance(results, list) else results!r} entries for {len(trials)} "
           "trials: report each trial's measure - self.results.append((trial, eval_result)).")
    for i, entry in enumerate(results):
        expect(isinstance(entry, tuple) and len(entry) == 2 and entry[0] == trials[i],
               f"self.results[{i}] is {entry!r:.120}; it should be (trial, eval_result), with trial the dict of "
               "values that trial tried.")
        evaluation = entry[1]
        expect(isinstance(evaluation, dict) and evaluation.get("accuracy") == made_up_evaluation(wanted[i])["accuracy"],
               f"self.results[{i}][1] is {evaluation!r:.120}, not that trial's evaluation: learn_runner.run(..., "
               "schedule='train_and_evaluate') returns (eval_result, export_results) - keep eval_result.")


def _changed(values: dict, base: dict) -> dict:
    return {k: v for k, v in values.items() if base.get(k) != v} or values


def check_random_search_space(attempt, hparams, run_config, num_trials: int = 400) -> None:
    """Check a search space for :class:`helpers.tuner.RandomTuner` (notebook 08, Exercise 2): the learning rate
    log-uniform between 1e-4 and 1e-2 (a function of the numpy Generator), ``dropout_rate`` from [0.2, 0.35, 0.5],
    ``hidden_units`` from [64, 128, 256]. Draws ``num_trials`` trials (nothing trains) and looks at them."""
    import numpy as np

    from helpers.tuner import RandomTuner

    wanted = {"learning_rate", "dropout_rate", "hidden_units"}
    expect(isinstance(attempt, dict), "the search space is a dict {hyper-parameter name: list of values, or a "
                                      "function of rng}.")
    expect(set(attempt) == wanted, f"the search space has {sorted(attempt)}; it needs exactly {sorted(wanted)}.")
    expect(callable(attempt["learning_rate"]),
           "a list gives the learning rate only the values in it; draw it: a function of the numpy Generator, "
           "lambda rng: ...")
    for name, values in (("dropout_rate", [0.2, 0.35, 0.5]), ("hidden_units", [64, 128, 256])):
        expect(not callable(attempt[name]) and list(attempt[name]) == values,
               f"{name}: a list of the values to pick from, {values}.")
    expect(all(type(units) is int for units in attempt["hidden_units"]),
           "hidden_units is a number of units, an int: 64, not 64.0 (HParams keeps each hyper-parameter's type).")
    tuner = RandomTuner(attempt, num_trials, hparams, run_config, seed=0, log_hparams=False, progress=False)
    rates = np.array([trial.values["learning_rate"] for trial in tuner.trials], dtype=float)
    expect(rates.min() >= 1e-4 and rates.max() <= 1e-2,
           f"the learning rates drawn go from {rates.min():.3g} to {rates.max():.3g}; keep them between 1e-4 and 1e-2.")
    expect(len(np.unique(rates)) > num_trials // 2, "the learning rate hardly varies between trials: draw a new one "
                                                    "in every call of the function, from the rng it is given.")
    below = float(np.mean(rates < 1e-3))
    expect(below > 0.35, f"only {below:.0%} of the learning rates drawn are below 1e-3: rng.uniform(1e-4, 1e-2) puts "
                         "most of them near 1e-2. Draw the exponent instead - 10 ** rng.uniform(-4, -2) - so each "
                         "decade gets half.")
    expect(below < 0.65, f"{below:.0%} of the learning rates drawn are below 1e-3; log-uniform between 1e-4 and 1e-2 "
                         "puts half below: 10 ** rng.uniform(-4, -2).")
