"""Does the input pipeline slow training? Estimator training steps/s with the post's input pipeline and with an
in-graph constant batch, side by side in one run (goal: ratio >= 0.95).

    .venv/bin/python benchmarks/input_pipeline.py [--steps 150] [--warmup 10] [--rounds 3] [--batch_size 128]
                                                  [--prefetch]

The post's pipeline (helpers.inputs.get_train_inputs): numpy arrays fed through placeholders into
Dataset.from_tensor_slices -> repeat -> shuffle(10,000) -> batch(128), read by an initializable iterator, no
prefetch. The constant batch: the first 128 training images as tf.constant in the graph - no pipeline at all, the
ceiling for any input. Same model_fn, RunConfig defaults, fresh model_dir per run. With --prefetch a third side,
the same pipeline with .prefetch(1) (not the post's), shows what overlapping the next batch with the step buys.
How runs are timed and alternated: benchmarks/_measure.py.
"""

from __future__ import annotations

import argparse

import _measure as m


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_arguments(ap, steps=150)
    ap.add_argument("--prefetch", action="store_true", help="also time the pipeline with .prefetch(1)")
    args = ap.parse_args(argv)
    m.start("Estimator training: the post's input pipeline vs an in-graph constant batch", args)
    sides = {"post's pipeline": lambda: m.estimator_rate(args, pipeline=True),
             "constant batch in the graph": lambda: m.estimator_rate(args, pipeline=False)}
    if args.prefetch:
        sides["post's pipeline + prefetch(1)"] = lambda: m.estimator_rate(args, prefetch=1)
    results = m.alternate(sides, args.rounds)
    m.print_sides(results)
    figures = m.report("pipeline / constant batch", results, "post's pipeline", "constant batch in the graph",
                       goal=0.95)
    if args.prefetch:
        figures["prefetch"] = m.report("pipeline + prefetch(1) / constant batch", results,
                                       "post's pipeline + prefetch(1)", "constant batch in the graph")
    m.finish()
    return figures


if __name__ == "__main__":
    main()
