"""Does the progress bar slow training? Steps/s with and without ProgressBarHook, side by side in one run.

    .venv/bin/python benchmarks/progress_hook.py [--steps 300] [--repeats 3]

Runs alternate (without, with, without, with, ...) on the bundled sample so that machine noise hits both
alike; prints the median steps/s of each and their ratio.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time

from helpers.notebook import setup

tf = setup()

from helpers.data import load_mnist  # noqa: E402
from helpers.hooks import ProgressBarHook  # noqa: E402
from helpers.inputs import get_train_inputs  # noqa: E402
from helpers.model import model_fn  # noqa: E402


def steps_per_second(mnist, steps: int, with_bar: bool) -> float:
    with tempfile.TemporaryDirectory() as model_dir:
        config = tf.estimator.RunConfig(model_dir=model_dir, tf_random_seed=1, save_checkpoints_steps=10**9)
        est = tf.estimator.Estimator(model_fn, params={"learning_rate": 0.001}, config=config)
        input_fn, hook = get_train_inputs(128, mnist, seed=1)
        est.train(input_fn, hooks=[hook], steps=20)  # warm-up: graph building, first checkpoint
        hooks = [hook] + ([ProgressBarHook(total=20 + steps, file=io.StringIO())] if with_bar else [])
        start = time.perf_counter()
        est.train(input_fn, hooks=hooks, steps=steps)
        return steps / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    mnist = load_mnist("sample", verbose=False)
    runs = {False: [], True: []}
    for _ in range(args.repeats):
        for with_bar in (False, True):
            runs[with_bar].append(steps_per_second(mnist, args.steps, with_bar))
    without, with_ = statistics.median(runs[False]), statistics.median(runs[True])
    print(f"without progress bar: {without:6.1f} steps/s  (runs: {', '.join(f'{v:.1f}' for v in runs[False])})")
    print(f"with progress bar:    {with_:6.1f} steps/s  (runs: {', '.join(f'{v:.1f}' for v in runs[True])})")
    print(f"ratio with/without:   {with_ / without:.3f}")


if __name__ == "__main__":
    main()
