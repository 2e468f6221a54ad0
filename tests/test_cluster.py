"""helpers.cluster: free ports, one process per task with its own TF_CONFIG, logs, status - and nothing left
running or listening afterwards, however the run ends (done, failed, timed out, interrupted, launcher gone).

Cheap: the tasks are small stand-in Python processes (no TensorFlow) that behave like the real ones - they
listen on their port of the cluster spec, log "step = N" lines, fail, sleep or start a process of their own.
The real cluster (TensorFlow, the post's Experiment on chief + worker + ps + evaluator) is notebook 06, which
tests/test_notebooks.py runs: its checks cover each task's default schedule, that every trainer trained, that the
evaluator stopped after the checkpoint at train_steps, and that no process or port is left."""

from __future__ import annotations

import _thread
import json
import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest
from conftest import REPO

from helpers.cluster import (
    Cluster,
    ClusterError,
    Task,
    _sigint_held_back,
    free_ports,
    is_listening,
    make_cluster_spec,
    tf_config,
)

#: A stand-in task: listens on its address of the cluster spec (if it has one), then behaves as told.
STAND_IN = r"""
import json, os, socket, subprocess, sys, time
config = json.loads(os.environ["TF_CONFIG"])
kind, index = config["task"]["type"], config["task"]["index"]
if kind in config["cluster"]:
    host, port = config["cluster"][kind][index].rsplit(":", 1)
    server = socket.socket()
    server.bind((host, int(port)))
    server.listen()
print("[stand-in]", json.dumps(config["task"]), "listening" if kind in config["cluster"] else "", flush=True)
behaviour = sys.argv[1]
if behaviour == "train":
    for step in (0, 10, 20):
        print(f"INFO:tensorflow:loss = 0.5, step = {step}", flush=True)
        time.sleep(0.2)
elif behaviour == "fail":
    print("Traceback (most recent call last):\nRuntimeError: boom", flush=True)
    sys.exit(3)
elif behaviour == "spawn":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    print("grandchild", child.pid, flush=True)
    time.sleep(60)
elif behaviour == "orphan":
    from helpers.cluster_task import exit_with_parent
    exit_with_parent(int(os.environ["CLUSTER_LAUNCHER_PID"]), interval=0.2)
    time.sleep(60)
else:
    time.sleep(60)
"""


def stand_ins(**behaviour):
    """A ``command`` for Cluster: each task type runs STAND_IN with its behaviour (default: sleep 60 s)."""
    return lambda task_type, index: [sys.executable, "-c", STAND_IN, behaviour.get(task_type, "sleep")]


def alive(pid: int) -> bool:
    try:
        process = psutil.Process(pid)
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def assert_all_gone(cluster: Cluster) -> None:
    assert cluster.pids, "the cluster never started a process"
    assert not [p for p in cluster.pids if alive(p)], cluster.status_table()
    assert not [p for p in cluster.ports if is_listening(p)], cluster.cluster_spec
    assert not [c.pid for c in psutil.Process().children(recursive=True) if c.pid in cluster.pids]


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_free_ports_are_different_and_free():
    ports = free_ports(5)
    assert len(set(ports)) == 5 and all(1024 <= p < 65536 for p in ports)
    assert not any(is_listening(p) for p in ports)


def test_cluster_spec_and_tf_config():
    spec = make_cluster_spec(num_workers=2, num_ps=1)
    assert sorted(spec) == ["chief", "ps", "worker"] and len(spec["worker"]) == 2
    addresses = [a for tasks in spec.values() for a in tasks]
    assert len(set(addresses)) == 4 and all(a.startswith("localhost:") for a in addresses)
    config = tf_config(spec, "worker", 1)
    assert json.loads(json.dumps(config)) == {"cluster": spec, "task": {"type": "worker", "index": 1}}
    assert sorted(make_cluster_spec(num_workers=0, num_ps=0)) == ["chief"]
    with pytest.raises(ValueError, match="num_workers"):
        make_cluster_spec(num_workers=-1)


def test_a_run_ends_when_chief_workers_and_evaluator_are_done_and_then_stops_the_ps(tmp_path):
    cluster = Cluster(tmp_path, num_workers=2, command=stand_ins(chief="train", worker="train", evaluator="train"),
                      live=False, poll_secs=0.1)
    with cluster:
        ps = cluster.task("ps")
        assert wait_for(lambda: "listening" in ps.log()), ps.log()
        assert is_listening(int(cluster.cluster_spec["ps"][0].rsplit(":", 1)[1]))
        cluster.wait(timeout=30)
    states = {row["task"]: row["state"] for row in cluster.status()}
    assert states == {"ps:0": "stopped", "chief:0": "done", "worker:0": "done", "worker:1": "done",
                      "evaluator:0": "done"}
    assert all(cluster.task(name).step == 20 for name in ("chief", "worker:1", "evaluator"))
    assert cluster.task("ps").step is None
    for task in cluster.tasks:  # each process had its own TF_CONFIG, and its own log file
        assert task.log_path == tmp_path / "logs" / f"{task.type}-{task.index}.log"
        assert json.dumps({"type": task.type, "index": task.index}) in task.log()
    assert "step = 20" in cluster.task("worker:0").tail(1)
    assert "chief:0" in cluster.status_table() and "stopped" in cluster.status_table()
    assert_all_gone(cluster)


def test_a_failing_task_stops_everything_and_says_which_and_why(tmp_path):
    cluster = Cluster(tmp_path, command=stand_ins(worker="fail"), live=False, poll_secs=0.1)
    with pytest.raises(ClusterError, match=r"worker:0 \(pid \d+\) exited with code 3") as error:
        with cluster:
            cluster.wait(timeout=30)
    assert "RuntimeError: boom" in str(error.value)  # the end of its log
    assert {t.name: t.state for t in cluster.tasks}["chief:0"] == "stopped"
    assert_all_gone(cluster)


def test_a_timeout_stops_everything(tmp_path):
    cluster = Cluster(tmp_path, command=stand_ins(), live=False, poll_secs=0.1)
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="did not finish within 1 s"):
        cluster.wait(timeout=1)  # no `with`: wait() starts the cluster, and stops it whatever happens
    assert time.monotonic() - start < 15
    assert_all_gone(cluster)


@pytest.fixture
def python_handles_ctrl_c():
    """Python's own Ctrl-C handler (KeyboardInterrupt), as a notebook kernel and a terminal have it. A process
    started in the background by a non-interactive shell (`cmd &`, nohup, some CI runners) inherits SIGINT ignored:
    Python then installs no handler, `_thread.interrupt_main()` does nothing and these tests would wait forever."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_an_interrupt_stops_everything(tmp_path, python_handles_ctrl_c):
    """What a kernel interrupt does in a notebook cell: KeyboardInterrupt in the main thread, during wait()."""
    cluster = Cluster(tmp_path, command=stand_ins(), live=False, poll_secs=0.1)
    timer = threading.Timer(1.0, _thread.interrupt_main)
    with pytest.raises(KeyboardInterrupt):
        with cluster:
            timer.start()
            cluster.wait(timeout=30)
    timer.cancel()
    assert all(t.state == "stopped" for t in cluster.tasks)
    assert_all_gone(cluster)


def test_leaving_the_with_block_by_an_error_stops_everything(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with Cluster(tmp_path, command=stand_ins(), live=False) as cluster:
            1 / 0  # noqa: B018 - an error in the user's own code inside the block
    assert_all_gone(cluster)


def test_what_a_task_started_is_stopped_with_it(tmp_path):
    """Each task leads its own process group: stopping the task stops its children too."""
    with Cluster(tmp_path, num_ps=0, evaluator=False, command=stand_ins(chief="spawn", worker="spawn"),
                 live=False) as cluster:
        assert wait_for(lambda: all("grandchild" in t.log() for t in cluster.tasks)), cluster.status_table()
        grandchildren = [int(t.tail(1).split()[-1]) for t in cluster.tasks]
        assert all(alive(p) for p in grandchildren)
    assert wait_for(lambda: not any(alive(p) for p in grandchildren), timeout=5)
    assert_all_gone(cluster)


def test_an_interrupt_while_stopping_waits_until_the_processes_are_gone(python_handles_ctrl_c):
    """A second Ctrl-C during the clean-up is held back, then raised: the clean-up is not cut short."""
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with _sigint_held_back():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)  # the signal is handled meanwhile, and does not interrupt this
            finished.append(True)
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


LAUNCHER = r"""
import json, os, signal, sys
from helpers.cluster import Cluster
sys.path.insert(0, {tests!r})
from test_cluster import stand_ins
cluster = Cluster({model_dir!r}, command=stand_ins(**{behaviour!r}), live=False).start()
print(json.dumps(cluster.pids), flush=True)
if sys.argv[1] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)  # no clean-up at all
# "exits": leave without stopping the cluster: atexit does it
"""


@pytest.mark.parametrize("how", ["exits", "killed"])
def test_nothing_outlives_its_launcher(tmp_path, how):
    """A launcher that exits without stopping its cluster stops it at exit (atexit); one that is killed
    (SIGKILL: nothing runs) leaves tasks that notice their parent is gone and exit (cluster_task.exit_with_parent)."""
    behaviour = {kind: "orphan" for kind in ("chief", "worker", "ps", "evaluator")} if how == "killed" else {}
    script = LAUNCHER.format(tests=str(REPO / "tests"), model_dir=str(tmp_path), behaviour=behaviour)
    result = subprocess.run([sys.executable, "-c", script, how], capture_output=True, text=True, timeout=60,
                            cwd=REPO)
    pids = json.loads(result.stdout.splitlines()[0])
    assert len(pids) == 4
    assert wait_for(lambda: not any(alive(p) for p in pids), timeout=10), [p for p in pids if alive(p)]


def test_task_reads_the_global_step_from_whole_log_lines_only(tmp_path):
    task = Task("chief", 0, tmp_path / "chief-0.log")
    task.read_log()  # no log yet
    assert task.step is None and task.state == "not started"
    with open(task.log_path, "w") as log:
        log.write("INFO:tensorflow:Saving checkpoints for 100 into model.ckpt.\nINFO:tensorflow:loss = 0.2, st")
    task.read_log()
    assert task.step == 100
    with open(task.log_path, "a") as log:
        log.write("ep = 125 (1.2 sec)\nINFO:tensorflow:Saving dict for global step 150: accuracy = 0.9\n")
    task.read_log()
    assert task.step == 150
    assert task.tail(1, grep="loss") == "INFO:tensorflow:loss = 0.2, step = 125 (1.2 sec)"


def test_every_port_of_the_spec_is_served_then_freed_and_a_stopped_cluster_starts_afresh(tmp_path):
    cluster = Cluster(tmp_path, num_workers=2, command=stand_ins(), live=False)
    with cluster:
        in_spec = [t for t in cluster.tasks if t.type != "evaluator"]
        assert wait_for(lambda: all("listening" in t.log() for t in in_spec)), cluster.status_table()
        assert len(cluster.ports) == 4 and all(is_listening(p) for p in cluster.ports)
        with pytest.raises(RuntimeError, match="running already"):
            cluster.start()
        with pytest.raises(KeyError, match="the tasks are ps:0, chief:0, worker:0, worker:1, evaluator:0"):
            cluster.task("master")
    assert_all_gone(cluster)
    first_pids = cluster.pids
    with cluster:  # a learner running the cell again
        assert set(cluster.pids).isdisjoint(first_pids)
        assert all(t.state in ("serving", "starting") for t in cluster.tasks)
    assert_all_gone(cluster)


def test_cluster_diagram_draws_each_process_with_its_address_and_schedule():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from helpers.diagrams import cluster_diagram

    spec = make_cluster_spec(num_workers=2)
    fig = cluster_diagram(spec, {"worker:1": "my_schedule"})
    try:
        texts = [t.get_text() for t in fig.findobj(Text)]
        titles = [t.get_text() for t in fig.findobj(Text) if t.get_fontweight() == "bold"]
        assert sorted(titles) == ["chief:0", "evaluator:0", "launcher", "model_dir", "ps:0", "worker:0", "worker:1"]
        text = "\n".join(texts)
        for address in [a for addresses in spec.values() for a in addresses]:
            assert address in text
        for schedule in ("train_and_evaluate", "schedule: train\n", "run_std_server", "continuous_eval",
                         "my_schedule"):  # learn_runner's defaults, unless the run said otherwise
            assert schedule in text, schedule
        assert "reads each new checkpoint" in text and "TF_CONFIG" in text
    finally:
        plt.close(fig)
