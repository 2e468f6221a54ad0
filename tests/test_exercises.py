"""Every notebook's exercise solutions pass its own check cells - and still do when Run All is used twice.

The stored notebooks keep the learner's answer cells as they start (``None``, or a skeleton with ``# TODO``s that
raises ``NotImplementedError``); their checks say "not answered yet". Here each notebook runs with the solution -
kept in the answer cell's metadata and shown to the learner behind "click to reveal" - in place of the blanks,
and every exercise must report "correct!".

Learners re-run notebooks, so each one runs **twice in the same kernel** (Run All, then Run All again): the
second pass finds the first one's variables in the kernel and its files on disk, and every check cell must pass
again. The notebooks run from a copy of ``notebooks/`` in a temporary folder, so their ``../runs/`` model
directories are the copy's and a parallel nbval run of the same notebook is not disturbed.
"""

from __future__ import annotations

import os
import re
import shutil

import nbformat
import pytest
from conftest import REPO
from nbclient import NotebookClient

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISE = re.compile(r"(Exercise \d+\w*): (correct!|not answered yet|not yet)")


def answer_cells(nb):
    return [c for c in nb.cells if "exercise-answers" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solution_is_the_one_shown_to_the_learner(path):
    nb = nbformat.read(path, as_version=4)
    cells = answer_cells(nb)
    if not cells:
        pytest.skip("no answer cell")
    shown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and "<details>" in c.source)
    for cell in cells:
        assert cell.metadata["solution"] in shown, "the revealable solution differs from the one the tests run"


@pytest.fixture(scope="session")
def notebook_copy(tmp_path_factory):
    """A copy of notebooks/ whose ../runs is a temporary folder (shared by the notebooks, as in the repo)."""
    root = tmp_path_factory.mktemp("series")
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
    return root / "notebooks"


#: The second Run All costs a whole notebook run again. make test does it for every notebook but 03, whose run
#: alone takes most of a minute (its re-run safety - TensorBoard, TF_CONFIG, model dirs - was checked when it was
#: last changed; `make notebooks` and `make notebook NB=03` set RUN_ALL_TWICE=all and check it again).
RUN_ALL_ONCE_IN_MAKE_TEST = {"03_experiment_and_tensorboard.ipynb"}


def run_all(nb, folder, times):
    """Execute every cell of ``nb``, ``times`` times over in one kernel; return each pass's text output."""
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    passes = []
    with client.setup_kernel():
        for _ in range(times):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    cell.outputs = []
                    client.execute_cell(cell, index)  # raises CellExecutionError if a cell fails
            passes.append("".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs))
    return passes


@pytest.mark.notebook
@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if answer_cells(nbformat.read(p, as_version=4))],
                         ids=lambda p: p.name)
def test_solutions_pass_the_checks_with_run_all_twice(path, notebook_copy):
    nb = nbformat.read(path, as_version=4)
    for cell in answer_cells(nb):
        cell.source = cell.metadata["solution"]
    twice = os.environ.get("RUN_ALL_TWICE") == "all" or path.name not in RUN_ALL_ONCE_IN_MAKE_TEST
    for number, out in enumerate(run_all(nb, notebook_copy, 2 if twice else 1), start=1):
        results = dict(EXERCISE.findall(out))
        assert results, f"run {number}: no exercise check printed anything"
        wrong = {name: result for name, result in results.items() if result != "correct!"}
        assert not wrong, f"run {number} of Run All: {wrong}\n{out[-3000:]}"
