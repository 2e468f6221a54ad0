"""Where does the time of one training step go? The Estimator's own tf.estimator.ProfilerHook writes Chrome traces
(timeline-STEP.json) of some steps; this script reads them and prints the ops that take the most time.

    .venv/bin/python benchmarks/step_profile.py [--steps 60] [--warmup 10] [--every 5] [--top 12] [--batch_size 128]
                                                [--keep DIR]

The post's model_fn and input pipeline, RunConfig defaults, warmup + steps steps; ProfilerHook traces every
``--every``-th step (FULL_TRACE: those steps run slower than the others) and the traces of steps after the warm-up
are summed. An op's time is its duration in the trace ("X" events: the op's kernel, on whichever of the session's
threads ran it); shares are of the summed op time. On 2 cores ops overlap, so the summed op time can exceed the
step's wall time. With oneDNN on (TensorFlow's default; helpers.notebook.setup leaves it on) most op types are
oneDNN's kernels, named _MklNative...: _MklNativeFusedConv2D is a convolution with its bias and ReLU fused in.
--keep DIR keeps the traces: open one in chrome://tracing or https://ui.perfetto.dev.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import tempfile
from pathlib import Path

import _measure as m
from _measure import tf

from helpers.model import LAYERS


def where(node_name: str, op_type: str) -> str:
    """Which part of the network (the post's layer scopes), pass and update an op belongs to, from its name."""
    if op_type == "IteratorGetNext":
        return "input pipeline"
    if node_name.startswith("Adam") or "ApplyAdam" in op_type:
        return "Adam update"
    backward = node_name.startswith("gradients/")
    layer = next((part for part in node_name.split("/") if part in LAYERS), None)
    if layer is None:
        return "loss, backward" if backward and "entropy" in node_name else "other"
    return f"{layer}, {'backward' if backward else 'forward'}"


def read_traces(paths) -> tuple[collections.Counter, list[float]]:
    """Microseconds per (op type, where) summed over the traces, and each trace's wall span in microseconds."""
    times = collections.Counter()
    spans = []
    for path in paths:
        events = [e for e in json.loads(Path(path).read_text())["traceEvents"] if e.get("ph") == "X"]
        for event in events:
            op_type = event["args"].get("op", event["name"])
            times[op_type, where(event["args"].get("name", ""), op_type)] += event["dur"]
        spans.append(max(e["ts"] + e["dur"] for e in events) - min(e["ts"] for e in events))
    return times, spans


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_arguments(ap, steps=60, rounds=None)
    ap.add_argument("--every", type=int, default=5, help="trace every N-th step (default 5)")
    ap.add_argument("--top", type=int, default=12, help="rows of the table (default 12)")
    ap.add_argument("--keep", metavar="DIR", help="copy the traces (timeline-STEP.json) to DIR")
    args = ap.parse_args(argv)
    print(f"Where one Estimator training step's time goes (tf.estimator.ProfilerHook traces)\n"
          f"  batch {args.batch_size}, {args.warmup} warm-up + {args.steps} steps, every {args.every}th traced; "
          f"TensorFlow {tf.__version__}; "
          f"{m.load()} at start", flush=True)
    with tempfile.TemporaryDirectory() as out:
        with tf.Graph().as_default():  # ProfilerHook opens a tf.compat.v1 FileWriter, which needs graph mode
            hook = tf.estimator.ProfilerHook(save_steps=args.every, output_dir=out)
        rate = m.estimator_rate(args, hooks=[hook]).wall
        traces = sorted((p for p in Path(out).glob("timeline-*.json")
                         if int(re.search(r"(\d+)", p.name).group(1)) > args.warmup), key=lambda p: p.stat().st_mtime)
        if not traces:
            raise SystemExit(f"no trace after the warm-up: give --steps at least --every ({args.every})")
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            for path in traces:
                shutil.copy(path, args.keep)
        times, spans = read_traces(traces)
    total = sum(times.values())
    per_step = 1e3 * len(traces)  # microseconds summed over the traces -> milliseconds per step
    print(f"  {len(traces)} traced step(s); op time per step, summed over threads: {total / per_step:.1f} ms; a traced "
          f"step's span (first op start to last op end): {sum(spans) / len(spans) / 1e3:.1f} ms; the run's steps "
          f"after the warm-up, traced or not: {1e3 / rate:.1f} ms each ({rate:.1f} steps/s)")
    print(f"  {'op type':<30} {'where':<22} {'ms/step':>8} {'share':>6}")
    for (op_type, part), micros in times.most_common(args.top):
        print(f"  {op_type:<30} {part:<22} {micros / per_step:8.2f} {micros / total:6.1%}")
    rest = total - sum(micros for _, micros in times.most_common(args.top))
    print(f"  {'all other ops':<53} {rest / per_step:8.2f} {rest / total:6.1%}")
    parts = collections.Counter()
    for (_, part), micros in times.items():
        parts[part.split(", ")[-1]] += micros  # "conv1, forward" -> "forward"
    print("share " + ", ".join(f"{part} {micros / total:.0%}" for part, micros in parts.most_common()))
    print(f"  {m.load()} at end")
    return {"shares": {k: v / total for k, v in parts.items()}}


if __name__ == "__main__":
    main()
