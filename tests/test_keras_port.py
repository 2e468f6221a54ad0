"""helpers.keras_port: the post's network in Keras is the post's network; it runs as an Estimator through the
Experiment and as plain Keras on the post's input; the throughput meter counts what it should."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers import keras_port  # noqa: E402


def _model_fn_variables():
    """The trainable variables the post's model_fn creates, by name, with their shapes."""
    from helpers.model import model_fn

    with tf.Graph().as_default():
        model_fn(tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]), tf.compat.v1.placeholder(tf.int32, [None]),
                 tf.estimator.ModeKeys.TRAIN, {"learning_rate": 0.001, "dropout_rate": 0.5})
        return {v.op.name: v.shape.as_list() for v in tf.compat.v1.trainable_variables()}


def test_the_keras_network_has_the_layers_and_parameters_of_the_model_fn():
    from helpers.model import LAYERS

    model = keras_port.keras_network()
    variables = _model_fn_variables()
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    assert keras_port.parameter_count(model) == sum(int(np.prod(s)) for s in variables.values()) == 253_018
    # every Keras layer with weights is a tf-slim scope of the same name, with the same shapes
    keras_shapes = {f"MnistConvNet/{layer.name}/{suffix}": w.shape.as_list()
                    for layer in model.layers for w, suffix in zip(layer.weights, ("weights", "biases"), strict=False)}
    assert keras_shapes == variables
    named = [layer.name for layer in model.layers if layer.name != "flatten"]
    assert named == list(LAYERS)  # the post's scopes, in the post's order (the reshape is Keras' Flatten)


def test_with_the_estimators_weights_the_keras_network_predicts_what_the_estimator_predicts(tiny_mnist, tmp_path):
    from helpers.inference import predict_images
    from helpers.inputs import get_train_inputs
    from helpers.model import model_fn

    estimator = tf.estimator.Estimator(model_fn, str(tmp_path), params={"learning_rate": 0.01, "dropout_rate": 0.5},
                                       config=tf.estimator.RunConfig(tf_random_seed=1))
    input_fn, hook = get_train_inputs(32, tiny_mnist, seed=1)
    estimator.train(input_fn, hooks=[hook], max_steps=5)
    classes, probabilities = predict_images(estimator, tiny_mnist.test_images[:20])

    model = keras_port.keras_network()
    before = model(tiny_mnist.test_images[:20], training=False).numpy()
    keras_port.load_estimator_weights(model, tmp_path)
    logits = model(tiny_mnist.test_images[:20], training=False).numpy()
    assert not np.allclose(tf.nn.softmax(before).numpy(), probabilities, atol=1e-3)  # the weights did change
    np.testing.assert_allclose(tf.nn.softmax(logits).numpy(), probabilities, atol=1e-5)
    assert np.array_equal(logits.argmax(axis=1), classes)

    with pytest.raises(ValueError, match=r"MnistConvNet/fn5/weights is \[640, 256\], Keras layer 'fn5' needs"):
        keras_port.load_estimator_weights(_wider_fn5_network(), tmp_path)
    with pytest.raises(ValueError, match="no checkpoint"):
        keras_port.load_estimator_weights(model, tmp_path / "empty")


def _wider_fn5_network():
    """The Keras network with 300 units in fn5 instead of 256."""
    layers = [tf.keras.Input((28, 28, 1))]
    for layer in keras_port.keras_network().layers:
        config = layer.get_config()
        if layer.name == "fn5":
            config["units"] = 300
        layers.append(layer.__class__.from_config(config))
    return tf.keras.Sequential(layers)


def _canned(run_config, hparams):
    columns = [tf.feature_column.numeric_column(keras_port.FEATURE, shape=(28, 28, 1))]
    return tf.estimator.DNNClassifier(hidden_units=[32], feature_columns=columns, n_classes=10, config=run_config,
                                      optimizer=lambda: tf.keras.optimizers.legacy.Adam(hparams.learning_rate))


def _post(run_config, hparams):
    from helpers.model import model_fn

    return tf.estimator.Estimator(model_fn, params=hparams, config=run_config)


def _keras(run_config, hparams):
    model = keras_port.compile_network(keras_port.keras_network(hparams.dropout_rate), hparams.learning_rate,
                                       legacy_optimizer=True)
    return tf.keras.estimator.model_to_estimator(keras_model=model, config=run_config, checkpoint_format="saver")


@pytest.mark.parametrize("build_estimator", [_post, _canned, _keras], ids=["model_fn", "DNNClassifier", "keras"])
def test_any_estimator_trains_and_evaluates_through_the_same_experiment(tiny_mnist, tmp_path, build_estimator):
    from helpers import learn_runner
    from helpers.tensorboard import read_scalars
    from helpers.train import default_hparams

    meter = keras_port.ExamplesPerSecondHook(batch_size=16, warmup_steps=2)
    config = tf.estimator.RunConfig(model_dir=str(tmp_path), tf_random_seed=1, log_step_count_steps=None)
    result, _ = learn_runner.run(keras_port.make_experiment_fn(tiny_mnist, build_estimator, [meter]),
                                 run_config=config, schedule="train_and_evaluate",
                                 hparams=default_hparams(train_steps=6, min_eval_frequency=3, batch_size=16))
    assert result["global_step"] == 6 and 0.0 <= result["accuracy"] <= 1.0
    assert read_scalars(tmp_path)["eval"]["accuracy"][0].tolist() == [3, 6]  # every min_eval_frequency steps
    assert meter.steps == 6 and meter.timed_steps == 4 and meter.examples_per_sec > 0


def test_model_to_estimator_needs_a_compiled_model(tmp_path):
    with pytest.raises(ValueError, match="has not been compiled"):
        tf.keras.estimator.model_to_estimator(keras_model=keras_port.keras_network(), model_dir=str(tmp_path))


def test_features_dict_puts_the_images_under_the_feature_name():
    images, labels = tf.zeros([2, 28, 28, 1]), tf.constant([1, 2])
    features, same_labels = keras_port.features_dict(lambda: (images, labels))()
    assert list(features) == ["images"] and features["images"] is images and same_labels is labels


def test_train_dataset_is_the_posts_pipeline_without_placeholders(tiny_mnist):
    n, batch_size = len(tiny_mnist.train_images), 100
    batches = list(keras_port.train_dataset(tiny_mnist, batch_size, seed=3).take(n // batch_size + 3))
    assert len(batches) == n // batch_size + 3  # endless: more batches than one epoch holds
    assert {len(labels) for _, labels in batches} == {batch_size}  # repeat before batch: every batch is full
    label_of = {image.tobytes(): label for image, label in zip(tiny_mnist.train_images, tiny_mnist.train_labels,
                                                               strict=True)}
    first_images, first_labels = (t.numpy() for t in batches[0])
    assert all(label_of[image.tobytes()] == label for image, label in zip(first_images, first_labels, strict=True))
    assert not np.array_equal(first_images, tiny_mnist.train_images[:batch_size])  # shuffled
    again = next(iter(keras_port.train_dataset(tiny_mnist, batch_size, seed=3)))[0].numpy()
    assert np.array_equal(again, first_images)  # seeded: the same batches in every run
    # repeat, then shuffle (the post's order): the 10,000-example buffer holds many epochs of these 512 images, so
    # the first 512 examples drawn already repeat some images (shuffling each epoch would give each image once)
    drawn = np.concatenate([images.numpy() for images, _ in batches])[:n]
    assert len({image.tobytes() for image in drawn}) < n

    test = list(keras_port.eval_dataset(tiny_mnist, 30))
    assert [len(labels) for _, labels in test] == [30, 30, 30, 10]  # the test split once, the last batch smaller
    assert np.array_equal(np.concatenate([images for images, _ in test]), tiny_mnist.test_images)  # in order


def test_examples_per_second_skips_the_warm_up_and_counts_the_rest():
    times = iter([0.0, 1.0, 10.0, 10.5, 11.0, 11.5])
    meter = keras_port.ExamplesPerSecond(batch_size=64, warmup_steps=2, clock=lambda: next(times))
    assert np.isnan(meter.examples_per_sec)
    for _ in range(3):
        meter.step_done()
    assert np.isnan(meter.examples_per_sec) or meter.timed_steps == 1
    for _ in range(3):
        meter.step_done()
    # steps 3-6 are timed from the end of step 2 (t=1.0) to the end of step 6 (t=11.5)
    assert meter.timed_steps == 4 and meter.seconds == pytest.approx(10.5)
    assert meter.examples_per_sec == pytest.approx(4 * 64 / 10.5)
    with pytest.raises(ValueError):
        keras_port.ExamplesPerSecond(batch_size=0)


def test_the_callback_counts_the_steps_of_fit(tiny_mnist):
    model = keras_port.compile_network(keras_port.keras_network(), 0.001)
    meter = keras_port.ExamplesPerSecondCallback(batch_size=16, warmup_steps=2)
    model.fit(keras_port.train_dataset(tiny_mnist, 16, seed=1), steps_per_epoch=3, epochs=2, verbose=0,
              callbacks=[meter])
    assert meter.steps == 6 and meter.timed_steps == 4 and meter.examples_per_sec > 0
    model.fit(keras_port.train_dataset(tiny_mnist, 16, seed=1), steps_per_epoch=3, epochs=1, verbose=0,
              callbacks=[meter])
    assert meter.steps == 3  # a new fit starts a new count


def test_the_exported_keras_model_serves_what_predict_gives(tiny_mnist, tmp_path):
    model = keras_port.compile_network(keras_port.keras_network(), 0.001)
    model.fit(keras_port.train_dataset(tiny_mnist, 16, seed=1), steps_per_epoch=3, verbose=0)
    model.export(str(tmp_path / "saved"))
    loaded = tf.saved_model.load(str(tmp_path / "saved"))  # keep it: its functions need its variables alive
    served = loaded.serve(tf.constant(tiny_mnist.test_images[:10])).numpy()
    np.testing.assert_allclose(served, model.predict(tiny_mnist.test_images[:10], verbose=0), atol=1e-5)


def test_code_lines_leaves_out_docstrings_comments_and_blank_lines():
    def documented(x):
        """A docstring
        over two lines."""
        # a comment

        y = (x +  # a comment after code
             1)
        return "not a docstring: " + str(y)

    assert keras_port.code_lines(documented) == 4  # def, the two lines of y, return
    assert keras_port.code_lines(documented, documented) == 8
