"""What notebook 05's Step 5 tables say: the cost of one training step per batch size and of one evaluation, and the
test accuracy of some (batch size x steps, learning rate) choices - on the bundled Fashion-MNIST sample.

    .venv/bin/python benchmarks/capstone_budget.py [--steps 100] [--warmup 10] [--rounds 3] [--accuracy] [--quick]

The network, model_fn, inputs and hooks are notebook 05's Step 6 (helpers.model.model_fn: the post's network,
253,018 parameters; helpers.inputs.get_train_inputs / get_eval_inputs with their hooks; evaluation batches of 500).
(1) Seconds per training step, steady state: each batch size trains a fresh Estimator for --warmup + --steps steps
and a hook times the last --steps; the batch sizes alternate 64, 128, 256, 512, then the reverse, for --rounds
rounds, so a load that rises or falls weighs on all alike; each figure is the median round's, printed with the
rounds' range and as a ratio to batches of 128. Seconds per evaluation: the final checkpoint's save and
estimator.evaluate from a saving listener, as train_and_evaluate does (save, graph, checkpoint restore, the 1,000
test images). Prints the load average at start and end.
(2) --accuracy: learn_runner.run with helpers.train.make_experiment_fn for each row of the table, seeds 0 and 1
(RunConfig(tf_random_seed=SEED)); prints the test accuracy at the last step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from helpers.notebook import setup

tf = setup()

from helpers import learn_runner  # noqa: E402
from helpers.data import load_fashion_mnist  # noqa: E402
from helpers.hparams import HParams  # noqa: E402
from helpers.inputs import get_eval_inputs, get_train_inputs  # noqa: E402
from helpers.model import model_fn  # noqa: E402
from helpers.train import make_experiment_fn  # noqa: E402

BATCH_SIZES = (64, 128, 256, 512)
#: notebook 05's second table: (batch size, steps, learning rate)
ROWS = ((64, 2000, 0.002), (128, 1000, 0.002), (256, 250, 0.002), (256, 500, 0.002), (512, 250, 0.002),
        (256, 500, 0.0002), (256, 500, 0.005), (256, 500, 0.02))


class EvaluateAfterSave(tf.estimator.CheckpointSaverListener):
    """As tf.estimator.train_and_evaluate (which helpers.experiment's train_and_evaluate calls) evaluates: after each
    checkpoint save. Times the last save and evaluation together."""

    def __init__(self, evaluate):
        self.evaluate, self.seconds = evaluate, None

    def before_save(self, session, global_step_value):
        self.start = time.perf_counter()

    def after_save(self, session, global_step_value):
        if global_step_value > 0:  # not the step-0 checkpoint
            self.evaluate()
            self.seconds = time.perf_counter() - self.start


class StepTimes(tf.estimator.SessionRunHook):
    """The wall-clock time after each training step."""

    def __init__(self):
        self.times = []

    def after_run(self, run_context, run_values):
        self.times.append(time.perf_counter())


def parameters() -> int:
    """The trainable parameters of the network model_fn builds (the post's: 253,018)."""
    with tf.Graph().as_default():
        model_fn(tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]), tf.compat.v1.placeholder(tf.int32, [None]),
                 tf.estimator.ModeKeys.TRAIN, HParams(learning_rate=0.002, dropout_rate=0.5))
        return sum(int(v.shape.num_elements()) for v in tf.compat.v1.trainable_variables())


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cores"


def step_and_evaluation(data, batch_size: int, steps: int, warmup: int) -> tuple[float, float]:
    """Seconds per training step (the last ``steps`` of ``warmup + steps``) and seconds of one evaluation."""
    params = HParams(learning_rate=0.002, batch_size=batch_size, dropout_rate=0.5)
    with tempfile.TemporaryDirectory() as model_dir:
        config = tf.estimator.RunConfig(model_dir=model_dir, tf_random_seed=0, log_step_count_steps=None,
                                        save_checkpoints_steps=10**9, save_checkpoints_secs=None)
        estimator = tf.estimator.Estimator(model_fn=model_fn, params=params, config=config)
        train_input_fn, train_input_hook = get_train_inputs(batch_size, data, seed=0)
        eval_input_fn, eval_input_hook = get_eval_inputs(500, data)
        listener = EvaluateAfterSave(lambda: estimator.evaluate(eval_input_fn, hooks=[eval_input_hook], steps=None))
        timer = StepTimes()
        estimator.train(train_input_fn, hooks=[train_input_hook, timer], max_steps=warmup + steps,
                        saving_listeners=[listener])  # the last step's checkpoint is saved at the end
        step = (timer.times[-1] - timer.times[warmup - 1]) / steps
        evaluation = listener.seconds
        tf.compat.v1.summary.FileWriterCache.clear()
    return step, evaluation


def costs(data, steps: int, warmup: int, rounds: int) -> tuple[dict, list]:
    step_rounds = {size: [] for size in BATCH_SIZES}
    evaluations = []
    for number in range(rounds):
        for size in BATCH_SIZES if number % 2 == 0 else BATCH_SIZES[::-1]:
            step, evaluation = step_and_evaluation(data, size, steps, warmup)
            step_rounds[size].append(step)
            evaluations.append(evaluation)
    return step_rounds, evaluations


def accuracy(data, seed: int, batch_size: int, train_steps: int, learning_rate: float) -> float:
    hparams = HParams(learning_rate=learning_rate, batch_size=batch_size, dropout_rate=0.5, train_steps=train_steps,
                      min_eval_frequency=train_steps)
    with tempfile.TemporaryDirectory() as model_dir:
        run_config = tf.estimator.RunConfig(model_dir=model_dir, tf_random_seed=seed)
        result, _ = learn_runner.run(make_experiment_fn(data, progress=False), run_config=run_config,
                                     schedule="train_and_evaluate", hparams=hparams)
        tf.compat.v1.summary.FileWriterCache.clear()
    return float(result["accuracy"])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=100, help="timed training steps per batch size and round")
    ap.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--accuracy", action="store_true", help="also train the table's rows, seeds 0 and 1")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--quick", action="store_true", help="a smoke run: 3 steps, 1 warm-up, 1 round; rows at 1/50")
    args = ap.parse_args(argv)
    if args.quick:
        args.steps, args.warmup, args.rounds = 3, 1, 1
    data = load_fashion_mnist("sample", verbose=False)
    print(f"notebook 05's network ({parameters():,} parameters) and inputs on the bundled Fashion-MNIST sample; "
          f"{load()} at start")
    step_rounds, evaluations = costs(data, args.steps, args.warmup, args.rounds)
    steps = {size: statistics.median(values) for size, values in step_rounds.items()}
    print(f"seconds per training step ({args.steps} steps after {args.warmup}, median of {args.rounds} rounds):")
    for size in BATCH_SIZES:
        low, high = min(step_rounds[size]), max(step_rounds[size])
        print(f"  batch {size:>3}: {steps[size] * 1000:5.1f} ms ({low * 1000:.1f}-{high * 1000:.1f}), "
              f"{steps[size] / steps[128]:.2f} x batch 128's, {steps[size] / size * 1e6:.0f} us per image")
    evaluation = statistics.median(evaluations)
    print(f"seconds per evaluation (checkpoint save, graph, restore, 1,000 test images): {evaluation:.2f} "
          f"({min(evaluations):.2f}-{max(evaluations):.2f}), {evaluation / steps[128]:.0f} x a step of 128")
    print(f"STEP_SECONDS = {{{', '.join(f'{s}: {steps[s]:.3f}' for s in BATCH_SIZES)}}}; "
          f"EVALUATION_SECONDS = {evaluation:.2f}")
    print(f"{load()} at end")
    results = {"steps": steps, "evaluation": evaluation}
    if args.accuracy:
        print(f"test accuracy at the last step (dropout 0.5), seeds {', '.join(map(str, args.seeds))}:")
        for batch_size, train_steps, learning_rate in ROWS:
            train_steps = max(2, train_steps // 50) if args.quick else train_steps
            start = time.perf_counter()
            found = [accuracy(data, seed, batch_size, train_steps, learning_rate) for seed in args.seeds]
            results[batch_size, train_steps, learning_rate] = found
            print(f"  {batch_size:>3} x {train_steps:>5,}, learning rate {learning_rate:<6}: "
                  f"{', '.join(f'{a:.3f}' for a in found)}  ({time.perf_counter() - start:.0f} s)", flush=True)
        print(f"{load()} at end")
    return results


if __name__ == "__main__":
    main()
