"""``python -m helpers.cluster_task``: one task of a TensorFlow cluster that runs the post's Experiment.

The launcher (:mod:`helpers.cluster`) starts one of these per task - chief, worker(s), parameter server,
evaluator - each with its own ``TF_CONFIG`` environment variable. Every process runs the same code: it builds the
post's ``experiment_fn`` (``helpers.train.make_experiment_fn``, notebook 03) and calls
``learn_runner.run(experiment_fn, run_config=..., hparams=...)`` **without a schedule**, so ``learn_runner`` picks
the schedule from the task type that ``RunConfig`` read from ``TF_CONFIG``:

=========  ======================  ===================================================================
task       default schedule        what it does
=========  ======================  ===================================================================
chief      ``train_and_evaluate``  ``tf.estimator.train_and_evaluate``: a TensorFlow server, then training;
                                   it initialises the variables and writes checkpoints and summaries
worker     ``train``               a TensorFlow server, then training on the same variables
ps         ``run_std_server``      a TensorFlow server that holds the variables; it never returns
evaluator  ``continuous_eval``     evaluates each new checkpoint until one is at ``train_steps``
=========  ======================  ===================================================================

It logs at INFO level (``loss = ..., step = ...``, ``Saving checkpoints for ...``, ``Saving dict for global step
...``), which the launcher reads to show each process's global step. Taught in
``notebooks/06_distributed_experiment.ipynb``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import threading
import time


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m helpers.cluster_task",
        description="Run this process's task of a TensorFlow cluster (read from TF_CONFIG) with the post's "
                    "Experiment; learn_runner picks the schedule from the task type.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--model_dir", required=True, help="shared by every task: checkpoints, event files")
    ap.add_argument("--data_source", default="sample", help="helpers.data.load_mnist source")
    ap.add_argument("--data_dir", default=None, help="folder with the four MNIST IDX files")
    ap.add_argument("--train_steps", type=int, default=400, help="global step to stop at")
    ap.add_argument("--min_eval_frequency", type=int, default=100, help="checkpoint every this many steps")
    ap.add_argument("--learning_rate", type=float, default=0.001)
    ap.add_argument("--batch_size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=42,
                    help="graph-level seed; each training task adds its own offset so their batches differ")
    ap.add_argument("--schedule", default=None,
                    help="an Experiment method; default: learn_runner's default for this task type")
    ap.add_argument("--eval_delay_secs", type=float, default=0,
                    help="the evaluator's first wait (TF 1.x's default is 120 s)")
    ap.add_argument("--eval_throttle_secs", type=float, default=1,
                    help="the evaluator's least time between evaluations (TF 1.x's default is 60 s)")
    ap.add_argument("--log_step_count_steps", type=int, default=25, help="log loss and step this often")
    ap.add_argument("--worker_poll_secs", type=float, default=1,
                    help="how often a worker checks whether the chief has initialised the variables (TF 1.x: 30 s)")
    return ap


def task_of(tf_config: dict) -> tuple[str, int]:
    task = tf_config.get("task", {})
    return task.get("type", "local"), int(task.get("index", 0))


def seed_offset(tf_config: dict, task_type: str, index: int) -> int:
    """0 for the chief, 1 + index for worker ``index``: the training tasks shuffle their batches differently."""
    return 1 + index if task_type == "worker" else 0


def poll_for_the_chief_every(seconds: float) -> None:
    """A worker's session waits until the chief has initialised the variables on the parameter server, and a worker
    usually gets there first (the chief builds its graph and its checkpoint hooks before it initialises anything).
    TF 1.x's ``SessionManager`` then checks again every ``recovery_wait_secs``: 30 s by default, longer than this
    series' whole cluster run, so the worker would join only after the chief had trained alone to ``train_steps``.
    Make every ``SessionManager`` this process creates check every ``seconds`` instead."""
    from tensorflow.python.training import session_manager

    init = session_manager.SessionManager.__init__
    original = getattr(init, "func", init)  # called twice in one process: replace the default, don't stack them
    session_manager.SessionManager.__init__ = functools.partialmethod(original, recovery_wait_secs=seconds)


def exit_with_parent(parent_pid: int, interval: float = 1.0) -> threading.Thread:
    """End this process when its launcher is gone (a kernel killed with SIGKILL cannot clean up after itself):
    a daemon thread polls the parent pid. A parameter server would otherwise serve forever."""

    def watch():
        while True:
            if os.getppid() != parent_pid:
                os._exit(3)
            time.sleep(interval)

    thread = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    thread.start()
    return thread


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if "TF_CONFIG" not in os.environ:
        print("error: TF_CONFIG is not set: this process would not know its task (use helpers.cluster)",
              file=sys.stderr)
        return 2
    parent = os.environ.get("CLUSTER_LAUNCHER_PID")
    if parent and parent.isdigit():
        exit_with_parent(int(parent))
    tf_config = json.loads(os.environ["TF_CONFIG"])
    task_type, index = task_of(tf_config)

    from helpers.notebook import setup

    tf = setup(seed=args.seed)
    tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.INFO)  # steps, checkpoints, evaluations: the log
    poll_for_the_chief_every(args.worker_poll_secs)

    from helpers import learn_runner
    from helpers.data import load_mnist
    from helpers.train import default_hparams, make_experiment_fn

    mnist = load_mnist(args.data_source, args.data_dir, download=False)
    hparams = default_hparams(train_steps=args.train_steps, min_eval_frequency=args.min_eval_frequency,
                              learning_rate=args.learning_rate, batch_size=args.batch_size)
    run_config = tf.estimator.RunConfig(
        model_dir=args.model_dir, tf_random_seed=args.seed + seed_offset(tf_config, task_type, index),
        keep_checkpoint_max=None, log_step_count_steps=args.log_step_count_steps)
    schedule = args.schedule or learn_runner.default_schedule(run_config)
    post_experiment_fn = make_experiment_fn(mnist, progress=False)

    def experiment_fn(config, params):
        """The post's experiment_fn, with the evaluator's waits shortened for a short run."""
        experiment = post_experiment_fn(config, params)
        experiment.eval_delay_secs = args.eval_delay_secs
        experiment.continuous_eval_throttle_secs = args.eval_throttle_secs
        return experiment

    print(f"[cluster_task] {task_type}:{index} pid {os.getpid()} schedule {schedule} "
          f"(master {run_config.master or 'none: in-process'})", flush=True)
    start = time.perf_counter()
    result = learn_runner.run(experiment_fn, run_config=run_config, schedule=args.schedule, hparams=hparams)
    final = tf.train.latest_checkpoint(args.model_dir)
    step = int(tf.train.load_variable(final, "global_step")) if final else None
    print(f"[cluster_task] {task_type}:{index} {schedule} done in {time.perf_counter() - start:.1f} s; latest "
          f"checkpoint at global step {step}; returned {_short(result)}", flush=True)
    return 0


def _short(result) -> str:
    if isinstance(result, tuple) and result and isinstance(result[0], dict):
        return json.dumps({k: round(float(v), 4) for k, v in result[0].items()})
    if hasattr(result, "model_dir"):  # Experiment.train returns the Estimator, as TF 1.x's did
        return "its Estimator"
    return repr(result)[:200]


if __name__ == "__main__":
    sys.exit(main())
