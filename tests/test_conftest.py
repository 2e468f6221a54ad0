"""The suite's own set-up in tests/conftest.py: on two or more workers the cores are shared out among TensorFlow's
intra-op thread pools."""

from __future__ import annotations

import os
from types import SimpleNamespace

import conftest
import pytest


@pytest.mark.parametrize("cores, workers, preset, expected", [
    (2, 2, None, "1"),   # make test on this machine: two workers, two cores
    (8, 2, None, "4"),   # a contributor's 8-core laptop
    (3, 2, None, "1"),
    (2, 3, None, "1"),   # never 0, which would mean one per core
    (2, None, None, None),  # serial (make unit, XDIST=): TensorFlow's default, one thread per core
    (2, 1, None, None),
    (2, 2, "0", "0"),    # set by the caller (benchmarks/test_suite.py --threads): kept
])
def test_workers_share_the_cores_among_tensorflows_intra_op_threads(monkeypatch, cores, workers, preset, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    if preset is None:
        monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    else:
        monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", preset)
    conftest.pytest_configure(SimpleNamespace(option=SimpleNamespace(numprocesses=workers)))
    assert os.environ.get("TF_NUM_INTRAOP_THREADS") == expected


def test_a_worker_leaves_the_environment_to_the_controller(monkeypatch):
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    conftest.pytest_configure(SimpleNamespace(option=SimpleNamespace(numprocesses=2), workerinput={}))
    assert "TF_NUM_INTRAOP_THREADS" not in os.environ

