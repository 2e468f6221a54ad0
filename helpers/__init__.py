"""Helpers for the notebook series on TensorFlow's high-level training API.

One module per idea, each taught in full in a notebook before later notebooks import it:

- ``helpers.notebook``     quiet TensorFlow logs, seeds, plotting defaults, ``show_source`` (every notebook's Setup);
                           ``fresh_model_dir`` (02)
- ``helpers.exercises``    exercise checks: run the learner's code, answer a wrong try with a hint (01-05)
- ``helpers.diagrams``     figures of the mechanisms: the overview (00), one train call (02), a run's timeline (03)
- ``helpers.data``         loading MNIST: IDX files, Keras' cache, a verified download, or the bundled sample (00);
                           Fashion-MNIST, full or the bundled checksummed sample (05)
- ``helpers.plots``        image grids, prediction grids, confusion matrix (00, 04); parallel coordinates (08)
- ``helpers.inputs``       placeholder/Dataset/initializable-iterator input functions and their hook (01)
- ``helpers.hparams``      ``HParams``, re-created from TF 1.x ``tf.contrib.training`` (02)
- ``helpers.model``        the post's tf-slim CNN and its ``model_fn`` (02); the width ``hidden_units``, swept in 08
- ``helpers.experiment``   ``Experiment``, re-created from TF 1.x ``tf.contrib.learn`` (03)
- ``helpers.learn_runner`` ``learn_runner.run``, re-created from TF 1.x ``tf.contrib.learn`` (03); ``tune`` (08)
- ``helpers.tuner``        TF 1.x's ``Tuner`` interface, re-created; tuners that sweep a grid or random draws (08)
- ``helpers.hooks``        a hook that records its calls (01), a progress-bar ``SessionRunHook`` (03)
- ``helpers.tensorboard``  reading and plotting event files; ``%tensorboard`` that works from any kernel (03); the
                           HParams dashboard's rows through TensorBoard's HTTP API (08)
- ``helpers.train``        the post's ``experiment_fn``, ``run_experiment``, checkpoint checks (03, 04)
- ``helpers.tf1``          ``tf.compat.v1`` plus the re-created ``tf.contrib`` pieces, for porting TF 1.x code (03)
- ``helpers.inference``    checked preprocessing, predictions, SavedModel export and loading (04)
- ``helpers.cluster``      a localhost TensorFlow cluster: one process per task, each with its TF_CONFIG; stops them
                           all (06); ``helpers.cluster_task`` is the program each process runs
- ``helpers.keras_port``   the post's network in Keras, run as an Estimator and by ``model.fit``; examples/s (07)
- ``helpers.cli``          ``python -m helpers``: the post's complete example
- ``helpers.doctor``       ``make doctor``: is this machine ready for the series? (WORKSHOP.md)

This package imports nothing heavy at import time: TensorFlow is imported by the modules that need it.
"""
