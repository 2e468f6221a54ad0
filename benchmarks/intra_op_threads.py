"""TensorFlow processes that share the cores (cores / processes intra-op threads each: one on a 2-core machine)
against TensorFlow's default (one per core each), with two processes training at once - as `make test`'s two
pytest-xdist workers do - side by side in one run.

    .venv/bin/python benchmarks/intra_op_threads.py [--steps 150] [--warmup 10] [--rounds 3] [--batch_size 128]
                                                    [--processes 2]

Each TensorFlow process sizes its intra-op thread pool to the machine's cores. Two processes training at once on
two cores then run four compute threads, and a thread of TensorFlow's pools that runs out of work spins for a while
before it sleeps: time the other process could have used. ``TF_NUM_INTRAOP_THREADS`` sets the pool's size
(TensorFlow reads it when it starts, so every run is a fresh process, `--child`); tests/conftest.py sets it to
cores / workers for the whole suite when it runs on two or more workers. Steady training, timed here, gains little
from it; the whole suite gains more (`benchmarks/test_suite.py --threads`), where many processes start, build
graphs, evaluate and wait. ``--processes 1`` shows what fewer threads cost a process that has the machine to itself.
The losses and accuracies change in their last digits with the thread count (the sums are split differently); the
notebooks' stored outputs do not show them.
How runs are timed and alternated: benchmarks/_measure.py.
"""

from __future__ import annotations

import argparse
import os

import _measure as m

SHARED, DEFAULT = "cores / processes intra-op threads each", "one intra-op thread per core (TensorFlow's default)"


def shared_threads(processes: int) -> int:
    """What tests/conftest.py gives each process: the cores shared out, at least one."""
    return max(1, len(os.sched_getaffinity(0)) // processes)


def child(args) -> None:
    """In a fresh process: train, then print the rate."""
    rate = m.estimator_rate(args)
    print(f"RATE {rate.wall} {rate.cpu}", flush=True)


def side_rate(args, shared: bool) -> m.Rate:
    """One run: ``args.processes`` children at once, with the cores shared out or TensorFlow's default; their mean
    rate."""
    env = {"TF_NUM_INTRAOP_THREADS": str(shared_threads(args.processes)) if shared else "0"}  # 0: the default
    rates = []
    for out in m.run_children(__file__, args, env):
        _, wall, cpu = out.split()[-3:]
        rates.append(m.Rate(float(wall), float(cpu)))
    return m.mean_rate(rates)


def main(argv=None) -> dict | None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_arguments(ap, steps=150)
    ap.add_argument("--processes", type=int, default=2,
                    help="children training at once in each run (default 2: make test's two workers)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args)
        return None
    m.start(f"intra-op threads, {args.processes} process(es) training at once per run; shared out: "
            f"{shared_threads(args.processes)} each", args)
    results = m.alternate({SHARED: lambda: side_rate(args, True), DEFAULT: lambda: side_rate(args, False)},
                          args.rounds)
    m.print_sides(results)
    figures = m.report("cores shared out / one thread per core", results, SHARED, DEFAULT)
    m.finish()
    return figures


if __name__ == "__main__":
    main()
