"""python -m helpers: the post's complete example - end to end, kill-and-resume, incompatible checkpoints.

The post's command itself, its flag errors and the kill-and-resume run as ``python -m helpers`` in a process of their
own, as a user types them (``cli``). The other behaviours call the same ``helpers.cli.main`` inside the test process
(``cli_here``): each run then skips starting Python and TensorFlow again, 4-5 s of CPU (issue 9).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import REPO

from helpers.cli import build_parser, main
from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402

from helpers.model import LEARNING_RATE_DECAYS  # noqa: E402
from helpers.tensorboard import read_scalars  # noqa: E402


def cli(*args, cwd, **popen):
    env = dict(os.environ, MNIST_MIRROR="http://127.0.0.1:9/")  # offline and fast, whatever the machine
    return subprocess.run([sys.executable, "-m", "helpers", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, **popen)


def cli_here(*args, cwd, monkeypatch) -> subprocess.CompletedProcess:
    """``python -m helpers *args`` in ``cwd``, run by ``helpers.cli.main`` in this process: the same exit code,
    stdout and stderr. What a new process would not carry over is reset: the plotting defaults that main's
    ``setup()`` changes, and TensorFlow's cached event-file writers - they are keyed by the logdir as given, so a
    second run into a relative "mt" would go on writing into the first run's folder."""
    import matplotlib

    tf.compat.v1.summary.FileWriterCache.clear()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("MNIST_MIRROR", "http://127.0.0.1:9/")
    out, err = io.StringIO(), io.StringIO()
    with matplotlib.rc_context(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as e:  # argparse's errors
            code = e.code
        finally:
            tf.compat.v1.summary.FileWriterCache.clear()
    return subprocess.CompletedProcess(["python", "-m", "helpers", *args], code, out.getvalue(), err.getvalue())


def test_help_documents_every_flag(tmp_path):
    out = cli("--help", cwd=tmp_path).stdout
    for flag in ("--model_dir", "--data_dir", "--train_steps", "--batch_size", "--learning_rate",
                 "--min_eval_frequency", "--data_source", "--no_download", "--seed", "--no_export",
                 "--learning_rate_decay"):
        assert flag in out
    assert "IDX" in out and "tensorboard --logdir" in out


def test_help_names_the_evaluation_frequency_that_differs_from_the_post():
    """The post evaluated every 100 steps (min_eval_frequency=100); the command every 500 on full data, and says so."""
    from helpers.cli import DEFAULT_EVAL_EVERY

    action = next(a for a in build_parser()._actions if a.dest == "min_eval_frequency")
    text = " ".join(action.help.split())
    assert DEFAULT_EVAL_EVERY["full"] == 500
    assert "default: 500 full, 200 sample" in text
    assert "Not the post's 100 (min_eval_frequency=100: 50 evaluations in 5,000 steps)" in text
    assert "500 gives 10" in text and "Pass 100 to evaluate as the post did" in text


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The post's command run once on the sample (120 steps); tests that need a finished run share it."""
    cwd = tmp_path_factory.mktemp("cli")
    result = cli("--model_dir", "mnist_training", "--data_dir", "mnist_data", "--train_steps", "120",
                 "--min_eval_frequency", "60", "--learning_rate", "0.002", cwd=cwd)
    return cwd, result


def test_end_to_end_on_the_sample(trained):
    cwd, result = trained
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "bundled sample" in out  # it says which data it used
    assert "Training from scratch" in out
    assert "[eval] global step 60" in out and "[eval] global step 120" in out
    assert "Final evaluation on 1,000 test images: accuracy" in out
    assert "predict_saved_model(" in out and "check_background" not in out  # digits keep the light-on-dark check
    assert "training:" in result.stderr  # the progress bar
    model_dir = cwd / "mnist_training"
    assert tf.train.load_variable(str(model_dir), "global_step") == 120
    assert list(model_dir.glob("events.out.tfevents.*")) and list((model_dir / "eval").glob("events.out.tfevents.*"))
    exports = list((model_dir / "export").iterdir())
    assert len(exports) == 1 and (exports[0] / "saved_model.pb").is_file()
    accuracy = float(out.split("test images: accuracy ")[1].split(",")[0])
    assert accuracy > 0.85


def test_full_idx_data_dir_is_used_and_said(tmp_path, monkeypatch):
    from conftest import make_idx_dir

    make_idx_dir(tmp_path / "mnist_data", n_train=64, n_test=20)
    result = cli_here("--model_dir", "mt", "--data_dir", "mnist_data", "--train_steps", "4", "--min_eval_frequency",
                      "2", "--no_export", "--no_progress", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "MNIST-format data from the IDX files in mnist_data: 64 train and 20 test" in result.stdout


def test_fashion_mnist_is_named_as_such_and_its_images_predicted_without_the_digit_check(tmp_path, monkeypatch):
    """Fashion-MNIST's IDX files (here the bundled sample's, in a folder whose name says nothing) load as
    "Fashion-MNIST", not "MNIST"; and the way to predict with the SavedModel leaves out prepare_images' light-on-dark
    check, which about one garment in five fails."""
    import shutil

    from helpers.data import FASHION_SAMPLE_DIR

    shutil.copytree(FASHION_SAMPLE_DIR, tmp_path / "mnist_data")
    result = cli_here("--model_dir", "mt", "--data_dir", "mnist_data", "--train_steps", "2", "--min_eval_frequency",
                      "2", "--batch_size", "8", "--no_progress", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Fashion-MNIST from the IDX files in mnist_data: 6,000 train and 1,000 test images" in out
    assert "MNIST from" not in out.replace("Fashion-MNIST from", "")
    assert "predict_saved_model(" in out and "images, check_background=False)" in out


def test_bad_flags_and_bad_data_are_clear_errors(tmp_path, monkeypatch):
    result = cli("--train_steps", "-3", cwd=tmp_path)
    assert result.returncode == 2 and "--train_steps must be positive" in result.stderr
    bad = tmp_path / "mnist_data"
    bad.mkdir()
    (bad / "train-images-idx3-ubyte.gz").write_bytes(b"not gzip")
    result = cli_here("--data_dir", "mnist_data", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.returncode == 2
    assert "error: mnist_data: incomplete IDX data set" in result.stderr


def test_killed_mid_run_resumes_and_ends_at_exactly_the_requested_step(tmp_path):
    """SIGKILL mid-run (no clean-up runs), then the same command again: it resumes from the last checkpoint.

    Tiny data and batches keep each step cheap; the killed run asks for far more steps than it can reach, so it is
    always killed mid-run however fast the machine is, and the resumed run asks for a fixed number past the kill."""
    from conftest import make_idx_dir

    make_idx_dir(tmp_path / "md", n_train=64, n_test=20)
    common = ["--model_dir", "mt", "--data_dir", "md", "--batch_size", "8", "--min_eval_frequency", "40",
              "--no_export", "--no_progress"]
    env = dict(os.environ, MNIST_MIRROR="http://127.0.0.1:9/")
    proc = subprocess.Popen([sys.executable, "-m", "helpers", *common, "--train_steps", "1000000"], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    model_dir = tmp_path / "mt"
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:  # wait for a checkpoint past the first one
            latest = tf.train.latest_checkpoint(str(model_dir)) if (model_dir / "checkpoint").exists() else None
            if latest and int(latest.rsplit("-", 1)[1]) >= 40:
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
        else:
            raise AssertionError("no checkpoint at global step 40 within 300 s")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed_at = int(tf.train.load_variable(str(model_dir), "global_step"))
    assert killed_at >= 40 and killed_at % 40 == 0, killed_at  # the last checkpoint written before the kill
    target = killed_at + 60  # not a multiple of 40: the final step is saved and evaluated all the same
    result = cli(*common, "--train_steps", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Resuming from the checkpoint at global step {killed_at}" in result.stdout
    assert tf.train.load_variable(str(model_dir), "global_step") == target
    assert f"global step {target} (" in result.stdout


def test_incompatible_checkpoint_is_refused_and_nothing_is_deleted(tmp_path, monkeypatch):
    model_dir = tmp_path / "mt"
    with tf.Graph().as_default():  # a checkpoint of some other model
        tf.compat.v1.get_variable("MnistConvNet/conv1/weights", shape=[3, 3, 1, 8])
        tf.compat.v1.train.get_or_create_global_step()
        with tf.compat.v1.Session() as s:
            s.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().save(s, str(model_dir / "model.ckpt"), global_step=7)
    before = {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")}
    result = cli_here("--model_dir", "mt", "--data_dir", "md", "--train_steps", "20", cwd=tmp_path,
                      monkeypatch=monkeypatch)
    assert result.returncode == 3
    err = result.stderr
    assert "mt holds a checkpoint of a different model" in err
    assert "MnistConvNet/conv1/weights has shape [3, 3, 1, 8] there, [5, 5, 1, 20] in this model" in err
    assert "new model directory (--model_dir)" in err and "nothing in it was changed" in err
    assert {p: p.stat().st_mtime_ns for p in model_dir.rglob("*")} == before


def test_already_trained_model_dir_only_evaluates(trained, tmp_path, monkeypatch):
    shutil.copytree(trained[0] / "mnist_training", tmp_path / "mt")  # a finished run at global step 120
    again = cli_here("--model_dir", "mt", "--data_dir", "md", "--train_steps", "120", "--no_export", "--no_progress",
                     cwd=tmp_path, monkeypatch=monkeypatch)
    assert again.returncode == 0 and "evaluating only" in again.stdout, again.stderr[-2000:]
    assert "Training from scratch" not in again.stdout and "Resuming" not in again.stdout
    assert tf.train.load_variable(str(tmp_path / "mt"), "global_step") == 120


@pytest.mark.parametrize("argv", [["--dropout_rate", "1.5"], ["--batch_size", "0"]])
def test_flag_ranges(tmp_path, argv):
    result = cli(*argv, cwd=tmp_path)
    assert result.returncode == 2 and "must be" in result.stderr


def test_learning_rate_decay_choices_are_the_models(tmp_path):
    action = next(a for a in build_parser()._actions if a.dest == "learning_rate_decay")
    assert tuple(action.choices) == LEARNING_RATE_DECAYS and action.default == "none"
    result = cli("--learning_rate_decay", "linear", cwd=tmp_path)
    assert result.returncode == 2
    assert "--learning_rate_decay: invalid choice: 'linear' (choose from 'none', 'cosine')" in result.stderr


def test_cosine_learning_rate_decay_is_used_and_shown_in_tensorboard(tmp_path, monkeypatch):
    from conftest import make_idx_dir

    make_idx_dir(tmp_path / "md", n_train=64, n_test=20)
    # summaries are written every 100 steps (RunConfig's default): 220 steps give several points on the curve
    result = cli_here("--model_dir", "mt", "--data_dir", "md", "--train_steps", "220", "--min_eval_frequency",
                      "220", "--batch_size", "8", "--learning_rate", "0.004", "--learning_rate_decay", "cosine",
                      "--no_export", "--no_progress", cwd=tmp_path, monkeypatch=monkeypatch)
    assert result.returncode == 0, result.stderr[-3000:]
    assert '"learning_rate_decay": "cosine"' in result.stdout
    steps, rates = read_scalars(tmp_path / "mt")["."]["learning_rate"]
    assert len(steps) >= 2 and steps[-1] >= 100
    # a summary is logged under the step it leads to: the rate at step s is the one used from global step s - 1
    np.testing.assert_allclose(rates, 0.004 * 0.5 * (1 + np.cos(np.pi * (steps - 1) / 220)), rtol=1e-4)
    assert np.all(np.diff(rates) < 0)


def test_default_run_has_no_learning_rate_schedule(trained):
    cwd, result = trained
    assert result.returncode == 0, result.stderr[-3000:]
    assert '"learning_rate_decay": "none"' in result.stdout
    training = read_scalars(cwd / "mnist_training")["."]
    assert "train_accuracy" in training and "learning_rate" not in training


def test_makefile_train_target_runs_the_cli():
    text = (REPO / "Makefile").read_text()
    assert "train:" in text and "-m helpers" in text
