"""Is the Estimator slower than Keras? Training steps/s of the Estimator + Dataset and of the same network in Keras
`fit` on the same input, side by side in one run (goal: ratio >= 1.0).

    .venv/bin/python benchmarks/estimator_vs_keras.py [--steps 150] [--warmup 10] [--rounds 3] [--batch_size 128]

Estimator: helpers.model.model_fn (tf-slim, the post's network) fed by the post's input function
(helpers.inputs.get_train_inputs: placeholders -> repeat -> shuffle 10,000 -> batch 128), RunConfig defaults.
Keras: the same layers as a tf.keras.Sequential (helpers.keras_port.keras_network, notebook 07), compiled with
Adam at the same rate and sparse cross-entropy on logits, `fit` on a tf.data pipeline of the same arrays in the
same order (repeat -> shuffle 10,000 -> batch).
How runs are timed and alternated: benchmarks/_measure.py.
"""

from __future__ import annotations

import argparse

import _measure as m


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args = m.add_arguments(ap, steps=150).parse_args(argv)
    m.start("Estimator + Dataset vs the same network in Keras fit on the same input", args)
    results = m.alternate({"Estimator + Dataset": lambda: m.estimator_rate(args),
                           "Keras fit": lambda: m.keras_rate(args)}, args.rounds)
    m.print_sides(results)
    figures = m.report("Estimator / Keras fit", results, "Estimator + Dataset", "Keras fit", goal=1.0)
    m.finish()
    return figures


if __name__ == "__main__":
    main()
