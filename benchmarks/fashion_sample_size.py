"""Why the bundled Fashion-MNIST sample has 6,000 training images: notebook 05's training run on samples of
different sizes, drawn as tools/make_fashion_sample.py draws the bundled one, and the test accuracy each reaches.

    .venv/bin/python benchmarks/fashion_sample_size.py [--sizes 4000 6000 8000] [--seeds 42 7 123]

Needs the full Fashion-MNIST (Debian's dataset-fashion-mnist, or --source). Every sample is tested on the same 1,000
test images as the bundled one (the draw takes the test split first). The training run is notebook 05's: the post's
network at learning rate 0.002, dropout 0.5, 500 steps of 256 images, evaluated at steps 250 and 500
(helpers.train.make_experiment_fn, run by learn_runner.run with RunConfig(tf_random_seed=SEED)); the first seed on
the 6,000-image sample is the run stored in notebook 05. --batch_size 128 --train_steps 1000 repeats the comparison
with the post's batches over about the same time. Prints each run's accuracy at its last evaluation and its time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

from helpers.notebook import setup  # noqa: E402

tf = setup()

from make_fashion_sample import SOURCE, write_sample  # noqa: E402

from helpers import learn_runner  # noqa: E402
from helpers.data import Mnist, load_idx_dir  # noqa: E402
from helpers.hparams import HParams  # noqa: E402
from helpers.train import make_experiment_fn  # noqa: E402


def sample(source: Path, train_images: int) -> Mnist:
    """A sample drawn and written as tools/make_fashion_sample.py writes the bundled one, read back as notebook 05
    reads that (for 6,000 images: the bundled sample's bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        write_sample(Path(folder), source, train_images // 10)
        return load_idx_dir(folder)


def accuracy(data: Mnist, seed: int, batch_size: int, train_steps: int) -> float:
    hparams = HParams(learning_rate=0.002, batch_size=batch_size, dropout_rate=0.5, train_steps=train_steps,
                      min_eval_frequency=train_steps // 2)
    with tempfile.TemporaryDirectory() as model_dir:
        run_config = tf.estimator.RunConfig(model_dir=model_dir, tf_random_seed=seed)
        result, _ = learn_runner.run(make_experiment_fn(data, progress=False), run_config=run_config,
                                     schedule="train_and_evaluate", hparams=hparams)
        tf.compat.v1.summary.FileWriterCache.clear()
    return float(result["accuracy"])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=SOURCE, help=f"the full set's IDX .gz files (default {SOURCE})")
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000, 6000, 8000], help="training images per sample")
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 123],
                    help="training seeds: all of them on 6,000 images, the first on the other sizes")
    ap.add_argument("--batch_size", type=int, default=256)
    ap.add_argument("--train_steps", type=int, default=500)
    args = ap.parse_args(argv)
    if not (args.source / "train-images-idx3-ubyte.gz").is_file():
        raise SystemExit(f"the full Fashion-MNIST is not in {args.source}: apt-get install dataset-fashion-mnist, "
                         "or pass --source")
    one, five, _ = os.getloadavg()
    print(f"notebook 05's run ({args.train_steps} steps of {args.batch_size}) on samples of the full set; "
          f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cores")
    print(f"  {'training images':>15}  {'seed':>4}  {'test accuracy':>13}  {'time':>6}")
    results = {}
    for size in args.sizes:
        data = sample(args.source, size)
        for seed in args.seeds if size == 6000 else args.seeds[:1]:
            start = time.perf_counter()
            results[size, seed] = accuracy(data, seed, args.batch_size, args.train_steps)
            print(f"  {size:>15,}  {seed:>4}  {results[size, seed]:>13.3f}  {time.perf_counter() - start:5.0f}s",
                  flush=True)
    return results


if __name__ == "__main__":
    main()
