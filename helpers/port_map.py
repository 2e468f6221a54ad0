"""The porting map: each TF 1.x piece, what replaces it in TF 2.15 and in TF 2.21 / Keras 3, and where it is taught.

One table, two readers: ``python -m helpers.audit`` (which finds these pieces in a TF 1.x codebase) and the table of
notebook 09 (the post's pieces carried to TF 2.21 and Keras 3, :func:`post_table`). Change a replacement here and
both change.

An :class:`Entry` is found by its ``keys``: canonical TF 1.x names (``tf.contrib.learn.Experiment``), where a ``*``
matches within one dotted part (``tf.train.*Hook``). Canonical names are the TF 1.x public names, ``tf.X`` (the same
object is ``tf.compat.v1.X`` in TF 2); :data:`MODULES` turns what an ``import`` names (``tensorflow.compat.v1``,
``tensorflow.contrib.learn.python.learn.learn_runner``, ``tf_slim``, this series' ``helpers.tf1``) into them.

Nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import NamedTuple

__all__ = ["CATEGORIES", "ENTRIES", "Entry", "GUIDE", "MODULES", "Match", "POST_PIECES", "Teach", "canonical_module",
           "entry", "lookup", "post_table", "post_table_markdown"]

#: The migration guides of TensorFlow, one page per topic (their sources: tensorflow/docs, site/en/guide/migrate).
GUIDE = "https://www.tensorflow.org/guide/migrate/"

#: Summary order and meaning of the categories.
CATEGORIES = {
    "contrib": "tf.contrib: removed in TensorFlow 2.0",
    "estimator": "tf.estimator and its canned estimators: removed in TensorFlow 2.16",
    "hooks": "SessionRunHooks: run only inside an Estimator or a MonitoredSession",
    "feature_columns": "feature columns: fed canned estimators",
    "graph": "graph-era pieces: sessions, placeholders, queues, iterators, initializers",
    "tf1_api": "other TF 1.x APIs that TF 2 keeps only in tf.compat.v1",
    "slim": "tf_slim: runs in TF 2.15 graphs, no place in Keras 3",
    "tf_config": "TF_CONFIG and its task types",
    "compat_v1": "other tf.compat.v1 names (what tf_upgrade_v2 leaves)",
}

NB00 = "00_start_here.ipynb"
NB01 = "01_dataset_pipeline.ipynb"
NB02 = "02_model_fn_and_estimatorspec.ipynb"
NB02_SETTINGS = "Hyper-parameters and the run's settings: `HParams` and `RunConfig`"
NB03 = "03_experiment_and_tensorboard.ipynb"
NB04 = "04_inference.ipynb"
NB06 = "06_distributed_experiment.ipynb"
NB07 = "07_canned_estimators_and_keras.ipynb"
NB08 = "08_hyperparameter_sweep.ipynb"
NB09 = "09_leaving_tf215.ipynb"


@dataclass(frozen=True)
class Teach:
    """Where this series teaches a piece: a notebook in notebooks/, the text of a heading in it, and a word that
    section mentions (the tests check both, so a renamed heading shows up here)."""

    notebook: str
    section: str
    mentions: str

    @property
    def path(self) -> str:
        return f"notebooks/{self.notebook}"

    def __str__(self) -> str:
        return f'{self.path}, section "{self.section}"'


@dataclass(frozen=True)
class Entry:
    """One TF 1.x piece and its replacements."""

    keys: tuple[str, ...]
    category: str
    title: str
    tf215: str
    tf221: str
    teach: Teach | None = None
    guide: str | None = None  # a page of GUIDE, or a full URL

    @property
    def id(self) -> str:
        return self.keys[0]

    @property
    def guide_url(self) -> str | None:
        if self.guide is None:
            return None
        return self.guide if "://" in self.guide else GUIDE + self.guide

    def as_dict(self) -> dict:
        return {"title": self.title, "category": self.category, "tf215": self.tf215, "tf221": self.tf221,
                "notebook": self.teach.path if self.teach else None,
                "section": self.teach.section if self.teach else None, "guide": self.guide_url}


def _e(keys, category, title, tf215, tf221, teach=None, guide=None) -> Entry:
    return Entry(tuple([keys] if isinstance(keys, str) else keys), category, title, tf215, tf221, teach, guide)


_NO_ESTIMATOR = "tf.estimator is gone (removed in TF 2.16)"
_FIT = "model.fit"

ENTRIES: tuple[Entry, ...] = (
    # ---------------------------------------------------------------- tf.contrib.learn, .training, .layers, ...
    _e("tf.contrib.learn.Experiment", "contrib", "Experiment",
       "helpers.experiment.Experiment (this series' re-creation, same arguments); TensorFlow's own API: "
       "tf.estimator.train_and_evaluate(estimator, tf.estimator.TrainSpec(...), tf.estimator.EvalSpec(...))",
       "no Experiment and no Estimator: model.fit(train_ds, epochs=..., steps_per_epoch=..., "
       "validation_data=eval_ds, validation_freq=..., callbacks=[...]) on a keras.Model; notebook 09 runs each "
       "job (helpers/keras3_experiment.py)",
       Teach(NB03, "The post's `experiment_fn`", "Experiment"), "migrating_estimator"),
    _e(("tf.contrib.learn.learn_runner", "tf.contrib.learn.learn_runner.run"), "contrib", "learn_runner.run",
       "helpers.learn_runner.run(experiment_fn, run_config, schedule, hparams) (this series); TensorFlow's own API: "
       "build the Estimator yourself and call tf.estimator.train_and_evaluate, which picks each task's part from "
       "TF_CONFIG",
       "call model.fit yourself; on a cluster, build and compile the model inside a tf.distribute strategy's "
       "scope (the strategy reads TF_CONFIG)",
       Teach(NB03, "Run it with `learn_runner`", "learn_runner"), "migrating_estimator"),
    _e(("tf.contrib.learn.learn_runner.tune", "tf.contrib.training.Tuner"), "contrib", "learn_runner.tune and Tuner",
       "helpers.learn_runner.tune(experiment_fn, tuner) with a helpers.tuner.Tuner (GridTuner, RandomTuner) "
       "(this series; TensorFlow shipped only the interface)",
       "a loop over trials that calls model.fit and logs each trial with tensorboard.plugins.hparams.api "
       "(notebook 08's way), or KerasTuner",
       Teach(NB08, "What TF 1.x had: `learn_runner.tune` and the `Tuner`", "learn_runner.tune")),
    _e("tf.contrib.learn.RunConfig", "contrib", "RunConfig (tf.contrib.learn)",
       "tf.estimator.RunConfig(model_dir=..., save_checkpoints_steps=..., ...), which has the same replace(); "
       "helpers.tf1.contrib.learn.RunConfig is that class",
       "no RunConfig: model_dir becomes the paths of keras.callbacks.ModelCheckpoint / BackupAndRestore / "
       "TensorBoard; save_checkpoints_steps becomes ModelCheckpoint(save_freq=N); TF_CONFIG is read by a "
       "tf.distribute strategy",
       Teach(NB02, NB02_SETTINGS, "RunConfig"), "checkpoint_saver"),
    _e("tf.contrib.learn.ModeKeys", "contrib", "ModeKeys (tf.contrib.learn)",
       "tf.estimator.ModeKeys (TRAIN, EVAL, PREDICT; contrib's INFER is PREDICT)",
       "no modes: a keras.Model has fit / evaluate / predict, and layers get training=True/False",
       Teach(NB02, "`model_fn` and `EstimatorSpec`", "ModeKeys"), "migrating_estimator"),
    _e(("tf.contrib.learn.make_export_strategy", "tf.contrib.learn.ExportStrategy",
        "tf.contrib.learn.utils.make_export_strategy"), "contrib", "export strategies (Experiment's export_strategies)",
       "tf.estimator.LatestExporter / BestExporter / FinalExporter, given to tf.estimator.EvalSpec(exporters=...) "
       "or to helpers.experiment.Experiment(export_strategies=...)",
       "model.export(path) after fit (a SavedModel with a serving signature); keras.callbacks.ModelCheckpoint("
       "save_best_only=True) for the best model",
       Teach(NB03, "The same run in TensorFlow 2.15's own API", "export_strategies"),
       "saved_model"),
    _e(("tf.contrib.learn.Estimator", "tf.contrib.learn.ModelFnOps", "tf.contrib.learn.Evaluable",
        "tf.contrib.learn.Trainable", "tf.contrib.learn.BaseEstimator"), "contrib", "tf.contrib.learn.Estimator",
       "tf.estimator.Estimator with a model_fn returning tf.estimator.EstimatorSpec (contrib's ModelFnOps)",
       "a keras.Model with compile and fit",
       Teach(NB02, "The Estimator: train, evaluate, predict", "Estimator"), "migrating_estimator"),
    _e(("tf.contrib.learn.*Classifier", "tf.contrib.learn.*Regressor"), "contrib",
       "canned estimators of tf.contrib.learn",
       "the tf.estimator class of the same name (tf.estimator.DNNClassifier, LinearClassifier, ...)",
       "a keras.Model: Dense layers for a DNN, one Dense layer for a linear model",
       Teach(NB07, "A canned estimator: `DNNClassifier`", "DNNClassifier"), "canned_estimators"),
    _e(("tf.contrib.learn.monitors", "tf.contrib.learn.monitors.*"), "contrib", "monitors (tf.contrib.learn)",
       "SessionRunHooks: tf.estimator.SessionRunHook and the tf.estimator.*Hook classes (a ValidationMonitor "
       "becomes tf.estimator.train_and_evaluate's evaluation)",
       "keras.callbacks.Callback subclasses",
       Teach(NB01, "Hooks: code that runs at fixed points of a session's life", "SessionRunHook"),
       "sessionrunhook_callback"),
    _e(("tf.contrib.learn.datasets", "tf.contrib.learn.datasets.*"), "contrib", "tf.contrib.learn.datasets",
       "tf.keras.datasets.mnist.load_data(), or helpers.data.load_mnist (this series)",
       "keras.datasets.mnist.load_data()",
       Teach(NB00, "Load the data", "mnist")),
    _e(("tf.contrib.learn", "tf.contrib.learn.*"), "contrib", "tf.contrib.learn (other)",
       "tf.estimator (Estimator, RunConfig, canned estimators, train_and_evaluate); this series re-creates "
       "Experiment, learn_runner and HParams in helpers",
       "keras.Model with compile / fit / evaluate / predict, and callbacks",
       None, "migrating_estimator"),
    _e("tf.contrib.training.HParams", "contrib", "HParams",
       "helpers.hparams.HParams (this series' re-creation: parse, values, to_json, override_from_dict)",
       "a dict or a dataclass of your values; for a sweep, tensorboard.plugins.hparams.api.HParam",
       Teach(NB02, NB02_SETTINGS, "HParams")),
    _e(("tf.contrib.training", "tf.contrib.training.*"), "contrib", "tf.contrib.training (other)",
       "tf.data for input (bucket_by_sequence_length: tf.data.experimental); HParams: helpers.hparams.HParams",
       "tf.data and Keras", None, "tf1_vs_tf2"),
    _e("tf.contrib.layers.optimize_loss", "contrib", "optimize_loss",
       "helpers.tf1.optimize_loss (this series' re-creation); TensorFlow's own API: "
       "tf.compat.v1.train.AdamOptimizer(lr).minimize(loss, global_step=tf.compat.v1.train.get_global_step()) "
       "plus tf.compat.v1.summary.scalar",
       "model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=...): fit does the step; "
       "clip_gradients becomes the optimizer's global_clipnorm",
       Teach(NB02, "The post's training op: `optimize_loss`", "optimize_loss"), "metrics_optimizers"),
    _e(("tf.contrib.layers.xavier_initializer", "tf.contrib.layers.xavier_initializer_conv2d"), "contrib",
       "xavier_initializer",
       "tf.compat.v1.glorot_uniform_initializer() (what helpers.tf1 maps it to; tf_upgrade_v2 writes "
       "tf.compat.v1.keras.initializers.VarianceScaling(scale=1.0, mode=\"fan_avg\", distribution=\"uniform\"))",
       "keras.initializers.GlorotUniform, the default kernel initializer of Dense and Conv2D"),
    _e(("tf.contrib.layers.*_column*", "tf.contrib.layers.input_from_feature_columns",
        "tf.contrib.layers.create_feature_spec_for_parsing"), "feature_columns", "feature columns (tf.contrib.layers)",
       "tf.feature_column (numeric_column, categorical_column_with_*, embedding_column, bucketized_column, "
       "crossed_column, indicator_column)",
       "Keras preprocessing layers (Normalization, StringLookup, IntegerLookup, Hashing, Discretization, "
       "HashedCrossing) or keras.utils.FeatureSpace",
       Teach(NB07, "A canned estimator: `DNNClassifier`", "feature_column"), "migrating_feature_columns"),
    _e(("tf.contrib.layers", "tf.contrib.layers.*"), "contrib", "tf.contrib.layers (layers, regularizers, ...)",
       "tf_slim has the same layer functions (conv2d, fully_connected, ...); or tf.compat.v1.layers",
       "keras.layers (Conv2D, Dense, BatchNormalization, ...) and keras.regularizers",
       Teach(NB07, "The post's network in Keras", "Keras"), "model_mapping"),
    _e(("tf.contrib.framework.get_global_step", "tf.contrib.framework.get_or_create_global_step",
        "tf.contrib.framework.create_global_step"), "contrib", "global step (tf.contrib.framework)",
       "tf.compat.v1.train.get_global_step() / get_or_create_global_step()",
       "model.optimizer.iterations (the optimizer counts its steps)",
       Teach(NB02, "The post's training op: `optimize_loss`", "get_global_step"), "metrics_optimizers"),
    _e(("tf.contrib.framework", "tf.contrib.framework.*"), "contrib", "tf.contrib.framework (other)",
       "arg_scope: tf_slim.arg_scope; variables helpers: tf.compat.v1 (get_variables, ...)",
       "Keras layers hold their own variables and arguments", None, "model_mapping"),
    _e(("tf.contrib.data.Dataset", "tf.contrib.data.TFRecordDataset", "tf.contrib.data.TextLineDataset",
        "tf.contrib.data.FixedLengthRecordDataset", "tf.contrib.data.Iterator"), "contrib", "tf.contrib.data.Dataset",
       "tf.data.Dataset (moved to core in TF 1.4), same methods; Iterator: tf.compat.v1.data.Iterator",
       "tf.data.Dataset (iterate it, or give it to model.fit)",
       Teach(NB01, "Build the pipeline step by step", "from_tensor_slices"), "https://www.tensorflow.org/guide/data"),
    _e(("tf.contrib.data.batch_and_drop_remainder", "tf.contrib.data.padded_batch_and_drop_remainder"), "contrib",
       "batch_and_drop_remainder (tf.contrib.data)",
       "dataset.batch(batch_size, drop_remainder=True) (padded_batch takes drop_remainder too), since TF 1.10",
       "the same: dataset.batch(batch_size, drop_remainder=True)",
       Teach(NB01, "Build the pipeline step by step", "batch"), "https://www.tensorflow.org/guide/data"),
    _e(("tf.contrib.data", "tf.contrib.data.*"), "contrib", "tf.contrib.data (other)",
       "tf.data.experimental (map_and_batch, shuffle_and_repeat, ... are Dataset methods now)",
       "tf.data", None, "https://www.tensorflow.org/guide/data"),
    _e(("tf.contrib.slim", "tf.contrib.slim.*"), "contrib", "slim (tf.contrib.slim)",
       "tf_slim (pip install tf-slim; 1.1.0 runs inside a TF 2.15 Estimator's graph): helpers.tf1.contrib.slim is it",
       "keras.layers: slim.conv2d -> Conv2D, max_pool2d -> MaxPooling2D, fully_connected -> Dense, dropout -> "
       "Dropout, flatten -> Flatten; the checkpoint's variables are mapped by name (notebook 09)",
       Teach(NB02, "The architecture", "tf_slim"), "model_mapping"),
    _e(("tf.contrib.estimator.stop_if_no_decrease_hook", "tf.contrib.estimator.stop_if_no_increase_hook",
        "tf.contrib.estimator.stop_if_higher_hook", "tf.contrib.estimator.stop_if_lower_hook",
        "tf.contrib.estimator.make_early_stopping_hook"), "contrib", "early stopping hooks (tf.contrib.estimator)",
       "tf.estimator.experimental.stop_if_no_decrease_hook (and its siblings)",
       "keras.callbacks.EarlyStopping(monitor=..., patience=...)", None, "early_stopping"),
    _e(("tf.contrib.estimator", "tf.contrib.estimator.*"), "contrib", "tf.contrib.estimator (other)",
       "tf.estimator and tf.estimator.experimental (most of contrib.estimator moved there in TF 1.13)",
       _NO_ESTIMATOR + ": Keras models and callbacks", None, "migrating_estimator"),
    _e(("tf.contrib.distribute", "tf.contrib.distribute.*"), "contrib", "tf.contrib.distribute",
       "tf.distribute (MirroredStrategy, MultiWorkerMirroredStrategy, ...)",
       "tf.distribute strategies with Keras 3's fit (ParameterServerStrategy is not supported by Keras 3)",
       Teach(NB06, "What `MultiWorkerMirroredStrategy` changes", "MultiWorkerMirroredStrategy"),
       "multi_worker_cpu_gpu_training"),
    _e(("tf.contrib", "tf.contrib.*"), "contrib", "tf.contrib (other)",
       "not in TF 2: tf_upgrade_v2 reports it as an error; look for the core, tf.compat.v1 or community "
       "replacement of this module",
       "the same search, among TF 2 and Keras 3 APIs", None, "upgrade"),
    # ---------------------------------------------------------------- tf.estimator
    _e("tf.estimator.Estimator", "estimator", "Estimator",
       "tf.estimator.Estimator(model_fn, model_dir, config, params) (the last release that has it)",
       "a keras.Model: the model_fn's network as layers, compile(optimizer, loss, metrics), then fit / evaluate / "
       "predict",
       Teach(NB02, "The Estimator: train, evaluate, predict", "Estimator"), "migrating_estimator"),
    _e("tf.estimator.EstimatorSpec", "estimator", "EstimatorSpec",
       "tf.estimator.EstimatorSpec(mode, predictions, loss, train_op, eval_metric_ops, export_outputs)",
       "the Model's outputs are the predictions; compile(loss=..., optimizer=..., metrics=[...]) replaces loss, "
       "train_op and eval_metric_ops",
       Teach(NB02, "`model_fn` and `EstimatorSpec`", "EstimatorSpec"), "migrating_estimator"),
    _e("tf.estimator.ModeKeys", "estimator", "ModeKeys",
       "tf.estimator.ModeKeys (TRAIN, EVAL, PREDICT)",
       "no modes: fit / evaluate / predict, and the training argument each layer gets",
       Teach(NB02, "`model_fn` and `EstimatorSpec`", "ModeKeys"), "migrating_estimator"),
    _e("tf.estimator.RunConfig", "estimator", "RunConfig",
       "tf.estimator.RunConfig(model_dir, save_checkpoints_steps, keep_checkpoint_max, ...); it reads TF_CONFIG",
       "keras.callbacks.ModelCheckpoint(save_freq=N) / BackupAndRestore / TensorBoard for the folders and "
       "frequencies; a tf.distribute strategy for TF_CONFIG",
       Teach(NB02, NB02_SETTINGS, "RunConfig"), "checkpoint_saver"),
    _e(("tf.estimator.train_and_evaluate", "tf.estimator.TrainSpec", "tf.estimator.EvalSpec"), "estimator",
       "train_and_evaluate, TrainSpec, EvalSpec",
       "tf.estimator.train_and_evaluate(estimator, TrainSpec(input_fn, max_steps, hooks), EvalSpec(input_fn, steps, "
       "hooks, exporters, throttle_secs))",
       "model.fit(train_ds, steps_per_epoch=..., epochs=..., validation_data=eval_ds, validation_steps=..., "
       "validation_freq=..., callbacks=[...])",
       Teach(NB03, "The same run in TensorFlow 2.15's own API", "TrainSpec"), "migrating_estimator"),
    _e(("tf.estimator.BoostedTreesClassifier", "tf.estimator.BoostedTreesRegressor",
        "tf.estimator.experimental.BoostedTrees*"), "estimator", "boosted trees (tf.estimator.BoostedTrees*)",
       "the same tf.estimator class (TF 2.15 still has it)",
       "no Keras layer does gradient-boosted trees: TensorFlow Decision Forests (tensorflow_decision_forests, "
       "which runs on tf_keras; TensorFlow's page 'Migrating from TF1 boosted trees' at "
       "tensorflow.org/decision_forests/migration), or XGBoost, LightGBM or scikit-learn",
       None, "canned_estimators"),
    _e(("tf.estimator.*Classifier", "tf.estimator.*Regressor", "tf.estimator.*Estimator",
        "tf.estimator.experimental.RNN*", "tf.estimator.experimental.LinearSDCA", "tf.estimator.*Head"), "estimator",
       "canned estimators",
       "the same tf.estimator class (DNNClassifier, LinearClassifier, DNNLinearCombinedClassifier, ...); "
       "give it a legacy optimizer (tf.keras.optimizers.legacy.Adam)",
       "a keras.Model: Dense layers for a DNN, one Dense layer for a linear model, both for wide & deep",
       Teach(NB07, "A canned estimator: `DNNClassifier`", "DNNClassifier"), "canned_estimators"),
    _e(("tf.estimator.export.*", "tf.estimator.export", "tf.estimator.Estimator.export_saved_model",
        "tf.estimator.Estimator.export_savedmodel"), "estimator",
       "SavedModel export (serving_input_receiver_fn, ServingInputReceiver, export outputs)",
       "estimator.export_saved_model(export_dir_base, serving_input_receiver_fn) with "
       "tf.estimator.export.ServingInputReceiver (TF 1.x called it export_savedmodel)",
       "model.export(path) (Keras 3: a SavedModel with a serving signature) or tf.saved_model.save with a "
       "tf.function signature; load it with tf.saved_model.load or keras.layers.TFSMLayer",
       Teach(NB04, "Export a SavedModel", "ServingInputReceiver"), "saved_model"),
    _e(("tf.estimator.Exporter", "tf.estimator.LatestExporter", "tf.estimator.BestExporter",
        "tf.estimator.FinalExporter"), "estimator", "exporters",
       "tf.estimator.LatestExporter / BestExporter / FinalExporter in EvalSpec(exporters=...)",
       "model.export(path) after fit; keras.callbacks.ModelCheckpoint(save_best_only=True) for the best model",
       Teach(NB03, "The same run in TensorFlow 2.15's own API", "exporters"), "saved_model"),
    _e(("tf.estimator.experimental.stop_if_no_decrease_hook", "tf.estimator.experimental.stop_if_no_increase_hook",
        "tf.estimator.experimental.stop_if_higher_hook", "tf.estimator.experimental.stop_if_lower_hook",
        "tf.estimator.experimental.make_early_stopping_hook"), "estimator", "early stopping hooks",
       "tf.estimator.experimental.stop_if_no_decrease_hook(estimator, metric_name, max_steps_without_decrease)",
       "keras.callbacks.EarlyStopping(monitor=..., patience=...)", None, "early_stopping"),
    _e("tf.estimator.experimental.InMemoryEvaluatorHook", "estimator", "InMemoryEvaluatorHook",
       "tf.estimator.experimental.InMemoryEvaluatorHook(estimator, input_fn, every_n_iter=...)",
       "model.fit(..., validation_data=eval_ds, validation_freq=...)", None, "evaluator"),
    _e(("tf.estimator.WarmStartSettings", "tf.estimator.VocabInfo"), "estimator", "warm start",
       "tf.estimator.WarmStartSettings(ckpt_to_initialize_from, vars_to_warm_start)",
       "read the old checkpoint with tf.train.load_checkpoint and assign its arrays to the Keras variables "
       "(notebook 09); model.load_weights for a Keras checkpoint",
       Teach(NB02, "What landed in `model_dir`", "checkpoint"),
       "migrating_checkpoints"),
    _e(("tf.estimator.inputs.numpy_input_fn", "tf.estimator.inputs.pandas_input_fn", "tf.estimator.inputs"),
       "estimator", "numpy_input_fn / pandas_input_fn",
       "tf.compat.v1.estimator.inputs.numpy_input_fn, or an input_fn that returns "
       "tf.data.Dataset.from_tensor_slices(...)",
       "tf.data.Dataset.from_tensor_slices((x, y)).shuffle(...).batch(...), or numpy arrays given to model.fit",
       Teach(NB01, "What TensorFlow 2 does instead", "Dataset"), "https://www.tensorflow.org/guide/data"),
    _e("tf.keras.estimator.model_to_estimator", "estimator", "model_to_estimator",
       "tf.keras.estimator.model_to_estimator(keras_model=..., model_dir=...)",
       "not needed: train the Keras model with model.fit",
       Teach(NB07, "`model_to_estimator`: the Keras network, run by the same Experiment", "model_to_estimator"),
       "migrating_estimator"),
    _e(("tf.estimator", "tf.estimator.*", "tf.estimator.experimental.*"), "estimator", "tf.estimator (other)",
       "tf.estimator (TF 2.15 is the last release that has it)", _NO_ESTIMATOR + ": Keras models and callbacks",
       None, "migrating_estimator"),
    # ---------------------------------------------------------------- hooks
    _e(("tf.train.SessionRunHook", "tf.train.SessionRunArgs", "tf.train.SessionRunContext",
        "tf.train.SessionRunValues", "tf.estimator.SessionRunHook", "tf.estimator.SessionRunArgs",
        "tf.estimator.SessionRunContext", "tf.estimator.SessionRunValues"), "hooks", "SessionRunHook",
       "tf.estimator.SessionRunHook (also tf.compat.v1.train.SessionRunHook): begin, after_create_session, "
       "before_run / after_run, end; helpers.inputs.IteratorInitializerHook is the post's",
       "keras.callbacks.Callback: on_train_begin, on_train_batch_begin / _end, on_epoch_end, on_train_end",
       Teach(NB01, "Hooks: code that runs at fixed points of a session's life", "SessionRunHook"),
       "sessionrunhook_callback"),
    _e(("tf.train.CheckpointSaverHook", "tf.estimator.CheckpointSaverHook", "tf.train.CheckpointSaverListener",
        "tf.estimator.CheckpointSaverListener"), "hooks", "CheckpointSaverHook / CheckpointSaverListener",
       "tf.estimator.CheckpointSaverHook / CheckpointSaverListener (the Estimator adds the hook from RunConfig)",
       "keras.callbacks.ModelCheckpoint(save_freq=...) or BackupAndRestore; your own Callback for a listener",
       Teach(NB02, "One `train` call, step by step", "CheckpointSaverHook"), "checkpoint_saver"),
    _e(("tf.train.LoggingTensorHook", "tf.estimator.LoggingTensorHook"), "hooks", "LoggingTensorHook",
       "tf.estimator.LoggingTensorHook(tensors, every_n_iter)",
       "the logs fit prints (metrics in compile), or a keras.callbacks.Callback that prints them", None,
       "logging_tensor_hook"),
    _e(("tf.train.StopAtStepHook", "tf.estimator.StopAtStepHook"), "hooks", "StopAtStepHook",
       "tf.estimator.StopAtStepHook(last_step=...) (train(max_steps=...) adds one)",
       "model.fit(steps_per_epoch=..., epochs=...), or a Callback that sets self.model.stop_training = True",
       Teach(NB01, "How an epoch ends", "StopAtStepHook"), "logging_stop_hook"),
    _e(("tf.train.SummarySaverHook", "tf.estimator.SummarySaverHook", "tf.train.StepCounterHook",
        "tf.estimator.StepCounterHook", "tf.train.ProfilerHook", "tf.estimator.ProfilerHook"), "hooks",
       "summary, step-counter and profiler hooks",
       "tf.estimator.SummarySaverHook / StepCounterHook / ProfilerHook",
       "keras.callbacks.TensorBoard(log_dir, update_freq=..., profile_batch=...)", None, "tensorboard"),
    _e(("tf.train.NanTensorHook", "tf.estimator.NanTensorHook"), "hooks", "NanTensorHook",
       "tf.estimator.NanTensorHook(loss_tensor)", "keras.callbacks.TerminateOnNaN()", None,
       "sessionrunhook_callback"),
    _e(("tf.train.*Hook", "tf.estimator.*Hook"), "hooks", "other SessionRunHooks",
       "the tf.estimator class of the same name (tf.estimator.FeedFnHook, FinalOpsHook, GlobalStepWaiterHook, ...)",
       "a keras.callbacks.Callback",
       Teach(NB01, "Hooks: code that runs at fixed points of a session's life", "SessionRunHook"),
       "sessionrunhook_callback"),
    # ---------------------------------------------------------------- feature columns
    _e(("tf.feature_column", "tf.feature_column.*"), "feature_columns", "feature columns",
       "tf.feature_column.numeric_column / categorical_column_with_* / embedding_column / ... for canned estimators",
       "Keras preprocessing layers (Normalization, StringLookup, IntegerLookup, Hashing, Discretization, "
       "HashedCrossing) or keras.utils.FeatureSpace; Keras 3 has no DenseFeatures layer for feature columns",
       Teach(NB07, "A canned estimator: `DNNClassifier`", "feature_column"), "migrating_feature_columns"),
    # ---------------------------------------------------------------- graph era
    _e(("tf.Session", "tf.InteractiveSession", "tf.Session.run"), "graph", "Session",
       "tf.compat.v1.Session in a tf.Graph (an Estimator makes and runs its own session)",
       "no sessions: eager execution, and tf.function for graphs (tf.compat.v1.Session still exists for graph-mode "
       "code)",
       Teach(NB01, "An initializable iterator", "Session"), "tf1_vs_tf2"),
    _e("tf.Session.run(feed_dict=...)", "graph", "feed_dict",
       "sess.run(fetches, feed_dict={placeholder: array}) on tf.compat.v1 placeholders; the post feeds its arrays "
       "once, in IteratorInitializerHook",
       "pass the arrays (or a tf.data.Dataset) to model.fit, or as arguments to a tf.function",
       Teach(NB01, "An initializable iterator", "feed_dict"), "tf1_vs_tf2"),
    _e(("tf.placeholder", "tf.placeholder_with_default", "tf.sparse_placeholder"), "graph", "placeholder",
       "tf.compat.v1.placeholder (graph mode: inside an Estimator's input_fn); helpers.inputs.placeholder_input_fn",
       "none in eager code: give arrays or a tf.data.Dataset to model.fit, or use a tf.function's arguments "
       "(input_signature=[tf.TensorSpec(...)])",
       Teach(NB01, "Why placeholders: keep the data out of the graph", "placeholder"), "tf1_vs_tf2"),
    _e(("tf.data.Dataset.make_initializable_iterator", "tf.data.make_initializable_iterator"), "graph",
       "initializable iterator",
       "tf.compat.v1.data.make_initializable_iterator(dataset) with helpers.inputs.IteratorInitializerHook; or "
       "let the input_fn return the Dataset",
       "iterate the Dataset (for batch in dataset / iter(dataset)) or give it to model.fit",
       Teach(NB01, "An initializable iterator", "make_initializable_iterator"), "https://www.tensorflow.org/guide/data"),
    _e(("tf.data.Dataset.make_one_shot_iterator", "tf.data.make_one_shot_iterator"), "graph", "one-shot iterator",
       "tf.compat.v1.data.make_one_shot_iterator(dataset); an input_fn can simply return the Dataset",
       "iterate the Dataset or give it to model.fit",
       Teach(NB01, "What TensorFlow 2 does instead", "Dataset"), "https://www.tensorflow.org/guide/data"),
    _e("tf.data.Iterator.*", "graph", "tf.data.Iterator (TF 1.x)",
       "tf.compat.v1.data.Iterator (from_structure, from_string_handle); TF 2's tf.data.Iterator is another, "
       "eager class (isinstance checks against it still work)",
       "iter(dataset)", Teach(NB01, "An initializable iterator", "iterator"),
       "https://www.tensorflow.org/guide/data"),
    _e(("tf.train.MonitoredSession", "tf.train.MonitoredTrainingSession", "tf.train.SingularMonitoredSession",
        "tf.train.Scaffold", "tf.train.ChiefSessionCreator", "tf.train.WorkerSessionCreator",
        "tf.train.SessionManager", "tf.train.SessionCreator"), "graph", "MonitoredSession",
       "tf.compat.v1.train.MonitoredSession / MonitoredTrainingSession (what an Estimator runs its hooks in)",
       "model.fit with callbacks, or a custom loop over a tf.function train step",
       Teach(NB01, "How an epoch ends", "MonitoredSession"), "sessionrunhook_callback"),
    _e("tf.train.Supervisor", "graph", "Supervisor",
       "tf.compat.v1.train.Supervisor (deprecated in TF 1.x for MonitoredTrainingSession); an Estimator does its "
       "job: checkpoints, summaries, recovery",
       "model.fit with keras.callbacks.BackupAndRestore (recovery), ModelCheckpoint and TensorBoard; or a custom loop "
       "with tf.train.CheckpointManager",
       Teach(NB09, "4 · What Experiment did, in Keras 3", "BackupAndRestore"), "checkpoint_saver"),
    _e(("tf.ConfigProto", "tf.GPUOptions", "tf.GraphOptions", "tf.OptimizerOptions", "tf.RunOptions",
        "tf.RunMetadata"), "graph", "session configuration (ConfigProto)",
       "tf.compat.v1.ConfigProto, given to tf.estimator.RunConfig(session_config=...); outside a session: "
       "tf.config.threading.set_intra_op_parallelism_threads / set_inter_op_parallelism_threads, "
       "tf.config.experimental.set_memory_growth",
       "tf.config.threading and tf.config.experimental.set_memory_growth / tf.config.set_visible_devices; tracing "
       "(RunOptions, RunMetadata): tf.profiler.experimental or the TensorBoard callback's profile_batch",
       None, "tf1_vs_tf2"),
    _e(("tf.train.NewCheckpointReader", "tf.train.init_from_checkpoint"), "graph", "reading a name-based checkpoint",
       "tf.train.load_checkpoint(path).get_tensor(name) and tf.train.list_variables(path); init_from_checkpoint: "
       "tf.estimator.WarmStartSettings (or tf.compat.v1.train.init_from_checkpoint inside a model_fn)",
       "tf.train.load_checkpoint, then assign each value to the Keras 3 model's variable by name (notebook 09 "
       "maps the post's checkpoint, Adam's slots included)",
       Teach(NB09, "2 · The checkpoint becomes a Keras 3 model that trains on", "load_checkpoint"),
       "migrating_checkpoints"),
    _e(("tf.data.Dataset.output_shapes", "tf.data.Dataset.output_types", "tf.data.Dataset.output_classes"), "graph",
       "Dataset.output_shapes / output_types (TF 1.x)",
       "dataset.element_spec (tf.compat.v1.data.get_output_shapes(dataset) and get_output_types for old code)",
       "dataset.element_spec", Teach(NB01, "Build the pipeline step by step", "element_spec"),
       "https://www.tensorflow.org/guide/data"),
    _e(("tf.global_variables_initializer", "tf.local_variables_initializer", "tf.initialize_all_variables",
        "tf.initialize_local_variables", "tf.variables_initializer", "tf.tables_initializer"), "graph",
       "variable initializers",
       "tf.compat.v1.global_variables_initializer() (an Estimator's Scaffold runs it for you)",
       "none: variables are initialized when they are created",
       Teach(NB02, "The post's training op: `optimize_loss`", "global_variables_initializer"), "tf1_vs_tf2"),
    _e(("tf.FIFOQueue", "tf.RandomShuffleQueue", "tf.PaddingFIFOQueue", "tf.PriorityQueue", "tf.QueueBase",
        "tf.train.*_input_producer", "tf.train.batch", "tf.train.shuffle_batch", "tf.train.batch_join",
        "tf.train.shuffle_batch_join", "tf.train.maybe_batch", "tf.train.maybe_shuffle_batch",
        "tf.train.maybe_batch_join", "tf.train.maybe_shuffle_batch_join", "tf.train.limit_epochs",
        "tf.train.start_queue_runners", "tf.train.QueueRunner", "tf.train.add_queue_runner", "tf.train.queue_runner",
        "tf.train.queue_runner.*", "tf.*Reader", "tf.TFRecordReader", "tf.WholeFileReader",
        "tf.TextLineReader", "tf.FixedLengthRecordReader", "tf.ReaderBase", "tf.contrib.learn.read_batch_*"),
       "graph", "queues and input producers",
       "tf.data: Dataset.from_tensor_slices / TFRecordDataset / TextLineDataset / FixedLengthRecordDataset, then "
       ".shuffle().batch() (the tf.compat.v1 queue APIs still exist but do not work with eager execution)",
       "tf.data, the same way",
       Teach(NB01, "Build the pipeline step by step", "Dataset"), "https://www.tensorflow.org/guide/data"),
    _e(("tf.variable_scope", "tf.get_variable", "tf.get_variable_scope", "tf.AUTO_REUSE", "tf.VariableScope",
        "tf.train.Saver", "tf.train.import_meta_graph", "tf.train.export_meta_graph"), "graph",
       "variable scopes, get_variable and Saver (name-based checkpoints)",
       "tf.compat.v1.variable_scope / get_variable / train.Saver; an Estimator saves and restores by variable name",
       "Keras layers own their variables; tf.train.Checkpoint / ModelCheckpoint save by object; read an old "
       "name-based checkpoint with tf.train.load_checkpoint and map its names (notebook 09)",
       Teach(NB02, "The architecture", "scope"),
       "migrating_checkpoints"),
    _e(("tf.get_collection", "tf.add_to_collection", "tf.GraphKeys", "tf.get_default_graph", "tf.reset_default_graph",
        "tf.trainable_variables", "tf.global_variables", "tf.local_variables", "tf.model_variables"), "graph",
       "graph collections",
       "tf.compat.v1.get_collection / GraphKeys / trainable_variables (graph mode)",
       "model.trainable_variables, model.losses, layer attributes", None, "model_mapping"),
    _e(("tf.train.get_global_step", "tf.train.get_or_create_global_step", "tf.train.create_global_step",
        "tf.train.global_step"), "graph", "global step",
       "tf.compat.v1.train.get_global_step() / get_or_create_global_step()",
       "model.optimizer.iterations",
       Teach(NB02, "The post's training op: `optimize_loss`", "get_global_step"), "metrics_optimizers"),
    _e(("tf.disable_v2_behavior", "tf.disable_eager_execution", "tf.enable_eager_execution", "tf.enable_v2_behavior"),
       "graph", "graph-mode switches",
       "tf.compat.v1.disable_v2_behavior() / disable_eager_execution() (not needed for Estimator code: "
       "the Estimator builds graphs itself)",
       "remove: eager execution is the default and Keras 3 expects it", None, "tf1_vs_tf2"),
    # ---------------------------------------------------------------- other TF 1.x APIs
    _e(("tf.train.*Optimizer", "tf.train.Optimizer"), "tf1_api", "tf.train optimizers",
       "tf.compat.v1.train.AdamOptimizer (and the others) inside a model_fn; canned estimators take "
       "tf.keras.optimizers.legacy.*",
       "keras.optimizers.Adam (epsilon 1e-7 where TF 1 used 1e-8; its slot variables differ, notebook 09 maps "
       "them)",
       Teach(NB02, "The post's training op: `optimize_loss`", "AdamOptimizer"), "metrics_optimizers"),
    _e("tf.train.SyncReplicasOptimizer", "tf_config", "SyncReplicasOptimizer (synchronous training on a cluster)",
       "tf.compat.v1.train.SyncReplicasOptimizer still runs between-graph; the TF 2 way to train synchronously is "
       "tf.distribute.MultiWorkerMirroredStrategy (an Estimator takes it as RunConfig(train_distribute=...))",
       "tf.distribute.MultiWorkerMirroredStrategy with model.fit (all-reduce, no parameter servers)",
       Teach(NB06, "What `MultiWorkerMirroredStrategy` changes", "MultiWorkerMirroredStrategy"),
       "multi_worker_cpu_gpu_training"),
    _e(("tf.train.Server", "tf.train.replica_device_setter"), "tf_config", "tf.train.Server and replica_device_setter",
       "tf.distribute.Server (tf.train.Server is tf.compat.v1); tf.estimator.train_and_evaluate starts the server "
       "and places the variables on the ps tasks itself, from TF_CONFIG; replica_device_setter: "
       "tf.compat.v1.train.replica_device_setter, or a tf.distribute strategy",
       "tf.distribute strategies place variables: MultiWorkerMirroredStrategy (synchronous, with fit), "
       "ParameterServerStrategy (custom loops; tf.distribute.Server starts its workers and ps)",
       Teach(NB06, "What `MultiWorkerMirroredStrategy` changes", "ParameterServerStrategy"),
       "multi_worker_cpu_gpu_training"),
    _e(("tf.train.*_decay", "tf.train.piecewise_constant"), "tf1_api", "learning-rate decay",
       "tf.compat.v1.train.exponential_decay(learning_rate, global_step, ...) (and the others)",
       "keras.optimizers.schedules.ExponentialDecay (and the others) as the optimizer's learning_rate",
       Teach(NB02, "The post's training op: `optimize_loss`", "exponential_decay"), "metrics_optimizers"),
    _e(("tf.losses.sparse_softmax_cross_entropy", "tf.losses.absolute_difference", "tf.losses.add_loss",
        "tf.losses.compute_weighted_loss", "tf.losses.cosine_distance", "tf.losses.get_losses",
        "tf.losses.get_regularization_loss",
        "tf.losses.get_regularization_losses", "tf.losses.get_total_loss", "tf.losses.hinge_loss",
        "tf.losses.huber_loss", "tf.losses.log_loss", "tf.losses.mean_pairwise_squared_error",
        "tf.losses.sigmoid_cross_entropy", "tf.losses.softmax_cross_entropy", "tf.losses.Reduction"), "tf1_api",
       "tf.losses (TF 1.x)",
       "tf.compat.v1.losses.sparse_softmax_cross_entropy (and the others)",
       "keras.losses.SparseCategoricalCrossentropy(from_logits=True) (and the others), given to compile",
       Teach(NB02, "The post's training op: `optimize_loss`", "sparse_softmax_cross_entropy"), "metrics_optimizers"),
    _e(tuple(f"tf.metrics.{name}" for name in (
        "accuracy", "auc", "average_precision_at_k", "false_negatives", "false_negatives_at_thresholds",
        "false_positives", "false_positives_at_thresholds", "mean", "mean_cosine_distance", "mean_iou",
        "mean_per_class_accuracy", "mean_relative_error", "mean_tensor", "percentage_below", "precision",
        "precision_at_k", "precision_at_thresholds", "precision_at_top_k", "recall", "recall_at_k",
        "recall_at_thresholds", "recall_at_top_k", "root_mean_squared_error", "sensitivity_at_specificity",
        "sparse_average_precision_at_k", "sparse_precision_at_k", "specificity_at_sensitivity", "true_negatives",
        "true_negatives_at_thresholds", "true_positives", "true_positives_at_thresholds")), "tf1_api",
       "tf.metrics (TF 1.x: value and update op)",
       "tf.compat.v1.metrics.accuracy (and the others) in eval_metric_ops",
       "keras.metrics.SparseCategoricalAccuracy (and the others) or compile(metrics=[\"accuracy\"])",
       Teach(NB02, "`model_fn` and `EstimatorSpec`", "eval_metric_ops"), "metrics_optimizers"),
    _e(("tf.layers", "tf.layers.*"), "tf1_api", "tf.layers",
       "tf.compat.v1.layers (dense, conv2d, ...) inside a model_fn", "keras.layers (Dense, Conv2D, ...)",
       Teach(NB07, "The post's network in Keras", "Keras"), "model_mapping"),
    _e(("tf.logging", "tf.logging.*"), "tf1_api", "tf.logging",
       "tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.INFO), or absl.logging",
       "absl.logging or Python's logging (tf.get_logger())", None, "tf1_vs_tf2"),
    _e(("tf.app", "tf.app.*", "tf.flags", "tf.flags.*"), "tf1_api", "tf.app.flags and tf.app.run",
       "tf.compat.v1.app.flags / tf.compat.v1.app.run, or absl.flags and absl.app.run (what they wrap); "
       "python -m helpers uses argparse",
       "absl.flags and absl.app.run, or argparse", None, "upgrade"),
    _e(("tf.summary.FileWriter", "tf.train.SummaryWriter", "tf.summary.FileWriterCache", "tf.summary.merge_all",
        "tf.summary.merge",
        "tf.summary.tensor_summary", "tf.summary.Summary"), "tf1_api", "tf.summary (TF 1.x ops and FileWriter)",
       "tf.compat.v1.summary.* (an Estimator writes its summaries itself)",
       "keras.callbacks.TensorBoard, or tf.summary.create_file_writer with tf.summary.scalar",
       None, "tensorboard"),
    _e(("tf.examples.tutorials.mnist.input_data", "tf.examples.tutorials.mnist.input_data.*",
        "tf.examples.tutorials.mnist"), "tf1_api", "input_data.read_data_sets (MNIST tutorial module)",
       "helpers.tf1.mnist_input_data.read_data_sets (this series), helpers.data.load_mnist, or "
       "tf.keras.datasets.mnist.load_data()",
       "keras.datasets.mnist.load_data()",
       Teach(NB00, "Load the data", "mnist")),
    _e(("tf.gfile", "tf.gfile.*"), "tf1_api", "tf.gfile",
       "tf.io.gfile: the same functions with snake_case names (Exists -> exists, MakeDirs -> makedirs, "
       "ListDirectory -> listdir, Glob -> glob; GFile keeps its name)",
       "tf.io.gfile, the same", None, "upgrade"),
    _e(("tf.nn.rnn_cell", "tf.nn.rnn_cell.*", "tf.nn.dynamic_rnn", "tf.nn.static_rnn",
        "tf.nn.bidirectional_dynamic_rnn", "tf.nn.raw_rnn"), "tf1_api", "tf.nn RNN cells and dynamic_rnn",
       "tf.keras.layers.LSTM / GRU / SimpleRNN, or keras.layers.RNN(cell) with LSTMCell, ... "
       "(tf.compat.v1.nn.rnn_cell still runs in graph mode)",
       "keras.layers.LSTM / GRU / SimpleRNN, or keras.layers.RNN(cell)", None, "model_mapping"),
    _e("tf.add_check_numerics_ops", "tf1_api", "add_check_numerics_ops",
       "tf.debugging.enable_check_numerics()", "tf.debugging.enable_check_numerics()", None, "upgrade"),
    _e(("tf.to_float", "tf.to_int32", "tf.to_int64", "tf.to_double", "tf.to_bfloat16", "tf.to_complex64"),
       "tf1_api", "tf.to_* casts", "tf.cast(x, tf.float32)", "tf.cast(x, tf.float32)", None, "upgrade"),
    # ---------------------------------------------------------------- tf_slim
    _e(("tf_slim", "tf_slim.*"), "slim", "tf_slim",
       "runs as it is: tf_slim 1.1.0 works inside a TF 2.15 Estimator's graph (helpers.tf1.contrib.slim is tf_slim)",
       "no Keras 3 equivalent of its graph functions: keras.layers.Conv2D / MaxPooling2D / Dense / Dropout / "
       "Flatten, and map the checkpoint's variables by name (notebook 09)",
       Teach(NB02, "The architecture", "tf_slim"), "model_mapping"),
    # ---------------------------------------------------------------- TF_CONFIG
    _e("TF_CONFIG", "tf_config", "TF_CONFIG",
       "tf.estimator.RunConfig() reads it; tf.estimator.train_and_evaluate runs the task's part (chief, worker, ps, "
       "evaluator); helpers.learn_runner.run picks the Experiment method from it",
       "tf.distribute.MultiWorkerMirroredStrategy (chief, worker) or tf.distribute.experimental."
       "ParameterServerStrategy read it through tf.distribute.cluster_resolver.TFConfigClusterResolver; Keras 3's "
       "fit supports MultiWorkerMirroredStrategy, not ParameterServerStrategy",
       Teach(NB06, "`TF_CONFIG`: how a process learns its part", "TF_CONFIG"), "multi_worker_cpu_gpu_training"),
    _e("TF_CONFIG task type 'master'", "tf_config", "task type 'master'",
       "'chief': tf.estimator still accepts a legacy cluster with a 'master' (which then trains and evaluates, and "
       "allows no 'chief' and no 'evaluator')",
       "'chief': tf.distribute rejects 'master' (its task types are chief, worker, ps and evaluator)",
       Teach(NB06, "`TF_CONFIG`: how a process learns its part", "master"), "multi_worker_cpu_gpu_training"),
    _e("TF_CONFIG task type 'chief'", "tf_config", "task type 'chief'",
       "the chief: trains, and writes checkpoints and summaries",
       "with MultiWorkerMirroredStrategy, the worker that also writes checkpoints and summaries; with "
       "ParameterServerStrategy, the coordinator",
       Teach(NB06, "`TF_CONFIG`: how a process learns its part", "chief"), "multi_worker_cpu_gpu_training"),
    _e("TF_CONFIG task type 'worker'", "tf_config", "task type 'worker'",
       "a worker: trains asynchronously against the parameter servers",
       "MultiWorkerMirroredStrategy: a synchronous replica (all-reduce, no parameter server); "
       "ParameterServerStrategy: runs the steps the coordinator sends",
       Teach(NB06, "`TF_CONFIG`: how a process learns its part", "worker"), "multi_worker_cpu_gpu_training"),
    _e("TF_CONFIG task type 'ps'", "tf_config", "task type 'ps'",
       "a parameter server: holds the variables (tf.estimator's asynchronous training)",
       "tf.distribute.experimental.ParameterServerStrategy only, which Keras 3's fit does not support (custom "
       "training loops, or tf_keras on the legacy route); MultiWorkerMirroredStrategy has no ps",
       Teach(NB06, "What `MultiWorkerMirroredStrategy` changes", "ParameterServerStrategy"),
       "multi_worker_cpu_gpu_training"),
    _e("TF_CONFIG task type 'evaluator'", "tf_config", "task type 'evaluator'",
       "tf.estimator's evaluator: outside the cluster spec, it evaluates each new checkpoint "
       "(helpers.experiment.Experiment runs continuous_eval there)",
       "no Estimator evaluator: run your own process that evaluates each new checkpoint "
       "(tf.train.checkpoints_iterator and model.evaluate)",
       Teach(NB06, "`TF_CONFIG`: how a process learns its part", "evaluator"), "evaluator"),
    # ---------------------------------------------------------------- what tf_upgrade_v2 leaves
    _e("tf.compat.v1.*", "compat_v1", "another tf.compat.v1 name",
       "runs as it is (tf_upgrade_v2 writes tf.compat.v1.X where TF 2's X is missing or behaves differently)",
       "port it to its TF 2 form: tf.compat.v1 still ships, but Keras 3 and eager code do not use it",
       None, "upgrade"),
)

_BY_ID = {e.id: e for e in ENTRIES}
_EXACT: dict[str, Entry] = {}
_PATTERNS: list[tuple[str, Entry]] = []
for _entry in ENTRIES:
    for _key in _entry.keys:
        if "*" in _key:
            _PATTERNS.append((_key, _entry))
        else:
            assert _key not in _EXACT, _key
            _EXACT[_key] = _entry

# catch-alls ("tf.estimator.*") after the patterns they contain ("tf.estimator.*Hook"), whatever the table's order
_PATTERNS.sort(key=lambda item: item[0].rsplit(".", 1)[-1] == "*")

#: The compat.v1 fallback: a name written as tf.compat.v1.X that no other entry knows.
COMPAT_V1 = _BY_ID["tf.compat.v1.*"]

#: Methods (called on an object the audit cannot type) and keyword arguments that only TF 1.x code has, with the
#: canonical name the audit reports for them.
METHODS = {"make_initializable_iterator": "tf.data.Dataset.make_initializable_iterator",
           "make_one_shot_iterator": "tf.data.Dataset.make_one_shot_iterator",
           "export_savedmodel": "tf.estimator.Estimator.export_savedmodel",
           "output_shapes": "tf.data.Dataset.output_shapes", "output_types": "tf.data.Dataset.output_types",
           "output_classes": "tf.data.Dataset.output_classes"}
KEYWORDS = {"feed_dict": "tf.Session.run(feed_dict=...)"}
#: TF_CONFIG's task types (tf.estimator.RunConfig's TaskType values).
ROLES = ("master", "chief", "worker", "ps", "evaluator")


def role_key(role: str) -> str:
    return f"TF_CONFIG task type '{role}'"


#: What an import names -> its canonical TF 1.x name, by longest prefix (whole dotted parts). Internal module paths
#: that TF 1.x code imported from map to the public names; this series' helpers map to what they re-create.
MODULES: tuple[tuple[str, str], ...] = (
    ("tensorflow.compat.v1", "tf"),
    ("tensorflow.compat.v2", "tf"),
    ("tensorflow.contrib.learn.python.learn.learn_runner", "tf.contrib.learn.learn_runner"),
    ("tensorflow.contrib.learn.python.learn.experiment", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators.run_config", "tf.contrib.learn"),
    # the modules of contrib.learn's estimators: model_fn.ModelFnOps is tf.contrib.learn.ModelFnOps, and so on
    ("tensorflow.contrib.learn.python.learn.estimators.model_fn", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators.estimator", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators.dnn", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators.linear", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators.dnn_linear_combined", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators.head", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators.constants", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.estimators", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.utils.saved_model_export_utils", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.export_strategy", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python.learn.monitors", "tf.contrib.learn.monitors"),
    ("tensorflow.contrib.learn.python.learn.datasets", "tf.contrib.learn.datasets"),
    ("tensorflow.contrib.learn.python.learn", "tf.contrib.learn"),
    ("tensorflow.contrib.learn.python", "tf.contrib.learn"),
    ("tensorflow.contrib.training.python.training.hparam", "tf.contrib.training"),
    ("tensorflow.contrib.training.python.training.tuner", "tf.contrib.training"),
    ("tensorflow.contrib.training.python.training", "tf.contrib.training"),
    ("tensorflow.contrib.layers.python.layers.optimizers", "tf.contrib.layers"),
    ("tensorflow.contrib.layers.python.layers.initializers", "tf.contrib.layers"),
    ("tensorflow.contrib.layers.python.layers.feature_column", "tf.contrib.layers"),
    ("tensorflow.contrib.layers.python.layers", "tf.contrib.layers"),
    ("tensorflow.contrib.framework.python.ops", "tf.contrib.framework"),
    ("tensorflow.python.estimator.export.export_lib", "tf.estimator.export"),
    ("tensorflow.python.estimator.export.export_output", "tf.estimator.export"),
    ("tensorflow.python.estimator.export.export", "tf.estimator.export"),
    ("tensorflow.python.estimator.export", "tf.estimator.export"),
    ("tensorflow.python.estimator.inputs.numpy_io", "tf.estimator.inputs"),
    ("tensorflow.python.estimator.inputs.pandas_io", "tf.estimator.inputs"),
    ("tensorflow.python.estimator.inputs", "tf.estimator.inputs"),
    ("tensorflow.python.estimator.canned.dnn", "tf.estimator"),
    ("tensorflow.python.estimator.canned.linear", "tf.estimator"),
    ("tensorflow.python.estimator.canned.dnn_linear_combined", "tf.estimator"),
    ("tensorflow.python.estimator.canned", "tf.estimator"),
    ("tensorflow.python.estimator.estimator", "tf.estimator"),
    ("tensorflow.python.estimator.model_fn", "tf.estimator"),
    ("tensorflow.python.estimator.run_config", "tf.estimator"),
    ("tensorflow.python.estimator.training", "tf.estimator"),
    ("tensorflow.python.estimator", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.export.export_lib", "tf.estimator.export"),
    ("tensorflow_estimator.python.estimator.export", "tf.estimator.export"),
    ("tensorflow_estimator.python.estimator.inputs", "tf.estimator.inputs"),
    ("tensorflow_estimator.python.estimator.canned.dnn", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.canned.linear", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.canned", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.estimator", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.model_fn", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.run_config", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.training", "tf.estimator"),
    ("tensorflow_estimator.python.estimator.hooks", "tf.estimator"),
    ("tensorflow_estimator.python.estimator", "tf.estimator"),
    ("tensorflow_estimator", "tf"),
    ("tensorflow.python.feature_column.feature_column_v2", "tf.feature_column"),
    ("tensorflow.python.feature_column.feature_column_lib", "tf.feature_column"),
    ("tensorflow.python.feature_column.feature_column", "tf.feature_column"),
    ("tensorflow.python.feature_column", "tf.feature_column"),
    ("tensorflow.python.training.session_run_hook", "tf.train"),
    ("tensorflow.python.training.basic_session_run_hooks", "tf.train"),
    ("tensorflow.python.training.monitored_session", "tf.train"),
    ("tensorflow.python.training.training", "tf.train"),
    ("tensorflow.python.training.input", "tf.train"),
    ("tensorflow.python.training.queue_runner", "tf.train"),
    ("tensorflow.python.training.saver", "tf.train"),
    ("tensorflow.python.client.session", "tf"),
    ("tensorflow", "tf"),
    ("tf_slim", "tf_slim"),
    # this series: helpers.tf1 is tf.compat.v1 plus the re-created contrib pieces; the re-creations themselves
    ("helpers.tf1.mnist_input_data", "tf.examples.tutorials.mnist.input_data"),
    ("helpers.tf1.optimize_loss", "tf.contrib.layers.optimize_loss"),
    ("helpers.tf1.ModeKeys", "tf.contrib.learn.ModeKeys"),
    ("helpers.tf1", "tf"),
    ("helpers.experiment.Experiment", "tf.contrib.learn.Experiment"),
    ("helpers.learn_runner", "tf.contrib.learn.learn_runner"),
    ("helpers.hparams.HParams", "tf.contrib.training.HParams"),
    ("helpers.tuner.Tuner", "tf.contrib.training.Tuner"),
)


def canonical_module(path: str, series_helpers: bool = True) -> str | None:
    """The canonical TF 1.x name of a dotted import path, or None when it is not TensorFlow's. ``series_helpers``:
    whether ``helpers`` is this series' package (a project's own ``helpers`` is not; ``helpers.tf1`` always is)."""
    for prefix, canonical in MODULES:
        if not series_helpers and prefix.startswith("helpers.") and not prefix.startswith("helpers.tf1"):
            continue
        if path == prefix or path.startswith(prefix + "."):
            return canonical + path[len(prefix):]
    return None


def _matches(name: str, pattern: str) -> bool:
    parts, pattern_parts = name.split("."), pattern.split(".")
    return len(parts) == len(pattern_parts) and all(map(fnmatchcase, parts, pattern_parts))


class Match(NamedTuple):
    entry: Entry
    prefix: str  # the part of the canonical name that matched
    key: str  # the key (name or pattern) that matched it

    @property
    def catch_all(self) -> bool:
        """True for a whole-namespace key such as ``tf.contrib.*``."""
        return self.key.endswith(".*")


def lookup(canonical: str) -> Match | None:
    """The entry for a canonical name: the longest prefix (whole dotted parts) that is a key, an exact key before a
    pattern of the same length, a catch-all (``tf.estimator.*``) last. ``tf.compat.v1.X`` is looked up as ``tf.X``."""
    if canonical.startswith("tf.compat.v1."):
        canonical = "tf." + canonical[len("tf.compat.v1."):]
    parts = canonical.split(".")
    for k in range(len(parts), 0, -1):
        prefix = ".".join(parts[:k])
        if prefix in _EXACT:
            return Match(_EXACT[prefix], prefix, prefix)
        for pattern, found in _PATTERNS:
            if found is not COMPAT_V1 and _matches(prefix, pattern):
                return Match(found, prefix, pattern)
    return None


def entry(key: str) -> Entry:
    """The entry whose id (first key) is ``key``."""
    return _BY_ID[key]


@dataclass(frozen=True)
class PostPiece:
    """A piece of the 2017 post, as the post wrote it, and the entry that says what replaces it."""

    post: str
    entry_id: str
    notes: dict = field(default_factory=dict)

    @property
    def entry(self) -> Entry:
        return _BY_ID[self.entry_id]


#: The post's pieces, in the post's order (the rows of notebook 09's table).
POST_PIECES: tuple[PostPiece, ...] = (
    PostPiece("numpy arrays fed through `tf.placeholder`", "tf.placeholder"),
    PostPiece("`tf.contrib.data.Dataset.from_tensor_slices`, repeat, shuffle, batch", "tf.contrib.data.Dataset"),
    PostPiece("`dataset.make_initializable_iterator()`", "tf.data.Dataset.make_initializable_iterator"),
    PostPiece("`IteratorInitializerHook(tf.train.SessionRunHook)`", "tf.train.SessionRunHook"),
    PostPiece("`model_fn(features, labels, mode, params)` and `ModeKeys`", "tf.contrib.learn.ModeKeys"),
    PostPiece("the tf-slim network (`slim.conv2d`, `max_pool2d`, `fully_connected`, `dropout`)", "tf.contrib.slim"),
    PostPiece("`tf.losses.sparse_softmax_cross_entropy`", "tf.losses.sparse_softmax_cross_entropy"),
    PostPiece("`tf.contrib.layers.optimize_loss` with `tf.train.AdamOptimizer`", "tf.contrib.layers.optimize_loss"),
    PostPiece("`tf.metrics.accuracy` in `eval_metric_ops`", "tf.metrics.accuracy"),
    PostPiece("`tf.estimator.EstimatorSpec`", "tf.estimator.EstimatorSpec"),
    PostPiece("`tf.estimator.Estimator(model_fn, params, config)`", "tf.estimator.Estimator"),
    PostPiece("`tf.contrib.training.HParams`", "tf.contrib.training.HParams"),
    PostPiece("`tf.contrib.learn.RunConfig` (model_dir, save_checkpoints_steps)", "tf.contrib.learn.RunConfig"),
    PostPiece("`tf.contrib.learn.Experiment`", "tf.contrib.learn.Experiment"),
    PostPiece("`learn_runner.run(experiment_fn, run_config, schedule, hparams)`", "tf.contrib.learn.learn_runner"),
    PostPiece("`tf.app.flags` and `tf.app.run`", "tf.app"),
    PostPiece("`input_data.read_data_sets` (MNIST)", "tf.examples.tutorials.mnist.input_data"),
)


def post_table() -> list[dict]:
    """The rows of notebook 09's table: the post's piece, its TF 2.15 form, its TF 2.21 / Keras 3 form, the guide."""
    return [{"post": p.post, "tf215": p.entry.tf215, "tf221": p.entry.tf221, "guide": p.entry.guide_url,
             "entry": p.entry_id} for p in POST_PIECES]


def post_table_markdown() -> str:
    """:func:`post_table` as a markdown table."""
    lines = ["| the post (TF 1.x) | TF 2.15 | TF 2.21 / Keras 3 | migration guide |", "|---|---|---|---|"]
    for row in post_table():
        guide = f"[{row['guide'].rstrip('/').rsplit('/', 1)[-1]}]({row['guide']})" if row["guide"] else ""
        cells = [row["post"], row["tf215"], row["tf221"], guide]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
