"""Accuracy and run time of the complete example (`python -m helpers`) on full-size data and on the sample.

    .venv/bin/python benchmarks/cli_accuracy.py [--fashion_dir /usr/share/datasets/fashion-mnist] [--steps 5000]

Fashion-MNIST (Debian's dataset-fashion-mnist) has MNIST's exact IDX layout and size (60,000 + 10,000 images),
so it exercises the --data_dir path at full size, offline. Each run trains from scratch into a temporary
model_dir; the script prints the final test accuracy and the wall time of each, and fails if Fashion-MNIST
ends below 0.90.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_cli(data_args: list[str], steps: int | None) -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-m", "helpers", "--model_dir", str(Path(tmp) / "mt"), "--no_progress", *data_args]
        if steps:
            args += ["--train_steps", str(steps)]
        start = time.perf_counter()
        result = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, MNIST_MIRROR="http://127.0.0.1:9/"))
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    accuracy = float(re.search(r"test images: accuracy ([0-9.]+)", result.stdout).group(1))
    source = next(line for line in result.stdout.splitlines() if line.startswith("MNIST from"))
    return accuracy, seconds, source


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fashion_dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--steps", type=int, default=None, help="--train_steps for the full-size run (default: the CLI's)")
    args = ap.parse_args()
    if not Path(args.fashion_dir).is_dir():
        raise SystemExit(f"{args.fashion_dir} missing: apt-get install dataset-fashion-mnist")
    rows = [("Fashion-MNIST IDX", *run_cli(["--data_dir", args.fashion_dir], args.steps)),
            ("bundled MNIST sample", *run_cli(["--data_source", "sample"], None))]
    for name, accuracy, seconds, source in rows:
        print(f"{name:22s} test accuracy {accuracy:.4f}   {seconds:6.0f} s   ({source})")
    if rows[0][1] < 0.90:
        raise SystemExit(f"Fashion-MNIST accuracy {rows[0][1]:.4f} is below 0.90")


if __name__ == "__main__":
    main()
