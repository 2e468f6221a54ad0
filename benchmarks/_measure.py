"""What the training-throughput benchmarks share: the sides they compare, and how they time and alternate them.

Not a benchmark itself (`make bench` skips files starting with "_"). The scripts that use it:

    benchmarks/estimator_vs_keras.py   Estimator + Dataset / the same network in Keras fit         (goal >= 1.0)
    benchmarks/input_pipeline.py       the post's input pipeline / an in-graph constant batch      (goal >= 0.95)
    benchmarks/estimator_overhead.py   Estimator / a bare tf.function step on the same batch       (goal >= 0.95)
                                       and the machinery's own cost per step (a one-weight model)
    benchmarks/flop_rate.py            training FLOP rate / this machine's fp32 matmul rate        (expected ~0.3)
    benchmarks/xla_cpu.py              XLA on CPU / without, for the Estimator and for Keras
    benchmarks/step_profile.py         where the time of one training step goes (Chrome trace)
    benchmarks/onednn.py               oneDNN kernels / Eigen kernels, each run a fresh process    (run_children)

How a figure is measured: every side trains the post's network (helpers/model.py; 253,018 parameters) on batches
of the same size for the same number of steps. Each run starts fresh (new graph or model) and times only its last
``steps`` steps: the ``warmup`` steps before them (graph building, the first session.run or tf.function trace, the
shuffle buffer filling) are not counted. Sides alternate A, B, B, A in each round, so a load that rises or falls
during the run weighs on both alike; the figure is the median over rounds of each round's ratio, printed with the
range. Other programs on a shared machine slow both sides: the load average is printed at start and end.

Each run is timed twice over the same steps: by the wall clock (steps/s: the figure) and by the process's CPU time
(steps per CPU-second: all threads' user + system time). On a busy machine the wall clock also counts the time
other programs held the cores, which comes and goes; CPU time counts only this process's own work, so its ratio
stays steadier under load (16 runs side by side on a 2-core machine at load 5-9: a coefficient of variation of
23-35 % by the wall clock, 7-9 % in CPU time). It is printed under each ratio; on an idle machine the two agree
unless one side keeps the second core busier than the other.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

# The flag that lets XLA auto-cluster on CPU at all. It must be in the environment before TensorFlow first reads its
# XLA flags (at the first session or function that could be compiled), so it is set here, before any of that. On its
# own it compiles nothing: a session compiles only with global_jit_level ON (benchmarks/xla_cpu.py prints both).
XLA_CPU_FLAG = "--tf_xla_cpu_global_jit"
if XLA_CPU_FLAG not in os.environ.get("TF_XLA_FLAGS", ""):
    os.environ["TF_XLA_FLAGS"] = f"{os.environ.get('TF_XLA_FLAGS', '')} {XLA_CPU_FLAG}".strip()

from helpers.notebook import setup  # noqa: E402

tf = setup()

from helpers.data import load_mnist  # noqa: E402
from helpers.inputs import get_train_inputs, placeholder_input_fn  # noqa: E402
from helpers.keras_port import keras_network, train_dataset  # noqa: E402
from helpers.model import model_fn  # noqa: E402

#: The post's hyper-parameters: Adam at 0.002, dropout 0.5 (keep_prob 0.5), batches of 128.
PARAMS = {"learning_rate": 0.002, "dropout_rate": 0.5}
BATCH_SIZE = 128
#: The post's network has this many parameters; every side checks it builds the same.
POST_PARAMETERS = 253_018


# ---------------------------------------------------------------------------------------------- reporting


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cores"


def add_arguments(parser, steps: int, rounds: int | None = 3, warmup: int = 10):
    """The flags every throughput script takes (--rounds only where sides alternate: ``rounds`` not None)."""
    parser.add_argument("--steps", type=int, default=steps, help=f"timed steps per run (default {steps})")
    parser.add_argument("--warmup", type=int, default=warmup,
                        help=f"untimed steps at the start of each run (default {warmup})")
    if rounds is not None:
        parser.add_argument("--rounds", type=int, default=rounds,
                            help=f"rounds of A, B, B, A (default {rounds}); the figure is the median round's ratio")
    parser.add_argument("--batch_size", type=int, default=BATCH_SIZE, help=f"the post's {BATCH_SIZE} by default")
    return parser


def start(title: str, args) -> None:
    print(f"{title}\n  batch {args.batch_size}, {args.steps} timed steps after {args.warmup} warm-up steps per run, "
          f"{args.rounds} round(s) of A, B, B, A; TensorFlow {tf.__version__}; {load()} at start", flush=True)


def finish() -> None:
    print(f"  {load()} at end")


class Rate(NamedTuple):
    """One run's rate over its timed steps: per second of wall clock, and per second of the process's CPU time."""

    wall: float
    cpu: float

    def scaled(self, factor: float) -> Rate:
        return Rate(self.wall * factor, self.cpu * factor)


def mean_rate(rates: list[Rate]) -> Rate:
    return Rate(statistics.fmean(r.wall for r in rates), statistics.fmean(r.cpu for r in rates))


def run_children(script: str, args, env: dict[str, str]) -> list[str]:
    """Start ``args.processes`` fresh processes of ``script --child`` at once (the same steps, warm-up and batch
    size), with ``env`` added to the environment - for a setting TensorFlow reads only when it starts. Returns each
    child's stdout; a child that fails raises, with the end of its stderr."""
    command = [sys.executable, str(Path(script).resolve()), "--child", "--steps", str(args.steps),
               "--warmup", str(args.warmup), "--batch_size", str(args.batch_size)]
    children = [subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(args.processes)]
    outputs = []
    for child in children:
        out, err = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"{Path(script).name} --child with {env} failed:\n{err[-2000:]}")
        outputs.append(out)
    return outputs


def clock() -> tuple[float, float]:
    """(wall clock, this process's CPU time: user + system, all threads), in seconds."""
    return time.perf_counter(), time.process_time()


def steady_rate(clocks: list[tuple[float, float]], warmup: int) -> Rate:
    """Steps per second over the steps after the first ``warmup`` (``clocks[i]`` = :func:`clock` at the end of step
    i + 1)."""
    if warmup < 1 or len(clocks) <= warmup:
        raise ValueError(f"need at least 1 warm-up step and 1 timed step, got {len(clocks)} steps, warm-up {warmup}")
    steps = len(clocks) - warmup
    (wall0, cpu0), (wall1, cpu1) = clocks[warmup - 1], clocks[-1]
    return Rate(steps / (wall1 - wall0), steps / max(cpu1 - cpu0, 1e-9))


def alternate(sides: dict[str, Callable[[], Rate]], rounds: int) -> dict[str, list[list[Rate]]]:
    """Run the sides in order, then in reverse order, ``rounds`` times (A, B, B, A for two sides).

    Returns, for each side, one list of measurements per round."""
    names = list(sides)
    results = {name: [] for name in names}
    for _ in range(rounds):
        for name in names:
            results[name].append([])
        for order in (names, names[::-1]):
            for name in order:
                results[name][-1].append(sides[name]())
    return results


def round_ratios(results, numerator: str, denominator: str, timed_by: str = "wall") -> list[float]:
    """Per round: the mean of ``numerator``'s rates over the mean of ``denominator``'s (``timed_by``: "wall" or
    "cpu")."""
    pairs = zip(results[numerator], results[denominator], strict=True)
    return [statistics.fmean(getattr(r, timed_by) for r in a) / statistics.fmean(getattr(r, timed_by) for r in b)
            for a, b in pairs]


def print_sides(results, unit: str = "steps/s") -> None:
    for name, rounds in results.items():
        runs = [run for r in rounds for run in r]
        walls = ", ".join(f"{r.wall:.1f}" for r in runs)
        print(f"  {name:<40} {statistics.median(r.wall for r in runs):8.1f} {unit}  (runs: {walls}); "
              f"per CPU-second {statistics.median(r.cpu for r in runs):.1f}")


def spread(ratios: list[float]) -> str:
    return f"range {min(ratios):.2f}-{max(ratios):.2f}" if len(ratios) > 1 else "one round: no spread"


def print_ratio(label: str, ratios: list[float], goal: float | None = None, expected: str | None = None) -> float:
    """One line a reader (and tests/test_benchmarks.py) looks for: "ratio LABEL: X.XX (median of N rounds ...)".
    With ``goal``, says whether the median reaches it, and whether the rounds' range straddles it."""
    median = statistics.median(ratios)
    verdict = ""
    if goal is not None:
        verdict = f"   goal >= {goal}: {'met' if median >= goal else 'MISSED'}"
        if min(ratios) < goal <= max(ratios):
            verdict += " (the rounds' range straddles it)"
    if expected is not None:
        verdict += f"   expected {expected}"
    print(f"ratio {label}: {median:.2f}  (median of {len(ratios)} round(s), {spread(ratios)}){verdict}", flush=True)
    return median


def report(label: str, results, numerator: str, denominator: str, **verdict) -> dict:
    """Print the wall-clock ratio of two sides (the figure) and, under it, the same ratio in CPU time."""
    figure = print_ratio(label, round_ratios(results, numerator, denominator), **verdict)
    cpu = round_ratios(results, numerator, denominator, timed_by="cpu")
    print(f"  in CPU time (steps per CPU-second, steadier under load): {statistics.median(cpu):.2f}  ({spread(cpu)})")
    return {"ratio": figure, "cpu_ratio": statistics.median(cpu)}


# ---------------------------------------------------------------------------------------------- data


_MNIST = None


def mnist():
    """The bundled sample (4,000 training images): no network needed; throughput does not depend on its size."""
    global _MNIST
    if _MNIST is None:
        _MNIST = load_mnist("sample", verbose=False)
    return _MNIST


def fixed_batch(batch_size: int):
    """The same batch for every side that trains on one: the first ``batch_size`` training images."""
    data = mnist()
    return data.train_images[:batch_size], data.train_labels[:batch_size]


# ---------------------------------------------------------------------------------------------- Estimator


class StepTimes(tf.compat.v1.train.SessionRunHook):
    """Records the :func:`clock` at the end of every training step (after session.run returns)."""

    def __init__(self):
        self.times = []

    def after_run(self, run_context, run_values):
        self.times.append(clock())


def session_config(xla: bool = False):
    """RunConfig's default session config, with XLA auto-clustering (global_jit_level ON_1) when ``xla``."""
    config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    config.graph_options.rewrite_options.meta_optimizer_iterations = 1  # RewriterConfig.ONE, RunConfig's default
    if xla:
        config.graph_options.optimizer_options.global_jit_level = tf.compat.v1.OptimizerOptions.ON_1
    return config


def constant_input_fn(batch_size: int):
    """An input_fn with no pipeline at all: one fixed batch, embedded in the graph as constants."""
    images, labels = fixed_batch(batch_size)

    def input_fn():
        return tf.constant(images, name="images"), tf.constant(labels, name="labels")

    return input_fn


def estimator_rate(args, *, pipeline: bool = True, prefetch: int = 0, xla: bool = False, hooks=(), seed: int = 1,
                   model=model_fn) -> Rate:
    """Train a fresh Estimator (``model``: the series' model_fn; RunConfig defaults) for warmup + steps steps; return
    the rate of the last ``steps``. ``pipeline``: the post's input (helpers.inputs.get_train_inputs: placeholders,
    repeat, shuffle 10,000, batch; ``prefetch`` > 0 adds .prefetch, which the post did not); otherwise
    :func:`constant_input_fn`."""
    timer = StepTimes()
    with tempfile.TemporaryDirectory() as model_dir:
        config = tf.estimator.RunConfig(model_dir=model_dir, tf_random_seed=seed, session_config=session_config(xla))
        estimator = tf.estimator.Estimator(model, params=PARAMS, config=config)
        if pipeline:
            if prefetch:
                data = mnist()
                input_fn, input_hook = placeholder_input_fn(data.train_images, data.train_labels, args.batch_size,
                                                            shuffle=True, repeat=True, seed=seed, prefetch=prefetch)
            else:
                input_fn, input_hook = get_train_inputs(args.batch_size, mnist(), seed=seed)
            hooks = [input_hook, *hooks]
        else:
            input_fn = constant_input_fn(args.batch_size)
        estimator.train(input_fn, hooks=[*hooks, timer], max_steps=args.warmup + args.steps)
        tf.compat.v1.summary.FileWriterCache.clear()  # close the event files the run's hooks opened in model_dir
    return steady_rate(timer.times, args.warmup)


class XlaClusters(tf.compat.v1.train.SessionRunHook):
    """On the first step, asks for the graphs the session really ran and counts XLA's _XlaRun ops in them."""

    def __init__(self):
        self.count = None

    def before_run(self, run_context):
        if self.count is None:
            return tf.compat.v1.train.SessionRunArgs(
                fetches=None, options=tf.compat.v1.RunOptions(output_partition_graphs=True))
        return None

    def after_run(self, run_context, run_values):
        if self.count is None:
            graphs = run_values.run_metadata.partition_graphs
            self.count = sum(node.op == "_XlaRun" for graph in graphs for node in graph.node)


def training_graph(batch_size: int):
    """The Estimator's TRAIN graph for one batch shape (placeholders in, train_op out), without running it."""
    graph = tf.Graph()
    with graph.as_default():
        images = tf.compat.v1.placeholder(tf.float32, [batch_size, 28, 28, 1], name="images")
        labels = tf.compat.v1.placeholder(tf.int32, [batch_size], name="labels")
        spec = model_fn(images, labels, tf.estimator.ModeKeys.TRAIN, PARAMS)
        parameters = sum(v.shape.num_elements() for v in tf.compat.v1.trainable_variables())
    return graph, spec, parameters


# ---------------------------------------------------------------------------------------------- Keras


def keras_model(dropout_rate: float = PARAMS["dropout_rate"]):
    """The post's network in Keras: the series' Keras port (helpers/keras_port.py, notebook 07), layer for layer as
    helpers/model.py builds it with tf-slim (same names, shapes, ReLUs, Glorot-uniform weights, zero biases)."""
    model = keras_network(dropout_rate)
    if model.count_params() != POST_PARAMETERS:
        raise AssertionError(f"the Keras network has {model.count_params()} parameters, the post's {POST_PARAMETERS}")
    return model


class BatchTimes(tf.keras.callbacks.Callback):
    """Records the :func:`clock` at the end of every training batch. ``_supports_tf_logs``: Keras then passes the
    logs as tensors, as it does without callbacks, instead of copying them to numpy after every batch."""

    _supports_tf_logs = True

    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(clock())


def keras_rate(args, *, jit_compile: bool = False) -> Rate:
    """Compile a fresh Keras model (Adam at the post's rate, sparse cross-entropy on logits, no extra metrics: the
    Estimator computes none per step either) and ``fit`` it for warmup + steps steps on the post's training input
    (helpers.keras_port.train_dataset: repeat, shuffle 10,000, batch); return the steps/s of the last ``steps``."""
    tf.keras.backend.clear_session()
    model = keras_model()
    model.compile(optimizer=tf.keras.optimizers.Adam(PARAMS["learning_rate"]),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=jit_compile)
    timer = BatchTimes()
    model.fit(train_dataset(mnist(), args.batch_size, seed=1), epochs=1,
              steps_per_epoch=args.warmup + args.steps, verbose=0,
              callbacks=[timer])
    return steady_rate(timer.times, args.warmup)


# ---------------------------------------------------------------------------------------------- bare tf.function


class BareNetwork(tf.Module):
    """The post's network in plain tf.nn ops on tf.Variables: what tf-slim's layers emit (Conv2D + BiasAdd + Relu,
    MaxPool, MatMul + BiasAdd + Relu, dropout), without any framework around it."""

    def __init__(self, dropout_rate: float = PARAMS["dropout_rate"], seed: int = 1):
        super().__init__(name="MnistConvNet")
        glorot = tf.keras.initializers.GlorotUniform(seed)
        shapes = {"conv1": [5, 5, 1, 20], "conv3": [5, 5, 20, 40], "fn5": [640, 256], "fn6": [256, 256],
                  "output": [256, 10]}
        self.weights = {k: tf.Variable(glorot(shape), name=f"{k}/weights") for k, shape in shapes.items()}
        self.biases = {k: tf.Variable(tf.zeros(shape[-1:]), name=f"{k}/biases") for k, shape in shapes.items()}
        self.dropout_rate = dropout_rate

    def __call__(self, images):
        net = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(images, self.weights["conv1"], 1, "VALID"), self.biases["conv1"]))
        net = tf.nn.max_pool2d(net, 2, 2, "VALID")
        net = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(net, self.weights["conv3"], 1, "VALID"), self.biases["conv3"]))
        net = tf.nn.max_pool2d(net, 2, 2, "VALID")
        net = tf.reshape(net, [-1, 4 * 4 * 40])
        for name in ("fn5", "fn6"):
            net = tf.nn.relu(tf.nn.bias_add(tf.matmul(net, self.weights[name]), self.biases[name]))
            net = tf.nn.dropout(net, rate=self.dropout_rate)
        return tf.nn.bias_add(tf.matmul(net, self.weights["output"]), self.biases["output"])


def bare_rate(args) -> Rate:
    """A tf.function training step of :class:`BareNetwork` on the fixed batch (forward, cross-entropy, gradients,
    the model_fn's optimizer: tf.compat.v1 Adam, one fused ResourceApplyAdam per variable), called warmup + steps
    times from Python; return the steps/s of the last ``steps``."""
    network = BareNetwork()
    parameters = sum(v.shape.num_elements() for v in network.trainable_variables)
    if parameters != POST_PARAMETERS:
        raise AssertionError(f"the bare network has {parameters} parameters, the post's {POST_PARAMETERS}")
    optimizer = tf.compat.v1.train.AdamOptimizer(PARAMS["learning_rate"])
    images, labels = (tf.constant(a) for a in fixed_batch(args.batch_size))

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            logits = network(images)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        variables = network.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    times = []
    for _ in range(args.warmup + args.steps):
        train_step()
        times.append(clock())
    return steady_rate(times, args.warmup)
