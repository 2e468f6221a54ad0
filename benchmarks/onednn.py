"""TensorFlow's oneDNN kernels against the Eigen kernels that TF_ENABLE_ONEDNN_OPTS=0 falls back to: the post's
network trained by the Estimator with the post's input pipeline, side by side in one run.

    .venv/bin/python benchmarks/onednn.py [--steps 150] [--warmup 10] [--rounds 3] [--batch_size 128]
                                          [--processes 1]

oneDNN is TensorFlow's default on x86 Linux. Until this benchmark, helpers.notebook.setup set TF_ENABLE_ONEDNN_OPTS=0
to hide oneDNN's start-up notice; it now hides the notice with the C++ log level and leaves the kernels on. The
switch is read when TensorFlow loads, so every run is a fresh process (`--child`), started with the variable set to
1 or 0; each child reports what TensorFlow says it uses, and a mismatch stops the script. ``--processes 2`` starts
two children at once for each run, as `make test`'s two pytest-xdist workers train side by side on two cores; a
run's rate is then the mean of the two.
How runs are timed and alternated: benchmarks/_measure.py.
"""

from __future__ import annotations

import argparse

import _measure as m

ON, OFF = "oneDNN kernels (TensorFlow's default)", "Eigen kernels (TF_ENABLE_ONEDNN_OPTS=0)"


def child(args) -> None:
    """In a fresh process: train, then print the rate and whether TensorFlow really used oneDNN."""
    from tensorflow.python.util import _pywrap_util_port

    rate = m.estimator_rate(args)
    print(f"RATE {rate.wall} {rate.cpu} ONEDNN {_pywrap_util_port.IsMklEnabled()}", flush=True)


def side_rate(args, onednn: bool) -> m.Rate:
    """One run: ``args.processes`` children at once, TF_ENABLE_ONEDNN_OPTS=1 or 0; the mean of their rates."""
    variable = "1" if onednn else "0"
    rates = []
    for out in m.run_children(__file__, args, {"TF_ENABLE_ONEDNN_OPTS": variable}):
        _, wall, cpu, _, used = out.split()[-5:]
        if used != str(onednn):
            raise RuntimeError(f"asked for TF_ENABLE_ONEDNN_OPTS={variable}, but TensorFlow reports oneDNN "
                               f"{'on' if used == 'True' else 'off'}")
        rates.append(m.Rate(float(wall), float(cpu)))
    return m.mean_rate(rates)


def main(argv=None) -> dict | None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_arguments(ap, steps=150)
    ap.add_argument("--processes", type=int, default=1,
                    help="children training at once in each run (2: like make test's two workers; default 1)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args)
        return None
    m.start(f"oneDNN vs Eigen kernels, {args.processes} process(es) training at once per run", args)
    results = m.alternate({ON: lambda: side_rate(args, True), OFF: lambda: side_rate(args, False)}, args.rounds)
    m.print_sides(results)
    figures = m.report("oneDNN / Eigen", results, ON, OFF)
    m.finish()
    return figures


if __name__ == "__main__":
    main()
