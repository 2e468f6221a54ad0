"""TensorBoard without and with a server.

- :func:`read_scalars` reads a model_dir's event files with TensorBoard's own ``EventAccumulator``:
  training summaries at the top (loss, ``global_step/sec``, ``train_accuracy``), evaluations in ``eval*/``.
- :func:`plot_training` draws loss, accuracy and steps/s with matplotlib: the curves show on GitHub and in CI.
- :func:`prepare_tensorboard` makes ``%tensorboard`` work from any kernel and never show a stale board.

Taught in ``notebooks/03_experiment_and_tensorboard.ipynb``.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import numpy as np


def _accumulator(path: Path):
    from tensorboard.backend.event_processing import event_accumulator as ea

    logging.getLogger("tensorboard").setLevel(logging.ERROR)  # "Found more than one graph event..." notices
    acc = ea.EventAccumulator(str(path), size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})
    acc.Reload()
    return acc


def read_scalars(model_dir) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """``{run: {tag: (steps, values)}}`` for every run in ``model_dir`` ('.' is training, 'eval' ...).

    Several event files in one folder (a resumed run writes a new one) are read together, in step order;
    when a step appears twice (a run restarted from an older checkpoint), the newest value wins.
    """
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise FileNotFoundError(f"{model_dir}: no such model directory")
    runs = {}
    folders = sorted({p.parent for p in model_dir.rglob("events.out.tfevents.*")})
    for folder in folders:
        acc = _accumulator(folder)
        tags = {}
        for tag in acc.Tags()["scalars"]:
            by_step = {}
            for event in sorted(acc.Scalars(tag), key=lambda e: e.wall_time):
                by_step[event.step] = event.value
            steps = np.array(sorted(by_step), dtype=np.int64)
            tags[tag] = (steps, np.array([by_step[s] for s in steps], dtype=np.float64))
        if tags:
            runs[folder.relative_to(model_dir).as_posix()] = tags
    if not runs:
        raise FileNotFoundError(f"{model_dir}: no TensorBoard event files with scalars (has it trained yet?)")
    return runs


def plot_training(model_dir, title: str | None = None):
    """Three panels: loss (training and evaluation), accuracy (evaluation, training batches), steps/s."""
    import matplotlib.pyplot as plt

    runs = read_scalars(model_dir)
    fig, (ax_loss, ax_acc, ax_speed) = plt.subplots(1, 3, figsize=(12, 3.2))
    for run, tags in runs.items():
        label = "training" if run == "." else run
        eval_style = {"marker": "o", "linestyle": "-"} if run != "." else {}
        if "loss" in tags:
            ax_loss.plot(*tags["loss"], label=label, **eval_style)
        if "accuracy" in tags:
            ax_acc.plot(*tags["accuracy"], label=f"{label} accuracy", **eval_style)
        if "train_accuracy" in tags:
            ax_acc.plot(*tags["train_accuracy"], label="training batches", alpha=0.6)
        if "global_step/sec" in tags:
            ax_speed.plot(*tags["global_step/sec"], label=label)
    ax_loss.set(title="loss", xlabel="global step", yscale="log")
    eval_accuracy = [v for tags in runs.values() if "accuracy" in tags for v in tags["accuracy"][1]]
    bottom = max(0.0, min(eval_accuracy) - 0.05) if eval_accuracy else 0.0  # zoom on the evaluations
    ax_acc.set(title="accuracy", xlabel="global step", ylim=(bottom, 1.0))
    ax_speed.set(title="steps per second", xlabel="global step")
    for ax in (ax_loss, ax_acc, ax_speed):
        if ax.has_data():
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------------------
# TensorBoard in the notebook
# --------------------------------------------------------------------------------------------------------
def tensorboard_binary() -> str:
    """The ``tensorboard`` executable of this kernel's environment (next to its python), else on PATH."""
    beside = Path(sys.executable).parent / "tensorboard"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("tensorboard")
    if found:
        return found
    raise FileNotFoundError(
        f"no `tensorboard` executable beside {sys.executable} or on PATH: install the project's environment "
        "(make lab) or `pip install tensorboard==2.15.2` into this kernel's environment"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _board_logdir(info) -> str:
    """The absolute logdir of a running board (a relative one is resolved against that board's own cwd)."""
    logdir = info.logdir or ""
    if not os.path.isabs(logdir):
        try:
            return os.path.realpath(os.path.join(os.readlink(f"/proc/{info.pid}/cwd"), logdir))
        except OSError:  # not Linux, or the process is gone
            pass
    return os.path.realpath(logdir)


def stop_tensorboard(logdir=None, under=None, timeout: float = 10.0) -> list[int]:
    """Stop the TensorBoards started by ``%tensorboard`` - for ``logdir``, or for every logdir below ``under``,
    or all of them - and return their ports. A board outlives the kernel that started it, and keeps re-reading
    its event files: stop it before training into the same logdir again."""
    import time

    from tensorboard import manager

    want = os.path.realpath(logdir) if logdir is not None else None
    root = os.path.realpath(under) if under is not None else None
    stopped = []
    for info in manager.get_all():
        board = _board_logdir(info)
        if want is not None and board != want:
            continue
        if root is not None and board != root and not board.startswith(root + os.sep):
            continue
        info_file = Path(manager._get_info_dir()) / f"pid-{info.pid}.info"
        try:
            os.kill(info.pid, signal.SIGTERM)  # TensorBoard exits cleanly and removes its info file
            deadline = time.monotonic() + timeout
            while info_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        except ProcessLookupError:
            pass  # it died earlier without cleaning up
        info_file.unlink(missing_ok=True)
        stopped.append(info.port)
    return stopped


def prepare_tensorboard(logdir) -> int:
    """Get ready for ``%tensorboard --logdir {logdir} --port {port}`` and return the port to use.

    - points ``TENSORBOARD_BINARY`` at this environment's ``tensorboard``, so the magic works even when the
      kernel was started without the environment's bin on PATH (it would print "Could not find
      `tensorboard`" and show nothing);
    - stops a TensorBoard this notebook started earlier for the same logdir, and picks a free port, so a
      re-run starts a fresh board instead of "Reusing TensorBoard on port 6006" with a stale frame;
    - prints a plain link to open the board in a new tab (through ``TENSORBOARD_PROXY_URL`` on JupyterHub or
      Binder, where the inline frame's ``localhost`` is not your machine).
    """
    os.environ["TENSORBOARD_BINARY"] = tensorboard_binary()
    stop_tensorboard(logdir)
    port = _free_port()
    proxy = os.environ.get("TENSORBOARD_PROXY_URL")
    link = proxy.replace("%PORT%", str(port)) if proxy else f"http://localhost:{port}/"
    print(f"TensorBoard for {logdir} will be on port {port}. If the frame below stays blank, open {link} "
          "in a new tab.")
    return port
