"""The 2017 post's complete example as a command: train and evaluate with the Experiment of notebook 03,
write TensorBoard logs, export a SavedModel.

    python -m helpers --model_dir ./mnist_training --data_dir ./mnist_data

It uses full MNIST when ``--data_dir`` holds the four IDX files (or they can be downloaded there), otherwise
the bundled 5,000-digit sample - and says which. Killed and started again with the same flags, it resumes
from the last checkpoint and stops at exactly ``--train_steps``.
"""

from __future__ import annotations

import argparse
import sys
import time

DEFAULT_STEPS = {"full": 5000, "sample": 600}
DEFAULT_EVAL_EVERY = {"full": 500, "sample": 200}


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m helpers",
        description="Train and evaluate the 2017 post's MNIST CNN with Estimator + Experiment, on TensorFlow 2.15.",
        epilog="Watch it with: tensorboard --logdir MODEL_DIR. Example: python -m helpers --model_dir ./mnist_training "
               "--data_dir ./mnist_data --train_steps 2000",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    ap.add_argument("--model_dir", default="./mnist_training",
                    help="where checkpoints, TensorBoard logs and the SavedModel go; an existing one is resumed")
    ap.add_argument("--data_dir", default="./mnist_data",
                    help="folder with the four MNIST IDX files (train-images-idx3-ubyte[.gz], ...); downloaded "
                         "there when missing and the network allows, else the bundled sample is used. Any data set "
                         "in MNIST's format trains the same way (Fashion-MNIST: --data_dir "
                         "/usr/share/datasets/fashion-mnist), and it says which data set it loaded, from where")
    ap.add_argument("--data_source", default="auto", choices=["auto", "idx", "keras", "download", "sample"],
                    help="force one data source instead of trying them in order")
    ap.add_argument("--no_download", action="store_true", help="never try to download MNIST")
    ap.add_argument("--train_steps", type=int, default=None,
                    help="global step to stop at (default: 5000 as in the post on full data, 600 on the sample)")
    ap.add_argument("--batch_size", type=int, default=128, help="training batch size")
    ap.add_argument("--learning_rate", type=float, default=None,
                    help="Adam learning rate (default: 0.002 as in the post on full data, 0.001 on the sample)")
    ap.add_argument("--learning_rate_decay", default="none", choices=["none", "cosine"],
                    help="learning-rate schedule. none: a constant rate, as the post did (Adam at 0.002 for 5,000 "
                         "steps). cosine: a deliberate addition, not the post's - the rate falls from "
                         "--learning_rate to 0 at --train_steps along half a cosine, and TensorBoard shows it "
                         "(scalar learning_rate)")
    ap.add_argument("--min_eval_frequency", type=int, default=None,
                    help="evaluate (and checkpoint) every this many steps (default: 500 full, 200 sample). Not the "
                         "post's 100 (min_eval_frequency=100: 50 evaluations in 5,000 steps): each evaluation restores "
                         "the latest checkpoint and passes over the whole test split (10,000 images on full data), so "
                         "500 gives 10 and leaves a CPU's time to training. Pass 100 to evaluate as the post did")
    ap.add_argument("--dropout_rate", type=float, default=0.5, help="dropout after the fully connected layer")
    ap.add_argument("--seed", type=int, default=42, help="graph-level random seed (initial weights, shuffling)")
    ap.add_argument("--no_export", action="store_true", help="skip exporting a SavedModel at the end")
    ap.add_argument("--no_progress", action="store_true", help="no progress bar (plain log lines only)")
    ap.add_argument("--predictions_file", default=None,
                    help="after the export, predict the test images with the SavedModel and write them, their labels, "
                         "classes and probabilities to this .npz file (notebook 09 compares TensorFlow 2.21 with it)")
    return ap


def write_predictions(filename, saved_model_dir, mnist) -> None:
    """Predict ``mnist``'s test images with the SavedModel and save images, labels, classes and probabilities."""
    import numpy as np

    from helpers.inference import predict_saved_model

    classes, probabilities = predict_saved_model(saved_model_dir, mnist.test_images, check_background=False)
    np.savez_compressed(filename, images=mnist.test_images, labels=mnist.test_labels, classes=classes,
                        probabilities=probabilities)
    print(f"Predictions of the SavedModel on {len(classes):,} test images: {filename}")


def _positive(ap, name, value):
    if value is not None and value <= 0:
        ap.error(f"--{name} must be positive, got {value}")


def main(argv=None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    for name in ("train_steps", "batch_size", "learning_rate", "min_eval_frequency"):
        _positive(ap, name, getattr(args, name))
    if not 0.0 <= args.dropout_rate < 1.0:
        ap.error(f"--dropout_rate must be in [0, 1), got {args.dropout_rate}")

    from helpers.notebook import setup

    setup(seed=args.seed)  # quiet TensorFlow before it is imported, fix seeds
    from helpers.data import MnistDownloadError, MnistFormatError, load_mnist
    from helpers.inference import export_saved_model
    from helpers.train import (
        IncompatibleCheckpointError,
        check_checkpoint_compatible,
        default_hparams,
        restore_estimator,
        run_experiment,
    )

    try:
        mnist = load_mnist(args.data_source, args.data_dir, download=not args.no_download)
    except (MnistFormatError, MnistDownloadError, FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    kind = "sample" if mnist.source == "sample" else "full"
    hparams = default_hparams(
        train_steps=args.train_steps or DEFAULT_STEPS[kind],
        learning_rate=args.learning_rate or (0.001 if kind == "sample" else 0.002),
        min_eval_frequency=args.min_eval_frequency or DEFAULT_EVAL_EVERY[kind],
        batch_size=args.batch_size, dropout_rate=args.dropout_rate)
    hparams.add_hparam("learning_rate_decay", args.learning_rate_decay)

    try:
        step = check_checkpoint_compatible(args.model_dir, hparams)
    except IncompatibleCheckpointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    if step is None:
        print(f"Training from scratch into {args.model_dir} up to global step {hparams.train_steps}.")
    elif step >= hparams.train_steps:
        print(f"{args.model_dir} is already at global step {step} >= --train_steps {hparams.train_steps}: "
              "evaluating only (raise --train_steps to train more).")
    else:
        print(f"Resuming from the checkpoint at global step {step} in {args.model_dir}, up to {hparams.train_steps}.")
    print("Hyper-parameters:", hparams.to_json(sort_keys=True))

    start = time.perf_counter()
    eval_result, _ = run_experiment(mnist, args.model_dir, hparams, seed=args.seed, progress=not args.no_progress)
    seconds = time.perf_counter() - start
    print(f"Final evaluation on {len(mnist.test_images):,} test images: accuracy {eval_result['accuracy']:.4f}, "
          f"loss {eval_result['loss']:.4f}, global step {int(eval_result['global_step'])} ({seconds:.0f} s)")
    if not args.no_export:
        path = export_saved_model(restore_estimator(args.model_dir, hparams, args.seed), f"{args.model_dir}/export")
        print(f"SavedModel: {path}")
        # prepare_images' light-on-dark check is for digits: a garment may fill the frame (about one in five)
        option = ", check_background=False" if mnist.name == "Fashion-MNIST" else ""
        print(f"Predict with it: from helpers.inference import predict_saved_model; "
              f"predict_saved_model({str(path)!r}, images{option})")
        if args.predictions_file:
            write_predictions(args.predictions_file, path, mnist)
    print(f"TensorBoard: tensorboard --logdir {args.model_dir}")
    return 0
