"""TensorBoard without and with a server.

- :func:`read_scalars` reads a model_dir's event files with TensorBoard's own ``EventAccumulator``:
  training summaries at the top (loss, ``global_step/sec``, ``train_accuracy``), evaluations in ``eval*/``.
- :func:`plot_training` draws loss, accuracy and steps/s with matplotlib: the curves show on GitHub and in CI.
- :func:`prepare_tensorboard` makes ``%tensorboard`` work from any kernel and never show a stale board.
- :func:`hparams_sessions` reads the HParams dashboard's rows from a running board's HTTP API (notebook 08).

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


def _by_step(events) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) from (wall_time, step, value) events, in step order; the newest value of a step wins."""
    by_step = {step: value for _, step, value in sorted(events, key=lambda event: event[0])}
    steps = np.array(sorted(by_step), dtype=np.int64)
    return steps, np.array([by_step[s] for s in steps], dtype=np.float64)


def read_scalars(model_dir) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """``{run: {tag: (steps, values)}}`` for every run in ``model_dir`` ('.' is training, 'eval' ...): an
    Estimator's TF 1 scalar summaries, and TF 2 ones (Keras' TensorBoard callback writes ``train/`` and
    ``validation/``).

    Several event files in one folder (a resumed run writes a new one) are read together, in step order;
    when a step appears twice (a run restarted from an older checkpoint), the newest value wins.
    """
    from tensorboard.util import tensor_util

    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise FileNotFoundError(f"{model_dir}: no such model directory")
    runs = {}
    folders = sorted({p.parent for p in model_dir.rglob("events.out.tfevents.*")})
    for folder in folders:
        acc = _accumulator(folder)
        tags = {}
        for tag in acc.Tags()["scalars"]:
            tags[tag] = _by_step((event.wall_time, event.step, event.value) for event in acc.Scalars(tag))
        try:  # TF 2 summaries (tf.summary.scalar, Keras' TensorBoard callback): tensors of the scalars plugin
            tf2_scalars = acc.PluginTagToContent("scalars")
        except KeyError:
            tf2_scalars = {}
        for tag in acc.Tags()["tensors"]:
            if tag not in tags and tag in tf2_scalars:
                tags[tag] = _by_step((event.wall_time, event.step, float(tensor_util.make_ndarray(event.tensor_proto)))
                                     for event in acc.Tensors(tag))
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
    - on JupyterHub or Binder (``JUPYTERHUB_SERVICE_PREFIX`` is set), where the frame's ``localhost`` is not your
      machine, sets ``TENSORBOARD_PROXY_URL`` to ``{prefix}proxy/%PORT%/`` unless it is already set, so the
      frame loads the board through jupyter-server-proxy (TensorBoard puts the port in for ``%PORT%``);
    - prints a plain link to open the board in a new tab (through ``TENSORBOARD_PROXY_URL`` when it is set).
    """
    os.environ["TENSORBOARD_BINARY"] = tensorboard_binary()
    stop_tensorboard(logdir)
    port = _free_port()
    hub_prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if hub_prefix and not os.environ.get("TENSORBOARD_PROXY_URL"):
        os.environ["TENSORBOARD_PROXY_URL"] = hub_prefix.rstrip("/") + "/proxy/%PORT%/"
    proxy = os.environ.get("TENSORBOARD_PROXY_URL")
    link = proxy.replace("%PORT%", str(port)) if proxy else f"http://localhost:{port}/"
    print(f"TensorBoard for {logdir} will be on port {port}. If the frame below stays blank, open {link} "
          "in a new tab.")
    return port


# --------------------------------------------------------------------------------------------------------
# A run's timeline: when it trained, saved checkpoints and evaluated (notebook 03's figure)
# --------------------------------------------------------------------------------------------------------
def _raw_events(folder: Path) -> list[list]:
    """Every event of each event file in ``folder`` (one list per file, in file order), read with TensorBoard's
    own ``EventFileLoader`` - which also yields the ``SessionLog`` events that ``EventAccumulator`` keeps to itself."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    return [list(EventFileLoader(str(path)).Load()) for path in sorted(folder.glob("events.out.tfevents.*"))]


def _scalar_values(event) -> dict[str, float]:
    """The numeric scalars of a summary event (TensorBoard stores them as tensors), by tag."""
    from tensorboard.util import tensor_util

    values = {}
    for value in event.summary.value:
        if value.HasField("simple_value"):
            values[value.tag] = float(value.simple_value)
        elif value.HasField("tensor"):
            array = tensor_util.make_ndarray(value.tensor)
            if array.size == 1 and array.dtype.kind in "fiu":
                values[value.tag] = float(array.reshape(()))
    return values


def read_timeline(model_dir, eval_dir: str = "eval") -> dict:
    """When a ``train_and_evaluate`` run trained, saved checkpoints and evaluated, from its event files.

    Times are seconds since the run's first training event. Returns a dict with
    - ``progress``: array (n, 2) of (seconds, global step) - every training event that carries a step;
    - ``startup``: list of (start, end): from each training session's first event (the graph is built) to its
      first step;
    - ``checkpoints``: array (n, 2) of (seconds, global step) - the ``SessionLog.CHECKPOINT`` events that the
      ``CheckpointSaverHook`` writes right after each save;
    - ``evaluations``: list of dicts ``step``, ``start`` (the checkpoint save it evaluated), ``end`` (its metrics
      were written), ``metrics`` - read from ``eval_dir``;
    - ``rates``: list of dicts ``first_step``, ``step``, ``start``, ``end``, ``rate`` - each ``global_step/sec``
      sample and the interval it measured - and ``evaluations``: the steps of evaluations that ran inside it.
    """
    from tensorboard.compat.proto.event_pb2 import SessionLog

    model_dir = Path(model_dir)
    training = sorted((event for events in _raw_events(model_dir) for event in events), key=lambda e: e.wall_time)
    if not training:
        raise FileNotFoundError(f"{model_dir}: no training event files (has it trained yet?)")
    origin = training[0].wall_time
    progress, checkpoints, startup, rates = [], [], [], []
    # One Estimator.train call is one session: it writes the graph, saves a checkpoint at its first step, logs
    # SessionLog.START, then summaries. Several sessions (a resumed run) may share one event file, or not.
    session_begins, last_rate = None, None
    for event in training:
        t = event.wall_time - origin
        kind = event.WhichOneof("what")
        if kind in ("file_version", "graph_def", "meta_graph_def") and session_begins is None:
            session_begins = t  # the next session is being set up
        elif kind == "session_log" and event.session_log.status == SessionLog.START:
            startup.append((t if session_begins is None else session_begins, t))
            session_begins, last_rate = None, (t, max(event.step - 1, 0))
        elif kind == "session_log" and event.session_log.status == SessionLog.CHECKPOINT:
            checkpoints.append((t, event.step))
            progress.append((t, event.step))
        elif kind == "summary" and event.step > 0:
            progress.append((t, event.step))
            rate = _scalar_values(event).get("global_step/sec")
            if rate is not None and last_rate is not None:
                rates.append({"first_step": last_rate[1], "step": event.step, "start": last_rate[0], "end": t,
                              "rate": rate})
                last_rate = (t, event.step)
    checkpoints.sort()
    evaluations = []
    folder = model_dir / eval_dir
    for events in _raw_events(folder) if folder.is_dir() else []:
        for event in events:
            metrics = _scalar_values(event) if event.WhichOneof("what") == "summary" else {}
            if not metrics or event.step <= 0:
                continue
            evaluations.append({"step": event.step, "end": event.wall_time - origin, "metrics": metrics})
    evaluations.sort(key=lambda e: e["end"])
    previous_end = 0.0
    for evaluation in evaluations:  # it began when its checkpoint was saved (or when the previous one ended)
        saves = [t for t, step in checkpoints if step == evaluation["step"] and t <= evaluation["end"]]
        evaluation["start"] = max([previous_end] + saves[-1:]) if saves else evaluation["end"]
        previous_end = evaluation["end"]
    for rate in rates:
        rate["evaluations"] = [e["step"] for e in evaluations if e["start"] < rate["end"] and e["end"] > rate["start"]]
    return {"progress": np.array(sorted(progress), dtype=np.float64).reshape(-1, 2), "startup": startup,
            "checkpoints": np.array(checkpoints, dtype=np.float64).reshape(-1, 2), "evaluations": evaluations,
            "rates": rates}


# --------------------------------------------------------------------------------------------------------
# The HParams dashboard's data, through a running TensorBoard's HTTP API (notebook 08)
# --------------------------------------------------------------------------------------------------------
def _hparams_request(port: int, host: str, route: str, request: dict):
    import json
    import urllib.parse
    import urllib.request

    # the plugin takes its request as JSON, in a POST body (as TensorBoard's own page sends it) or in ?request=
    query = urllib.parse.urlencode({"request": json.dumps(request)})
    with urllib.request.urlopen(f"http://{host}:{port}/data/plugin/hparams/{route}?{query}", timeout=10) as response:
        return json.load(response)


def _metric_key(name: dict) -> str:
    """A metric's name as the dashboard shows it: "group/tag" (e.g. "eval/accuracy"), or the tag alone."""
    return f"{name['group']}/{name['tag']}" if name.get("group") else name["tag"]


def hparams_sessions(port: int, expect: int | None = None, timeout: float = 60.0,
                     host: str = "localhost") -> list[dict]:
    """The rows of TensorBoard's HParams dashboard, read from the TensorBoard running on ``port`` through its HTTP
    API (the hparams plugin's ``experiment`` and ``session_groups`` routes, which the dashboard itself reads).

    Returns one dict per session (a trial's run folder), sorted by name: ``name``, ``hparams`` ``{name: value}``,
    ``metrics`` ``{"eval/accuracy": value, ...}`` (``group/tag`` as declared by the sweep's ``hparams_config``).
    A board reads its event files in the background after it starts, so this waits - up to ``timeout`` seconds -
    until it serves ``expect`` sessions (by default at least one), each with a value for every declared metric;
    then raises ``TimeoutError`` saying what it saw.
    """
    import time

    statuses = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"]
    deadline = time.monotonic() + timeout
    seen = "nothing (is TensorBoard running on that port?)"
    while True:
        try:
            experiment = _hparams_request(port, host, "experiment", {"experimentName": ""})
            declared = [m["name"] for m in experiment.get("metricInfos", [])]
            groups = _hparams_request(port, host, "session_groups", {
                "experimentName": "", "allowedStatuses": statuses, "startIndex": 0, "sliceSize": 100_000,
            }).get("sessionGroups", [])
            sessions = []
            for group in groups:
                metrics = {_metric_key(m["name"]): m["value"] for m in group.get("metricValues", []) if "value" in m}
                sessions.append({"name": group["name"], "hparams": dict(group.get("hparams", {})), "metrics": metrics})
            complete = [s for s in sessions if all(_metric_key(m) in s["metrics"] for m in declared)]
            enough = len(complete) >= expect if expect is not None else bool(complete)
            if enough and len(complete) == len(sessions) and declared:
                return sorted(sessions, key=lambda s: s["name"])
            seen = (f"{len(sessions)} session(s), {len(complete)} with every declared metric "
                    f"({', '.join(m['tag'] for m in declared) or 'none declared: no hparams_config'})")
        except (OSError, ValueError) as e:  # not up yet, or not a TensorBoard
            seen = f"no answer ({e})"
        if time.monotonic() >= deadline:
            raise TimeoutError(f"the HParams dashboard of the TensorBoard on port {port} did not show "
                               f"{expect if expect is not None else 'any'} complete session(s) within {timeout:g} s: "
                               f"it served {seen}")
        time.sleep(0.5)
