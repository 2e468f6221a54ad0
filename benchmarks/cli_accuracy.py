"""Accuracy and wall time of the complete example (`python -m helpers`) on full-size data and on the sample.

    .venv/bin/python benchmarks/cli_accuracy.py [--fashion_dir /usr/share/datasets/fashion-mnist] [--seed 42]

Fashion-MNIST (Debian's dataset-fashion-mnist) has MNIST's exact IDX layout and size (60,000 + 10,000 images),
so it exercises the --data_dir path at full size, offline. The script runs the CLI as a user would, in a
subprocess, training from scratch into a temporary model_dir (SavedModel export included):

    python -m helpers --model_dir MODEL_DIR --data_dir /usr/share/datasets/fashion-mnist FASHION_FLAGS

and prints the flags beside the final test accuracy, the wall time and the load average. It fails (exit 1) if
Fashion-MNIST ends below 0.91 test accuracy or takes more than 300 s (issue 8). Timings assume an otherwise idle
machine: compare the load average printed beside them with the number of cores.
The bundled-sample run (default flags) is printed for reference; it has no threshold.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The flags of the Fashion-MNIST figure (the README's command; benchmarks/README.md). The CLI's defaults (the
#: post's constant Adam rate 0.002, 5,000 steps of 128, dropout 0.5) end near 0.90 on Fashion-MNIST; a constant
#: 0.001 for 4,000 steps of 256 (1,024,000 examples, 4 evaluations) reached 0.911, with no margin in accuracy or
#: time. These flags reach 0.915-0.918 (seeds 42, 7 and 1) with 3/4 of the examples (3,000 steps of 256 =
#: 768,000) and one evaluation instead of four: a cosine-decayed rate (from 0.002 to 0 at the last step; a
#: deliberate addition, the post kept its rate constant) and dropout 0.3 instead of the post's 0.5. Cosine alone
#: (dropout 0.5) gave 0.9104, and 2,500 steps with dropout 0.3 gave 0.9134 and 0.9125 (seeds 42 and 7): too close.
FASHION_FLAGS = ["--batch_size", "256", "--learning_rate", "0.002", "--learning_rate_decay", "cosine",
                 "--dropout_rate", "0.3", "--train_steps", "3000", "--min_eval_frequency", "3000"]
MIN_ACCURACY = 0.91
MAX_SECONDS = 300


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cores"


def run_cli(flags: list[str]) -> dict:
    """Run ``python -m helpers --model_dir TMP FLAGS``; return accuracy, seconds, source line and loads."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-m", "helpers", "--model_dir", str(Path(tmp) / "mt"), "--no_progress", *flags]
        load_before = load()
        start = time.perf_counter()
        # an unreachable mirror: never download anything, whatever the data source
        result = subprocess.run(args, capture_output=True, text=True,
                                env=dict(os.environ, MNIST_MIRROR="http://127.0.0.1:9/"))
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{shlex.join(args)} failed:\n{result.stderr[-3000:]}")
    accuracy = float(re.search(r"test images: accuracy ([0-9.]+)", result.stdout).group(1))
    source = next(line for line in result.stdout.splitlines() if line.startswith("MNIST from"))
    return dict(flags=shlex.join(flags), accuracy=accuracy, seconds=seconds, source=source,
                load=f"{load_before} before, {load()} after")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fashion_dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--seed", type=int, default=None, help="add --seed SEED to the Fashion-MNIST run (default: "
                    "the CLI's 42), to check the figure is not one lucky seed")
    ap.add_argument("--skip_sample", action="store_true", help="only the Fashion-MNIST run")
    args = ap.parse_args()
    if not Path(args.fashion_dir).is_dir():
        raise SystemExit(f"{args.fashion_dir} missing: apt-get install dataset-fashion-mnist")
    fashion_flags = ["--data_dir", args.fashion_dir, *FASHION_FLAGS]
    if args.seed is not None:
        fashion_flags += ["--seed", str(args.seed)]
    fashion = run_cli(fashion_flags)
    if "IDX files" not in fashion["source"]:  # --data_dir not used: the CLI fell back to another source
        raise SystemExit(f"the CLI did not read {args.fashion_dir}: {fashion['source']}")
    rows = [("Fashion-MNIST IDX", fashion)]
    if not args.skip_sample:
        rows.append(("bundled MNIST sample", run_cli(["--data_source", "sample"])))
    for name, row in rows:
        print(f"{name:21s} test accuracy {row['accuracy']:.4f}  {row['seconds']:4.0f} s  "
              f"python -m helpers --model_dir MODEL_DIR {row['flags']}")
        print(f"{'':21s} {row['source']}\n{'':21s} {row['load']}")
    failures = []
    if fashion["accuracy"] < MIN_ACCURACY:
        failures.append(f"accuracy {fashion['accuracy']:.4f} is below {MIN_ACCURACY}")
    if fashion["seconds"] > MAX_SECONDS:
        failures.append(f"it took {fashion['seconds']:.0f} s, more than {MAX_SECONDS} s (is the machine idle?)")
    if failures:
        raise SystemExit("Fashion-MNIST: " + "; ".join(failures))


if __name__ == "__main__":
    main()
