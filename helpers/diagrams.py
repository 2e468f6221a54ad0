"""Figures of the mechanisms the series teaches, drawn with matplotlib from recorded runs where possible.

- :func:`overview` - the post's overview: Dataset -> input_fn -> Estimator (model_fn, params, config) ->
  Experiment -> learn_runner, and what flows between them (notebook 00).
- :func:`call_sequence` - one ``Estimator.train`` call as a sequence of the calls a recording saw (notebook 02).
- :func:`train_and_evaluate_timeline` - training steps, checkpoints and evaluations against time and global
  step, read from a run's event files (notebook 03).
"""

from __future__ import annotations
