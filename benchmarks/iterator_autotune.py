"""What tf.data's autotuner costs the post's input pipeline: the time of whole `estimator.train` calls with it on
(TF 2's default) and off (helpers/inputs.py), side by side in one run.

    .venv/bin/python benchmarks/iterator_autotune.py [--calls 3] [--steps 50] [--rounds 2]

The pipeline has no AUTOTUNE argument to tune, but with the autotuner on every iterator runs its background thread.
The question is whether closing the session at the end of each `train` call waits for that thread: calls are short in
the notebooks and the tests (a few hundred steps, often fewer), so such a wait would be a large share of them. A first
measurement (ratio 2.21: a ~3 s wait) did not repeat in later runs (0.91-1.06, with either kernel library and with the
CPU busy), so the autotuner is off because it has nothing to tune, not for speed. Rounds alternate (on, off, off,
on, ...) so that machine noise hits both alike; each round trains `--calls` times `--steps` steps and evaluates after
each call.
Prints the median seconds per train call of each side, their ratio, and whether the accuracies are the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from helpers.notebook import setup

tf = setup()

import helpers.inputs as inputs  # noqa: E402
from helpers.data import load_mnist  # noqa: E402
from helpers.inputs import get_eval_inputs, get_train_inputs  # noqa: E402
from helpers.model import model_fn  # noqa: E402
from helpers.train import default_hparams  # noqa: E402

NO_AUTOTUNE = inputs.no_autotune


def one_round(mnist, autotune: bool, calls: int, steps: int) -> tuple[list[float], float]:
    inputs.no_autotune = tf.data.Options if autotune else NO_AUTOTUNE  # called when input_fn builds the graph
    try:
        with tempfile.TemporaryDirectory() as model_dir:
            config = tf.estimator.RunConfig(model_dir=model_dir, tf_random_seed=42)
            estimator = tf.estimator.Estimator(model_fn, params=default_hparams(), config=config)
            seconds = []
            for call in range(1, calls + 1):
                input_fn, hook = get_train_inputs(128, mnist, seed=1)
                start = time.perf_counter()
                estimator.train(input_fn, hooks=[hook], max_steps=call * steps)
                seconds.append(time.perf_counter() - start)
                input_fn, hook = get_eval_inputs(500, mnist)
                accuracy = float(estimator.evaluate(input_fn, hooks=[hook])["accuracy"])
            return seconds, accuracy
    finally:
        inputs.no_autotune = NO_AUTOTUNE


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=3, help="train calls per round (default 3)")
    ap.add_argument("--steps", type=int, default=50, help="steps per train call (default 50)")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of each side (default 2)")
    args = ap.parse_args(argv)
    print(f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start")
    mnist = load_mnist("sample", verbose=False)
    one_round(mnist, True, 1, 5)  # warm-up: imports, first graph
    times = {True: [], False: []}
    accuracies = {True: set(), False: set()}
    order = [True, False, False, True] * ((args.rounds + 1) // 2)
    for autotune in order[: 2 * args.rounds]:
        seconds, accuracy = one_round(mnist, autotune, args.calls, args.steps)
        times[autotune] += seconds
        accuracies[autotune].add(round(accuracy, 6))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"seconds per train call of {args.steps} steps (median of {len(times[True])}): "
          f"autotune on {on:.2f}, off {off:.2f}")
    print(f"ratio on / off: {on / off:.2f}  (the wait at each session close: about {on - off:.1f} s)")
    print(f"same accuracy both ways: {accuracies[True] == accuracies[False]} ({sorted(accuracies[True])})")
    print(f"load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
