"""What does the Estimator machinery cost? Estimator training steps/s against a bare tf.function training step of
the same network on the same batch - the framework-free ceiling on this machine - side by side (goal: >= 0.95).

    .venv/bin/python benchmarks/estimator_overhead.py [--steps 150] [--warmup 10] [--rounds 3] [--batch_size 128]

Both sides train on one fixed batch (the first 128 training images, constants in the graph), so the input pipeline
is out of the figure (benchmarks/input_pipeline.py measures it). Estimator: helpers.model.model_fn, RunConfig
defaults (its hooks: step counter, loss logging and summaries every 100 steps, checkpoint saver, NaN check), one
session.run per step. Bare: the same layers as tf.nn ops on tf.Variables, cross-entropy, tf.GradientTape and the
same tf.compat.v1 Adam (fused ResourceApplyAdam) in one tf.function, called once per step from a Python loop.

Then the machinery alone: the same two sides on a model with one scalar weight, whose step costs next to nothing
(``--machinery_steps``, default 5 x --steps, same rounds), give the Estimator's own cost per step in milliseconds -
MonitoredSession, its hooks, session.run's feeds and fetches - next to a bare step's, and next to the post's step.
How runs are timed and alternated: benchmarks/_measure.py.
"""

from __future__ import annotations

import argparse
import statistics

import _measure as m
from _measure import tf


def one_weight_model_fn(features, labels, mode, params):
    """A model_fn whose step does almost nothing (one scalar weight, Adam): what is left is the machinery."""
    weight = tf.compat.v1.get_variable("weight", [], initializer=tf.compat.v1.ones_initializer())
    loss = tf.reduce_mean(features) * weight * weight
    optimizer = tf.compat.v1.train.AdamOptimizer(params["learning_rate"])
    train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def bare_one_weight_rate(args) -> m.Rate:
    """The one-weight step as a bare tf.function (tf.compat.v1 Adam), called warmup + steps times."""
    weight = tf.Variable(1.0)
    optimizer = tf.compat.v1.train.AdamOptimizer(m.PARAMS["learning_rate"])
    images = tf.constant(m.fixed_batch(args.batch_size)[0])

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(images) * weight * weight
        optimizer.apply_gradients([(tape.gradient(loss, weight), weight)])
        return loss

    clocks = []
    for _ in range(args.warmup + args.steps):
        train_step()
        clocks.append(m.clock())
    return m.steady_rate(clocks, args.warmup)


def milliseconds(results, name: str) -> float:
    return 1e3 / statistics.median(run.wall for runs in results[name] for run in runs)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_arguments(ap, steps=150)
    ap.add_argument("--machinery_steps", type=int, help="timed steps of the one-weight runs (default 5 x --steps)")
    args = ap.parse_args(argv)
    m.start("Estimator (constant batch) vs a bare tf.function training step on the same batch", args)
    results = m.alternate({"Estimator, constant batch": lambda: m.estimator_rate(args, pipeline=False),
                           "bare tf.function step": lambda: m.bare_rate(args)}, args.rounds)
    m.print_sides(results)
    figures = m.report("Estimator / bare tf.function", results, "Estimator, constant batch", "bare tf.function step",
                       goal=0.95)

    small = argparse.Namespace(**{**vars(args), "steps": args.machinery_steps or 5 * args.steps})
    machinery = m.alternate({"Estimator, one weight": lambda: m.estimator_rate(small, pipeline=False,
                                                                                model=one_weight_model_fn),
                             "bare tf.function, one weight": lambda: bare_one_weight_rate(small)}, args.rounds)
    estimator, bare = milliseconds(machinery, "Estimator, one weight"), milliseconds(machinery,
                                                                                     "bare tf.function, one weight")
    step = milliseconds(results, "Estimator, constant batch")
    print(f"  the machinery alone (a one-weight model, {small.steps} steps per run): Estimator {estimator:.2f} ms per "
          f"step, bare tf.function {bare:.2f} ms: {estimator - bare:+.2f} ms, {(estimator - bare) / step:+.1%} of the "
          f"Estimator's step on the post's network ({step:.1f} ms)")
    m.finish()
    return {**figures, "machinery_ms": estimator - bare}


if __name__ == "__main__":
    main()
