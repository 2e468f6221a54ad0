"""Shared fixtures: small IDX files the tests write themselves, and an isolated Keras cache."""

from __future__ import annotations

import gzip
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from helpers.data import IDX_FILES

REPO = Path(__file__).resolve().parent.parent


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """Serialise a uint8 array as an IDX file (magic 0x0801 for 1-D labels, 0x0803 for 3-D images)."""
    array = np.asarray(array, dtype=np.uint8)
    magic = magic if magic is not None else 0x0800 | array.ndim
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_idx(path: Path, array: np.ndarray, magic: int | None = None) -> Path:
    data = idx_bytes(array, magic)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def make_idx_dir(root: Path, n_train: int = 30, n_test: int = 10, gz: bool = True, seed: int = 0) -> Path:
    """Write the four IDX files of a tiny MNIST-format data set and return the folder."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    for split, n in (("train", n_train), ("test", n_test)):
        write_idx(root / (IDX_FILES[f"{split}_images"] + suffix), rng.integers(0, 256, (n, 28, 28)))
        write_idx(root / (IDX_FILES[f"{split}_labels"] + suffix), np.arange(n) % 10)
    return root


@pytest.fixture(scope="module")
def tiny_mnist():
    """512 training and 100 test images of the bundled sample: a few training steps take a second."""
    from helpers.data import Mnist, load_mnist

    full = load_mnist("sample", verbose=False)
    rng = np.random.default_rng(0)
    train, test = rng.permutation(len(full.train_images))[:512], rng.permutation(len(full.test_images))[:100]
    return Mnist(full.train_images[train], full.train_labels[train], full.test_images[test], full.test_labels[test],
                 source="sample", description="a random part of the bundled sample")


@pytest.fixture(autouse=True)
def isolated_keras_cache(tmp_path, monkeypatch):
    """Point Keras' cache at an empty folder, so a real ~/.keras never changes what 'auto' picks."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv("MNIST_MIRROR", raising=False)
    return home


def shares_a_fixture_of_its_file(item) -> bool:
    """Does the test use a module-scoped fixture of its own file - a trained model_dir, a CLI run?

    Under ``--dist loadgroup`` xdist hands out ungrouped tests one by one, so both workers would build such a
    fixture (the CLI's 120-step run took 10-12 s on each). One group per file builds it once."""
    module = item.nodeid.split("::")[0]
    fixtures = getattr(item, "_fixtureinfo", None)
    return fixtures is not None and any(
        defs and defs[-1].scope != "function" and defs[-1].baseid == module
        for defs in fixtures.name2fixturedefs.values())


def _hand_out_order(item) -> int:
    """Notebooks (each in its group) first, then the files grouped for a shared fixture, then the single tests."""
    if item.get_closest_marker("notebook"):
        return 0
    return 1 if item.get_closest_marker("xdist_group") else 2


@pytest.hookimpl(wrapper=True)  # around pytest-xdist's own hook: before it reads the groups, and after
def pytest_collection_modifyitems(config, items):
    """Keep whole-notebook runs apart and in order when the suite runs on two workers (`make test` uses
    pytest-xdist's ``--dist loadgroup``): tests that run notebooks or train in a kernel go to one worker per file,
    unless they name their own group (tests/test_notebooks.py: one group per notebook, 03 and 04 together and in
    that order - 04 restores the model 03 trained). The groups go first; the unit tests fill in around them.

    Afterwards, on a worker, every grouped test must carry its group in its node id: that is how xdist hands a group
    to one worker. With pytest 9.2 it silently does not (pytest-xdist#1386) - notebook 04 then went to the other
    worker, which trained notebook 03's model a second time. The suite still passes, only slower: say so."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("notebook"):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
        elif shares_a_fixture_of_its_file(item):
            item.add_marker(pytest.mark.xdist_group(f"{item.path.stem}-shared"))
    if getattr(config.option, "loadgroup", False):
        # Hand out the notebooks first, then the files that share a fixture, the single unit tests last, so that
        # they fill in at the end: xdist gives work out in this order (with --no-loadscope-reorder, which the
        # Makefile passes; otherwise it sorts the groups by their number of tests). In file order notebooks 05-08
        # came after ~350 unit tests - notebook 06 started when the other worker had nothing left to do.
        items.sort(key=_hand_out_order)  # stable: the order within
    result = yield
    if getattr(config.option, "loadgroup", False):
        lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
        if lost:
            warnings.warn(pytest.PytestWarning(
                f"pytest-xdist's --dist loadgroup lost the group of {len(lost)} tests (e.g. {lost[0]}): pytest "
                f"{pytest.__version__} with this pytest-xdist does not group tests (pytest-xdist#1386), so grouped "
                "notebooks run apart and repeat work. Install environment.yml's pins: make setup-dev"), stacklevel=1)
    return result


def pytest_sessionfinish(session, exitstatus):
    """TensorBoards started by notebooks or tests outlive their kernels; when the whole session ends, stop the ones
    whose logdir is in this session's temporary folder (the tests run every notebook from a copy there), so they do
    not keep re-reading event files. Boards of other sessions - a learner's `make lab`, another pytest run - are
    left alone. Under pytest-xdist only the controller does it, after every worker is done (a worker that finished
    early would otherwise stop a board another worker's notebook is still checking); the workers' temporary
    folders are inside the controller's."""
    if hasattr(session.config, "workerinput"):
        return
    from helpers.tensorboard import stop_tensorboard

    stop_tensorboard(under=session.config._tmp_path_factory.getbasetemp())
