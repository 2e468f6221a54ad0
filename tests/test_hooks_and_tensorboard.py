"""helpers.hooks.ProgressBarHook and helpers.tensorboard: reading, plotting, and %tensorboard from any kernel."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from helpers.notebook import quiet_tensorflow

quiet_tensorflow()
import tensorflow as tf  # noqa: E402
from test_experiment import estimator, eval_input_fn, linear_model_fn, train_input_fn  # noqa: E402

from helpers.experiment import Experiment  # noqa: E402
from helpers.hooks import ProgressBarHook  # noqa: E402
from helpers.tensorboard import plot_training, prepare_tensorboard, read_scalars, stop_tensorboard  # noqa: E402


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("trained")
    Experiment(estimator(model_dir, log_step_count_steps=10), train_input_fn, eval_input_fn, train_steps=40,
               eval_steps=None, min_eval_frequency=20).train_and_evaluate()
    return model_dir


def test_progress_bar_counts_from_the_start_step_to_the_total(tmp_path, capsys):
    est = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path), params={})
    out = io.StringIO()
    est.train(train_input_fn, hooks=[ProgressBarHook(total=25, file=out, refresh_secs=0)], max_steps=25)
    text = out.getvalue()
    assert "25/25" in text and "loss=" in text
    assert "global step 0 -> 25" in capsys.readouterr().out
    out = io.StringIO()  # a resumed run starts where the checkpoint is
    est.train(train_input_fn, hooks=[ProgressBarHook(total=40, file=out, refresh_secs=0)], max_steps=40)
    assert "25/40" in out.getvalue() and "40/40" in out.getvalue()
    assert "global step 25 -> 40" in capsys.readouterr().out


def test_progress_bar_ends_at_the_exact_step_when_the_step_read_races_the_update():
    """The global step fetched beside the train op is usually the step before it ran, but can be the new one: the
    bar must neither pass its total (tqdm would then drop the total and count '41step') nor end off by one."""
    for total in (3, None):
        out = io.StringIO()
        with tf.Graph().as_default():
            global_step = tf.compat.v1.train.get_or_create_global_step()
            hook = ProgressBarHook(total=total, file=out, refresh_secs=0)
            hook.begin()
            with tf.compat.v1.Session() as session:
                session.run(global_step.initializer)
                hook.after_create_session(session, None)
                for already_incremented in (1, 2, 3):  # every read saw its step's increment: 2, 3, 4 before end()
                    hook.after_run(None, tf.compat.v1.train.SessionRunValues(
                        results={"step": already_incremented}, options=None, run_metadata=None))
                session.run(global_step.assign(3))
                hook.end(session)
        text = out.getvalue()
        assert ("3/3" in text if total else text.rstrip().split("\r")[-1].startswith("training: 3step")), text
        assert "4/3" not in text and not (total and "step [" in text), text


def test_progress_bar_needs_a_global_step():
    with tf.Graph().as_default():
        tf.constant(1)
        with pytest.raises(RuntimeError, match="needs a global step"):
            with tf.compat.v1.train.MonitoredSession(hooks=[ProgressBarHook()]):
                pass


def test_read_scalars_finds_training_and_evaluation_curves(trained_dir):
    runs = read_scalars(trained_dir)
    assert {"loss", "global_step/sec"} <= set(runs["."])
    steps, values = runs["eval"]["accuracy"]
    assert steps.tolist() == [20, 40] and all(0 <= v <= 1 for v in values)


def test_read_scalars_reads_tf2_summaries_too_and_the_newest_value_of_a_step_wins(tmp_path):
    """Keras' TensorBoard callback (notebook 07, and 09 in TensorFlow 2.21) writes TF 2 summaries: tensors with the
    scalars plugin, not TF 1 scalar events. A process that resumed from a backup writes some steps again."""
    import time

    for values in ({10: 0.5, 20: 0.6}, {20: 0.7, 30: 0.8}):  # a first process, then a resumed one
        writer = tf.summary.create_file_writer(str(tmp_path / "validation"))
        with writer.as_default():
            for step, value in values.items():
                tf.summary.scalar("evaluation_accuracy_vs_iterations", value, step=step)
                tf.summary.text("note", "not a scalar", step=step)
        writer.close()
        time.sleep(0.01)
    steps, values = read_scalars(tmp_path)["validation"]["evaluation_accuracy_vs_iterations"]
    assert steps.tolist() == [10, 20, 30]
    assert values == pytest.approx([0.5, 0.7, 0.8])
    assert "note" not in read_scalars(tmp_path)["validation"]


def test_read_scalars_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model directory"):
        read_scalars(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no TensorBoard event files"):
        read_scalars(tmp_path)


def test_plot_training_draws_three_panels(trained_dir):
    import matplotlib

    matplotlib.use("Agg")
    fig = plot_training(trained_dir, title="t")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["loss", "accuracy", "steps per second"]
    assert all(ax.has_data() for ax in fig.axes)


# --- %tensorboard from a kernel whose PATH lacks the environment's bin -------------------------------------
def run_in_kernel(code_cells, env):
    """Execute cells in a fresh python3 kernel started with `env`; return all text/html output per cell."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(Path(__file__).parent))
    try:
        outputs = []
        for code in code_cells:
            chunks = []

            def collect(msg, chunks=chunks):
                content = msg["content"]
                if msg["msg_type"] == "stream":
                    chunks.append(content["text"])
                elif msg["msg_type"] in ("display_data", "update_display_data", "execute_result"):
                    chunks.append(json.dumps(content["data"]))
                elif msg["msg_type"] == "error":
                    chunks.append(f"ERROR {content['ename']}: {content['evalue']}")

            kc.execute_interactive(code, output_hook=collect, timeout=120)
            outputs.append("".join(chunks))
        return outputs
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


POLL_RUNS = """
import json, time, urllib.request
runs, deadline = [], time.monotonic() + 60
while time.monotonic() < deadline and not {".", "eval"} <= set(runs):
    time.sleep(1)
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/data/runs", timeout=5) as r:
            runs = json.load(r)
    except OSError:
        pass
print("RUNS", sorted(runs))
"""


def stripped_env():
    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != bin_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("TENSORBOARD_BINARY", "VIRTUAL_ENV")}
    env["PATH"] = path or "/usr/bin:/bin"
    return env


@pytest.mark.skipif(any(Path(p, "tensorboard").exists() for p in stripped_env()["PATH"].split(os.pathsep)),
                    reason="a tensorboard executable is on PATH outside the project's environment")
def test_tensorboard_magic_works_from_a_kernel_without_the_env_bin_on_path_and_a_rerun_gets_a_fresh_board(
        trained_dir):
    """One kernel, as a learner meets it (a kernel and a board take seconds to start): the 'Could not find
    `tensorboard`' case, the fix in the same kernel, and re-running the cell ('Reusing TensorBoard' with a stale
    frame is the common complaint)."""
    env = stripped_env()
    logdir = str(trained_dir)
    try:
        out = run_in_kernel([
            # without the helper: the magic's own failure, printed as ordinary output
            "%load_ext tensorboard",
            f"%tensorboard --logdir {logdir} --port 6123",
            # with it, no restart: TensorBoard starts, serves the runs (asked from inside the kernel, whose child
            # it is), and the link is printed
            "from helpers.tensorboard import prepare_tensorboard\n"
            f"port = prepare_tensorboard({logdir!r})\nprint('PORT', port)",
            f"%tensorboard --logdir {logdir} --port {{port}}",
            POLL_RUNS,
            # a learner re-runs the cell: the old board is stopped and the new one gets a new port
            f"port2 = prepare_tensorboard({logdir!r})",
            f"%tensorboard --logdir {logdir} --port {{port2}}",
            "from tensorboard import manager\n"
            f"print('BOARDS', len([i for i in manager.get_all() if i.logdir == {logdir!r}]), port != port2)",
        ], env)
        assert "Could not find `tensorboard`" in out[1], out[1]
        assert "Could not find" not in "".join(out[2:]), out
        port = int(out[2].split("PORT ")[1].split()[0])
        assert f"http://localhost:{port}/" in out[2]
        assert "<iframe" in out[3]
        assert "RUNS ['.', 'eval']" in out[4], out[4]
        assert "Reusing TensorBoard" not in "".join(out)
        assert "BOARDS 1 True" in out[-1], out  # one board for the logdir, on a new port
    finally:
        stop_tensorboard(logdir)


# --- %tensorboard on JupyterHub / Binder: through jupyter-server-proxy -------------------------------------
def test_prepare_tensorboard_on_jupyterhub_points_the_frame_at_the_proxy(tmp_path, monkeypatch, capsys):
    """On a hub the frame's `localhost` is not the learner's machine: TensorBoard 2.15's %tensorboard frame must load
    {JUPYTERHUB_SERVICE_PREFIX}proxy/<port>/ (jupyter-server-proxy), and the printed link must be that too."""
    import IPython.display
    from tensorboard import notebook

    for name in ("TENSORBOARD_PROXY_URL", "TENSORBOARD_BINARY", "JUPYTERHUB_SERVICE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))

    port = prepare_tensorboard(tmp_path)  # not on a hub: nothing set, the frame goes to localhost:<port>
    assert "TENSORBOARD_PROXY_URL" not in os.environ
    assert f"open http://localhost:{port}/ in a new tab" in capsys.readouterr().out

    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    port = prepare_tensorboard(tmp_path)
    assert os.environ["TENSORBOARD_PROXY_URL"] == "/user/ada/proxy/%PORT%/"
    assert f"open /user/ada/proxy/{port}/ in a new tab" in capsys.readouterr().out
    notebook._display_ipython(port, height=600, display_handle=None)  # what %tensorboard shows in JupyterLab
    assert f'new URL("/user/ada/proxy/{port}/", window.location)' in shown[-1]
    assert "const port = 0;" in shown[-1]  # the URL is used as it is, not re-pointed at localhost:<port>

    monkeypatch.setenv("TENSORBOARD_PROXY_URL", "https://hub.example/tb/%PORT%/")  # set by the hub's admin: kept
    port = prepare_tensorboard(tmp_path)
    assert os.environ["TENSORBOARD_PROXY_URL"] == "https://hub.example/tb/%PORT%/"
    assert f"open https://hub.example/tb/{port}/ in a new tab" in capsys.readouterr().out
