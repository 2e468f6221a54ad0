"""Does XLA speed up training on the CPU? Training steps/s with and without XLA, side by side in one run, for the
Estimator and for Keras (reported before: 2.7x slower with XLA; it is not the series' default, and stays off).

    .venv/bin/python benchmarks/xla_cpu.py [--steps 100] [--warmup 10] [--rounds 3] [--batch_size 128]
                                           [--only estimator|keras]

Estimator: the post's model_fn and input pipeline, RunConfig defaults; XLA on = TF_XLA_FLAGS=--tf_xla_cpu_global_jit
(which lets XLA auto-cluster on the CPU; benchmarks/_measure.py sets it before TensorFlow reads it) *and* the
session config's global_jit_level ON_1 (the flag alone compiles nothing: the script counts the _XlaRun ops the
session really runs, on both sides). Keras: the same network, `fit` on the same input, compile(jit_compile=True)
against False. The warm-up steps, excluded from the timing, include XLA's compilation.
How runs are timed and alternated: benchmarks/_measure.py.
"""

from __future__ import annotations

import argparse
import os

import _measure as m


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_arguments(ap, steps=100)
    ap.add_argument("--only", choices=("estimator", "keras"), help="measure one of the two (default: both)")
    args = ap.parse_args(argv)
    m.start(f"XLA on the CPU vs without (TF_XLA_FLAGS={os.environ.get('TF_XLA_FLAGS')})", args)
    figures = {}
    if args.only in (None, "estimator"):
        clusters = {"without": [], "XLA": []}

        def estimator(xla: bool) -> float:
            probe = m.XlaClusters()
            rate = m.estimator_rate(args, xla=xla, hooks=[probe])
            clusters["XLA" if xla else "without"].append(probe.count)
            return rate

        results = m.alternate({"Estimator, XLA (global_jit_level ON_1)": lambda: estimator(True),
                               "Estimator, without": lambda: estimator(False)}, args.rounds)
        m.print_sides(results)
        print(f"  _XlaRun ops the session ran: {max(clusters['XLA'])} with ON_1, {max(clusters['without'])} with the "
              f"flag alone (the default session config)")
        if not max(clusters["XLA"]):
            print("  WARNING: XLA compiled nothing - TensorFlow read TF_XLA_FLAGS before this script set it; "
                  "run it as a script, or with TF_XLA_FLAGS=--tf_xla_cpu_global_jit in the environment")
        figures["estimator"] = m.report("Estimator XLA / without", results, *results)
    if args.only in (None, "keras"):
        results = m.alternate({"Keras fit, jit_compile=True": lambda: m.keras_rate(args, jit_compile=True),
                               "Keras fit, jit_compile=False": lambda: m.keras_rate(args)}, args.rounds)
        m.print_sides(results)
        figures["keras"] = m.report("Keras jit_compile / without", results, *results)
    m.finish()
    return figures


if __name__ == "__main__":
    main()
