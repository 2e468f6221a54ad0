"""A real TensorFlow cluster on this machine: one process per task, each with its own ``TF_CONFIG``.

    from helpers.cluster import Cluster

    with Cluster("../runs/06_cluster", num_workers=1, task_args=["--train_steps", "400"]) as cluster:
        cluster.wait(timeout=300)

``Cluster`` picks free ports for the cluster spec (chief, workers, parameter servers), starts one
``python -m helpers.cluster_task`` per task - plus an evaluator, which TensorFlow keeps outside the cluster spec -
with ``TF_CONFIG`` naming its task, and writes each process's output to ``model_dir/logs/<type>-<index>.log``.
``wait()`` shows a live status line per process (task, pid, state, the last global step its log mentions) and
returns when the chief, the workers and the evaluator have finished; the parameter servers never finish on their
own (``run_std_server`` joins its server forever), so the launcher then stops them.

Every process is stopped, and so every port freed, whatever happens: when the run ends, when a task fails
(``ClusterError`` with the end of its log), at a timeout (``TimeoutError``), when the cell is interrupted
(``KeyboardInterrupt``: a second interrupt while stopping is held back until the processes are gone), when the
``with`` block is left, and at interpreter exit (``atexit``). Each task runs in its own process group (session),
so stopping it stops anything it started too. A task whose launcher was killed outright (SIGKILL: no clean-up
possible) notices its parent is gone and exits (``helpers.cluster_task.exit_with_parent``).

Taught in ``notebooks/06_distributed_experiment.ipynb``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["Cluster", "ClusterError", "Task", "free_ports", "is_listening", "make_cluster_spec", "tf_config"]

#: Task types whose processes end on their own; a parameter server ("ps") serves until it is stopped.
FINISHING_TASKS = ("chief", "master", "worker", "evaluator")

#: What the log lines of a task say about the global step: the Estimator's "loss = 0.3, step = 120",
#: "Saving checkpoints for 200", an evaluation's "Saving dict for global step 200" / "[eval_...] global step 200".
STEP_IN_LOG = re.compile(r"(?:\bstep = |global step |Saving checkpoints for )(\d+)")


def free_ports(n: int, host: str = "localhost") -> list[int]:
    """``n`` different TCP ports that nothing listens on now (the OS picks them; all bound at once, then freed)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def is_listening(port: int, host: str = "localhost", timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    with socket.socket() as s:
        s.settimeout(timeout)
        return s.connect_ex((host, port)) == 0


def make_cluster_spec(num_workers: int = 1, num_ps: int = 1, host: str = "localhost") -> dict[str, list[str]]:
    """A cluster spec on free local ports: one chief, ``num_workers`` workers, ``num_ps`` parameter servers."""
    if num_workers < 0 or num_ps < 0:
        raise ValueError(f"num_workers and num_ps must be >= 0, got {num_workers} and {num_ps}")
    ports = iter(free_ports(1 + num_workers + num_ps, host))
    spec = {"chief": [f"{host}:{next(ports)}"]}
    if num_workers:
        spec["worker"] = [f"{host}:{next(ports)}" for _ in range(num_workers)]
    if num_ps:
        spec["ps"] = [f"{host}:{next(ports)}" for _ in range(num_ps)]
    return spec


def tf_config(cluster_spec: dict, task_type: str, index: int = 0) -> dict:
    """The ``TF_CONFIG`` of one task: the whole cluster, and which task this process is."""
    return {"cluster": cluster_spec, "task": {"type": task_type, "index": index}}


class ClusterError(RuntimeError):
    """A task of the cluster failed; every process of the cluster has been stopped."""


class Task:
    """One process of the cluster: its task, its log, its state."""

    def __init__(self, task_type: str, index: int, log_path: Path):
        self.type, self.index, self.log_path = task_type, index, Path(log_path)
        self.process: subprocess.Popen | None = None
        self.started: float | None = None
        self.ended: float | None = None
        self.step: int | None = None  # the last global step its log mentioned
        self.stopped = False  # terminated by the launcher (not ended on its own)
        self._log_file = None
        self._offset = 0
        self._partial = b""

    @property
    def name(self) -> str:
        return f"{self.type}:{self.index}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def returncode(self) -> int | None:
        return self.process.poll() if self.process else None

    @property
    def finishes(self) -> bool:
        """Does this task end on its own (everything but a parameter server)?"""
        return self.type in FINISHING_TASKS

    @property
    def state(self) -> str:
        if self.process is None:
            return "not started"
        code = self.process.poll()
        if code is None:
            if not self.finishes:
                return "serving"
            return "running" if self.step is not None else "starting"
        if self.stopped:
            return "stopped"
        return "done" if code == 0 else f"failed (exit {code})"

    def read_log(self) -> None:
        """Read what the process wrote since the last call; remember the last global step it mentioned."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except FileNotFoundError:
            return
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()  # an unfinished last line waits for the next read
        for line in lines:
            for match in STEP_IN_LOG.finditer(line.decode("utf-8", errors="replace")):
                self.step = int(match.group(1))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, n: int = 5, grep: str | None = None) -> str:
        """The last ``n`` non-empty lines of its log (only those matching the regular expression ``grep``)."""
        lines = [line for line in self.log().splitlines() if line.strip()]
        if grep is not None:
            lines = [line for line in lines if re.search(grep, line)]
        return "\n".join(lines[-n:])

    def __repr__(self) -> str:
        return f"Task({self.name}, pid={self.pid}, state={self.state!r}, step={self.step})"


_LIVE: set = set()  # clusters with processes that may still run: stopped at interpreter exit


@atexit.register
def _stop_all_at_exit() -> None:
    for cluster in list(_LIVE):
        cluster.stop()


@contextlib.contextmanager
def _sigint_held_back():
    """While stopping processes, hold a Ctrl-C / kernel interrupt back and raise it afterwards: an interrupt in
    the middle of the clean-up would leave processes running. Only the main thread can change signal handlers."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Send ``signum`` to the process group of ``process`` (it leads its own: ``start_new_session=True``)."""
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class Cluster:
    """Start a localhost TensorFlow cluster that runs the post's Experiment, watch it, and stop all of it.

    ``model_dir`` is shared by every task (checkpoints, event files; logs in ``model_dir/logs/``). ``task_args``
    go to every ``python -m helpers.cluster_task`` (e.g. ``["--train_steps", "400"]``); ``command(task_type,
    index)`` replaces that command entirely (the tests start small stand-in processes with it). ``live``: show
    the status table while waiting - updated in place in a notebook, one printed line per change elsewhere;
    ``None`` decides by whether this runs in a notebook kernel.
    """

    def __init__(self, model_dir, num_workers: int = 1, num_ps: int = 1, evaluator: bool = True,
                 task_args: Sequence[str] = (), command: Callable[[str, int], list[str]] | None = None,
                 host: str = "localhost", live: bool | None = None, poll_secs: float = 0.5,
                 stop_grace_secs: float = 5.0):
        self.model_dir = Path(model_dir)
        self.num_workers, self.num_ps, self.evaluator = num_workers, num_ps, evaluator
        self.task_args = [str(a) for a in task_args]
        self.command = command or self._task_command
        self.host = host
        self.live = _in_notebook() if live is None else live
        self.poll_secs, self.stop_grace_secs = poll_secs, stop_grace_secs
        self.cluster_spec: dict[str, list[str]] = {}
        self.tasks: list[Task] = []
        self._display = None
        self._printed: dict[str, str] = {}

    # -- what it is -------------------------------------------------------------------------------------------
    def _task_command(self, task_type: str, index: int) -> list[str]:
        return [sys.executable, "-m", "helpers.cluster_task", "--model_dir", str(self.model_dir), *self.task_args]

    @property
    def ports(self) -> list[int]:
        """The ports of the cluster spec (the evaluator listens on none)."""
        return [int(address.rsplit(":", 1)[1]) for addresses in self.cluster_spec.values() for address in addresses]

    @property
    def pids(self) -> list[int]:
        return [t.pid for t in self.tasks if t.pid is not None]

    def task(self, name: str) -> Task:
        """The task called ``name``: "chief:0", "worker:0", "ps:0", "evaluator:0" (":0" may be left out)."""
        name = name if ":" in name else f"{name}:0"
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(f"no task {name!r}; the tasks are {', '.join(t.name for t in self.tasks)}")

    def schedules(self) -> dict[str, str]:
        """The schedule each task said it runs (``helpers.cluster_task`` logs "... schedule <name>" first)."""
        found = {}
        for t in self.tasks:
            match = re.search(r"^\[cluster_task\] \S+ pid \d+ schedule (\w+)", t.log(), re.MULTILINE)
            if match:
                found[t.name] = match.group(1)
        return found

    def tf_config(self, task: Task) -> dict:
        return tf_config(self.cluster_spec, task.type, task.index)

    # -- running it -------------------------------------------------------------------------------------------
    def start(self) -> Cluster:
        """Pick ports, then start every task (the ps first, the evaluator last), each with its TF_CONFIG.

        A cluster that was stopped starts afresh (new ports, new logs); one that is running cannot start again."""
        if any(t.returncode is None for t in self.tasks if t.process is not None):
            raise RuntimeError("this Cluster is running already: wait() for it or stop() it first")
        self._display, self._printed = None, {}
        self.cluster_spec = make_cluster_spec(self.num_workers, self.num_ps, self.host)
        logs = self.model_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        order = [("ps", i) for i in range(self.num_ps)] + [("chief", 0)]
        order += [("worker", i) for i in range(self.num_workers)] + ([("evaluator", 0)] if self.evaluator else [])
        self.tasks = [Task(kind, i, logs / f"{kind}-{i}.log") for kind, i in order]
        _LIVE.add(self)
        try:
            for task in self.tasks:
                self._start_task(task)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_task(self, task: Task) -> None:
        env = {**os.environ, "TF_CONFIG": json.dumps(self.tf_config(task)), "PYTHONUNBUFFERED": "1",
               "CLUSTER_LAUNCHER_PID": str(os.getpid())}
        task._log_file = open(task.log_path, "wb")  # closed in stop()
        task.process = subprocess.Popen(self.command(task.type, task.index), env=env, stdin=subprocess.DEVNULL,
                                        stdout=task._log_file, stderr=subprocess.STDOUT, start_new_session=True)
        task.started = time.monotonic()

    def poll(self) -> list[Task]:
        """Read the new log lines and note which processes ended; return the tasks."""
        for task in self.tasks:
            task.read_log()
            if task.ended is None and task.returncode is not None:
                task.ended = time.monotonic()
        return self.tasks

    def wait(self, timeout: float | None = None) -> Cluster:
        """Show the status until the chief, the workers and the evaluator have finished, then stop the rest.

        Raises ``ClusterError`` when a task fails (or a parameter server ends on its own), ``TimeoutError`` after
        ``timeout`` seconds; every process is stopped in every case, an interrupt included."""
        if not self.tasks:
            self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                self.poll()
                self._show()
                failed = [t for t in self.tasks if t.returncode not in (None, 0) and not t.stopped]
                failed += [t for t in self.tasks if not t.finishes and t.returncode == 0 and not t.stopped]
                if failed:
                    raise ClusterError(self._failure_message(failed))
                if all(t.returncode == 0 for t in self.tasks if t.finishes):
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"the cluster did not finish within {timeout:g} s:\n{self.status_table()}")
                time.sleep(self.poll_secs)
        finally:  # done, failed, timed out or interrupted: nothing may go on running
            self.stop()
            self._show()
        return self

    def stop(self) -> None:
        """Stop every process still running (SIGTERM to its process group, SIGKILL after ``stop_grace_secs``),
        wait for them, close the logs. Safe to call again."""
        with _sigint_held_back():
            running = [t for t in self.tasks if t.process is not None and t.process.poll() is None]
            for task in running:
                task.stopped = True
                _signal_group(task.process, signal.SIGTERM)
            deadline = time.monotonic() + self.stop_grace_secs
            for task in running:
                try:
                    task.process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(task.process, signal.SIGKILL)
                    task.process.wait()
            for task in self.tasks:
                if task._log_file is not None:
                    task._log_file.close()
                    task._log_file = None
            self.poll()
            _LIVE.discard(self)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- showing it -------------------------------------------------------------------------------------------
    def status(self) -> list[dict]:
        """One row per process: task, pid, state, last global step in its log, seconds since it started."""
        now = time.monotonic()
        return [{"task": t.name, "pid": t.pid, "state": t.state, "step": t.step,
                 "secs": None if t.started is None else round((t.ended or now) - t.started)} for t in self.tasks]

    def status_table(self) -> str:
        rows = [("task", "pid", "state", "global step", "time")]
        rows += [(r["task"], str(r["pid"] or "-"), r["state"], "-" if r["step"] is None else str(r["step"]),
                  "-" if r["secs"] is None else f"{r['secs']} s") for r in self.status()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)

    def _show(self) -> None:
        if not self.live:
            return
        if _in_notebook():
            from IPython.display import Pretty, display

            if self._display is None:
                self._display = display(Pretty(self.status_table()), display_id=True)
            else:
                self._display.update(Pretty(self.status_table()))
            return
        for row in self.status():  # a terminal: one line whenever a task's state changes
            if self._printed.get(row["task"]) != row["state"]:
                self._printed[row["task"]] = row["state"]
                print(f"{row['task']} (pid {row['pid']}): {row['state']}, global step {row['step']}", flush=True)

    def _failure_message(self, failed: list[Task]) -> str:
        parts = []
        for t in failed:
            what = f"exited with code {t.returncode}" if t.finishes else "ended on its own (a ps should serve)"
            parts.append(f"{t.name} (pid {t.pid}) {what}; the end of {t.log_path}:\n{t.tail(12)}")
        return "\n\n".join(parts) + "\nEvery process of the cluster has been stopped."

    def __repr__(self) -> str:
        return f"Cluster({str(self.model_dir)!r}, tasks={[t.name for t in self.tasks]}, spec={self.cluster_spec})"


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")
