"""How close does training come to this machine's arithmetic peak? The training FLOP rate over the fp32 matmul rate,
both measured side by side in one run (expected about 0.3: the post's small convolutions are memory-bound).

    .venv/bin/python benchmarks/flop_rate.py [--steps 150] [--warmup 10] [--rounds 3] [--batch_size 128]
                                             [--matmul_size 1024] [--matmuls N]

FLOP per training image, from the graph: the Estimator's TRAIN graph (helpers.model.model_fn) is counted three ways
and all three are printed - tf.compat.v1.profiler's float_ops over the whole graph; the usual rule of thumb, 3 x the
forward pass; and the ops the session really runs (those train_op depends on, less what Grappler drops), with
convolution gradients sized like their forward convolutions. The rate uses the last.
Training: the Estimator with the post's input pipeline (RunConfig defaults), steps/s x batch x FLOP per image.
Matmul: square fp32 tf.linalg.matmul, 2 n^3 FLOP each, timed after two untimed ones, as many as make the FLOP of a
training run's timed steps (so the two sides of a round take comparable times). Both run with the series' settings
(helpers.notebook.setup: oneDNN on, TensorFlow's default).
How runs are timed and alternated: benchmarks/_measure.py.
"""

from __future__ import annotations

import argparse

import _measure as m
import numpy as np
from _measure import tf
from tensorflow.python.framework import ops
from tensorflow.python.profiler.internal import flops_registry  # noqa: F401 - registers the ops' FLOP statistics

CONV_GRADIENTS = ("Conv2DBackpropInput", "Conv2DBackpropFilter")


def registered_flops(graph, node) -> int:
    """The FLOP TensorFlow's statistics registry gives a node - what the profiler sums; 0 where none is registered."""
    try:
        return ops.get_stats_for_node_def(graph, node, "flops").value or 0
    except ValueError:  # a shape the registered function cannot handle
        return 0


def node_flops(graph, node) -> int:
    """FLOP of one node. A convolution gradient does the multiply-adds of its forward convolution: 2 x (elements of
    the gradient it propagates = the forward output) x kernel height x width x input depth. The profiler's formula
    for them takes the input image's size instead, which is right only for SAME padding; the post's are VALID."""
    if node.op not in CONV_GRADIENTS:
        return registered_flops(graph, node)
    out_backprop = graph.get_tensor_by_name(node.input[2] + ":0").shape
    kernel = (graph.get_operation_by_name(node.name).outputs[0].shape if node.op == "Conv2DBackpropFilter"
              else graph.get_tensor_by_name(node.input[1] + ":0").shape)
    return 2 * out_backprop.num_elements() * kernel[0] * kernel[1] * kernel[2]


def names_run(graph, spec, batch_size: int) -> set[str]:
    """The names of the nodes the session really runs for one training step, after Grappler's rewrites."""
    with graph.as_default(), tf.compat.v1.Session(config=m.session_config()) as session:
        session.run(tf.compat.v1.global_variables_initializer())
        metadata = tf.compat.v1.RunMetadata()
        feed = {"images:0": np.zeros([batch_size, 28, 28, 1], np.float32), "labels:0": np.zeros([batch_size], np.int32)}
        session.run(spec.train_op, feed, options=tf.compat.v1.RunOptions(output_partition_graphs=True),
                    run_metadata=metadata)
    return {node.name for partition in metadata.partition_graphs for node in partition.node}


def flops_per_image(batch_size: int) -> dict:
    """Count the training graph's FLOP three ways; return them per image (and the parameter count).

    The ops train_op depends on include conv1's input gradient: tf.gradients builds both gradients of a Conv2D, and
    minimize's gate_gradients=GATE_OP groups them, but nothing needs the gradient of the images and Grappler drops
    it - a convolution gradient missing from the graph the session runs is not counted. (Grappler also fuses ops, so
    the run graph's other names cannot be matched this way; their counts come from the graph as built.)"""
    graph, spec, parameters = m.training_graph(batch_size)
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    profiler_total = tf.compat.v1.profiler.profile(graph, options=options).total_float_ops
    depends = tf.compat.v1.graph_util.extract_sub_graph(graph.as_graph_def(), [spec.train_op.name, spec.loss.op.name])
    run = names_run(graph, spec, batch_size)
    dropped = [node.name for node in depends.node if node.op in CONV_GRADIENTS and node.name not in run]
    executed = sum(node_flops(graph, node) for node in depends.node if node.name not in dropped)
    forward = sum(registered_flops(graph, node) for node in depends.node
                  if not node.name.startswith("gradients/") and not node.name.startswith("Adam"))
    return {"profiler": profiler_total / batch_size, "executed": executed / batch_size,
            "forward": forward / batch_size, "dropped": dropped, "parameters": parameters}


def matmul_rate(size: int, count: int) -> m.Rate:
    """GFLOP/s of ``count`` square fp32 matmuls of ``size`` (eager, one op each, 2 size^3 FLOP), after two untimed."""
    a = tf.random.uniform([size, size], seed=1)
    b = tf.random.uniform([size, size], seed=2)
    for _ in range(2):
        tf.linalg.matmul(a, b)
    clocks = [m.clock()]
    for _ in range(count):
        tf.linalg.matmul(a, b)  # an eager op on the CPU has run when the call returns
        clocks.append(m.clock())
    return m.steady_rate(clocks, warmup=1).scaled(2 * size**3 / 1e9)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_arguments(ap, steps=150)
    ap.add_argument("--matmul_size", type=int, default=1024, help="n of the n x n matmuls (default 1024)")
    ap.add_argument("--matmuls", type=int, default=None,
                    help="timed matmuls per run (default: as many FLOP as a training run's timed steps)")
    args = ap.parse_args(argv)
    m.start("Training FLOP rate vs this machine's fp32 matmul rate", args)

    counted = flops_per_image(args.batch_size)
    per_image = counted["executed"]
    dropped = ", ".join(name.split("/")[2] + "'s " + name.split("/")[-1] for name in counted["dropped"]) or "nothing"
    print(f"  FLOP per training image, from the TRAIN graph ({counted['parameters']:,} parameters):\n"
          f"    tf.compat.v1.profiler float_ops, whole graph      {counted['profiler'] / 1e6:6.2f} M  "
          f"(sizes convolution gradients by their input image, right for SAME padding only; the post's are VALID)\n"
          f"    3 x forward pass (rule of thumb)                  {3 * counted['forward'] / 1e6:6.2f} M  "
          f"(forward pass {counted['forward'] / 1e6:.2f} M)\n"
          f"    ops the session runs (used below)                 {per_image / 1e6:6.2f} M  "
          f"(Grappler drops {dropped}: built by tf.gradients, needed by nothing)")

    matmuls = args.matmuls or max(1, round(args.steps * args.batch_size * per_image / (2 * args.matmul_size**3)))
    print(f"  {matmuls} timed matmuls per run: as many FLOP as a training run's timed steps")

    def training():
        return m.estimator_rate(args).scaled(args.batch_size * per_image / 1e9)

    results = m.alternate({"training (Estimator + Dataset)": training,
                           f"fp32 matmul {args.matmul_size}x{args.matmul_size}": lambda: matmul_rate(
                               args.matmul_size, matmuls)}, args.rounds)
    m.print_sides(results, unit="GFLOP/s")
    figures = m.report("training FLOP rate / matmul FLOP rate", results, *results, expected="about 0.3")
    m.finish()
    return {**figures, "flops_per_image": per_image}


if __name__ == "__main__":
    main()
