"""Every notebook, run top to bottom in a fresh kernel under nbval (strict), reproduces its stored outputs; then
Run All again in the same kernel with the exercise solutions in place, and every exercise must say "correct!".

One kernel per notebook does three jobs at once (issue 9: each notebook used to run three times):

1. **nbval, strict.** The first pass is the stored notebook as a learner opens it - the answer cells blank or
   skeletons, their checks saying "not answered yet" - and every output must match the stored one (the flags in
   pyproject.toml's addopts: current env, sanitize file, cell timeout).
2. **Run All twice.** Learners re-run notebooks, so the second pass runs every cell again in the same kernel: it
   finds the first pass's variables in the kernel and its files on disk, and must not raise.
3. **The solutions pass the checks.** In the second pass each answer cell holds its solution (kept in the cell's
   metadata, shown to the learner behind "click to reveal"), and every exercise that the first pass checked must
   end "correct!" (``helpers.exercises.RESULTS``).

The test writes that two-pass notebook next to a copy of the series in a temporary folder (so ``../runs/`` is
temporary, and the repository's notebooks and runs are never touched), and runs nbval on it in a subprocess - one
session per notebook, so pytest-xdist can run notebooks on both workers. Notebook 04 restores the model 03 trained
in ``../runs``: the two share a copy and an xdist group, in that order.

``make test`` gives the second pass only to the notebooks that run in a quarter of a minute (00, 01, 04:
``RUN_ALL_TWICE_IN_MAKE_TEST``); the others - 02 and 03 train for most of a minute, 05 to 08 are the capstone and
the optional ones - run once, the solutions in their single pass, and only the answer and check cells are exempt
from the output comparison. A new notebook starts in that group: it keeps ``make test`` within its budget as the
series grows. ``RUN_ALL_TWICE=all`` (set by ``make notebooks`` and ``make notebook NB=03``, and run weekly by
.github/workflows/test.yml) gives every notebook both passes. To see
nbval's own per-cell report of the stored notebook, run it directly:
``.venv/bin/python -m pytest notebooks/03_experiment_and_tensorboard.ipynb``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

#: Notebook 09 runs in the second environment's kernel (TensorFlow 2.21): tests/test_tf221.py runs it there.
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("09_"))
EXERCISE = re.compile(r"(Exercise \d+\w*): (?:correct!|not answered yet|not yet)")
IGNORE_OUTPUT = "nbval-ignore-output"

#: Notebooks that restore what an earlier one trained in ../runs: they run after it, in the same copy.
NEEDS = {"04": "03"}

#: A second Run All costs a whole notebook run again: make test does it for these quick ones, `make notebooks` for all.
RUN_ALL_TWICE_IN_MAKE_TEST = {"00", "01", "04"}


def number(path: Path) -> str:
    return path.name[:2]


def group(path: Path) -> str:
    """The xdist group (and series copy) of a notebook: its own, or the one of the notebook it needs."""
    first = number(path)
    while first in NEEDS:
        first = NEEDS[first]
    return f"notebooks-{first}"


def answer_cells(nb) -> list:
    return [c for c in nb.cells if "exercise-answers" in c.metadata.get("tags", [])]


def stored_exercises(nb) -> set[str]:
    """The names of the exercises whose checks print in the stored outputs."""
    return {name for cell in nb.cells if cell.cell_type == "code" for name in EXERCISE.findall(_text(cell))}


def _text(cell) -> str:
    return "".join(o.get("text", "") or "".join(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)


def _code(source: str):
    """A cell the test adds: run, its output not compared."""
    return nbformat.v4.new_code_cell(source, metadata={"tags": [IGNORE_OUTPUT]})


def with_solutions(cells, tag_only_exercises: bool) -> list:
    """The cells again, each answer cell holding its solution, with no stored outputs to compare.

    ``tag_only_exercises``: keep the stored outputs of every cell but the answer cells and the check cells (the
    single pass of a notebook that runs once; the rest must still match)."""
    out = []
    for cell in cells:
        cell = nbformat.from_dict(cell)  # a deep copy, with an id of its own
        cell.id = f"{cell.get('id', 'cell')[:56]}-again"
        if cell.cell_type == "code":
            is_answer = "exercise-answers" in cell.metadata.get("tags", [])
            if is_answer:
                cell.source = cell.metadata["solution"]
            if not tag_only_exercises or is_answer or EXERCISE.search(_text(cell)):
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), IGNORE_OUTPUT]
                if not tag_only_exercises:
                    cell.outputs, cell.execution_count = [], None
        out.append(cell)
    return out


def two_pass_notebook(path: Path, twice: bool):
    """The notebook nbval runs: the stored pass, then (``twice``) Run All again with the solutions, then a cell
    that asserts every exercise checked is correct."""
    nb = nbformat.read(path, as_version=4)
    expected = sorted(stored_exercises(nb))
    reset = _code("import helpers.exercises\nhelpers.exercises.RESULTS.clear()  # [test] the solutions' pass")
    if twice:
        nb.cells = [*nb.cells, reset, *with_solutions(nb.cells, tag_only_exercises=False)]
    else:
        nb.cells = [reset, *with_solutions(nb.cells, tag_only_exercises=True)]
    if answer_cells(nb) or expected:
        nb.cells.append(_code(
            "# [test] every exercise checked in the stored notebook passes with the solutions in place\n"
            "from helpers.exercises import RESULTS\n"
            f"expected = {expected!r}\n"
            "wrong = {name: RESULTS.get(name, 'never checked') for name in expected\n"
            "         if RESULTS.get(name) != 'correct!'}\n"
            "assert expected and not wrong, f'with the solutions: {wrong or \"no exercise found\"}'"))
    return nb


class SeriesCopies:
    """One copy of notebooks/ per xdist group, each with its own ../runs, and which notebooks ran in it."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.folders: dict[str, Path] = {}
        self.ran: set[str] = set()

    def folder(self, path: Path) -> Path:
        name = group(path)
        if name not in self.folders:
            root = self.tmp_path_factory.mktemp(name)
            shutil.copytree(REPO / "notebooks", root / "notebooks",
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
            self.folders[name] = root / "notebooks"
        return self.folders[name]

    def run(self, path: Path) -> None:
        """nbval on the two-pass notebook, after the notebook it needs (run here first when it has not run yet:
        deselected, or xdist handed this worker the group's tests in another order). A notebook that already ran
        in this copy as another's dependency passed the same checks then, and is not run again."""
        if number(path) in self.ran:
            return
        needed = NEEDS.get(number(path))
        if needed and needed not in self.ran:
            self.run(next(p for p in NOTEBOOKS if number(p) == needed))
        twice = os.environ.get("RUN_ALL_TWICE") == "all" or number(path) in RUN_ALL_TWICE_IN_MAKE_TEST
        result = nbval(two_pass_notebook(path, twice), self.folder(path) / path.name)
        self.ran.add(number(path))
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        assert result.returncode == 0, (f"{path.name} ({'two passes' if twice else 'one pass'}; cell numbers count "
                                        f"the test's copy):\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}")
        assert " passed" in summary and "skipped" not in summary, result.stdout[-2000:]


def nbval(nb, target: Path) -> subprocess.CompletedProcess:
    """Write ``nb`` to ``target`` and run nbval on it with the repository's settings, in a subprocess."""
    nbformat.write(nb, target)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "--color=no", "-c", str(REPO / "pyproject.toml"),
                           "--rootdir", str(target.parent), str(target)],
                          cwd=REPO, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="session")
def series_copies(tmp_path_factory):
    return SeriesCopies(tmp_path_factory)


@pytest.mark.notebook
@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xdist_group(group(p))) for p in NOTEBOOKS],
                         ids=lambda p: p.name)
def test_notebook_nbval_run_all_twice_and_solutions(path, series_copies):
    series_copies.run(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solution_is_the_one_shown_to_the_learner(path):
    nb = nbformat.read(path, as_version=4)
    cells = answer_cells(nb)
    if not cells:
        pytest.skip("no answer cell")
    shown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and "<details>" in c.source)
    for cell in cells:
        assert cell.metadata["solution"] in shown, "the revealable solution differs from the one the tests run"


def test_the_two_pass_notebook_compares_the_stored_pass_and_checks_every_exercise():
    """The test's own construction: the stored pass keeps its outputs (compared); the solutions' pass replaces the
    answer cells and compares nothing; the final cell names every exercise of the stored outputs."""
    path = next(p for p in NOTEBOOKS if answer_cells(nbformat.read(p, as_version=4)))
    stored = nbformat.read(path, as_version=4)
    nb = two_pass_notebook(path, twice=True)
    n = len(stored.cells)
    assert [c.source for c in nb.cells[:n]] == [c.source for c in stored.cells]
    # the stored pass keeps every cell's tags as stored: the test marks none of them ignored
    assert [c.metadata.get("tags", []) for c in nb.cells[:n]] == [c.metadata.get("tags", []) for c in stored.cells]
    second = nb.cells[n + 1:-1]
    assert all(IGNORE_OUTPUT in c.metadata["tags"] and not c.outputs for c in second if c.cell_type == "code")
    assert [c.source for c in answer_cells(nbformat.from_dict({**nb, "cells": second}))] == \
        [c.metadata["solution"] for c in answer_cells(stored)]
    assert all(name in nb.cells[-1].source for name in stored_exercises(stored))

    once = two_pass_notebook(path, twice=False)
    compared = [c for c in once.cells if c.cell_type == "code" and IGNORE_OUTPUT not in c.metadata.get("tags", [])]
    stored_outputs = {c.source: c.outputs for c in stored.cells if c.cell_type == "code"}
    assert compared and all(c.outputs == stored_outputs[c.source] for c in compared)
    assert not any(EXERCISE.search(_text(c)) for c in compared), "a check cell's output would be compared"


def tiny_notebook(tmp_path, solution: str) -> Path:
    """A two-cell exercise, stored as a learner gets it: blank answer, check saying "not answered yet"."""
    from helpers.exercises import NOT_ANSWERED

    answer = nbformat.v4.new_code_cell("answer = None  # your answer", metadata={
        "tags": ["exercise-answers"], "solution": solution})
    check = nbformat.v4.new_code_cell(
        "from helpers.exercises import check_answer\ncheck_answer('Exercise 1', answer, 42)",
        execution_count=2, outputs=[nbformat.v4.new_output("stream", name="stdout",
                                                           text=f"Exercise 1: {NOT_ANSWERED}\n"),
                                    nbformat.v4.new_output("execute_result", {"text/plain": "False"},
                                                           execution_count=2)])
    answer.execution_count = 1
    (tmp_path / "run").mkdir()
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[answer, check], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), path)
    return path


@pytest.mark.notebook
@pytest.mark.parametrize("solution, twice, passes", [("answer = 42", True, True), ("answer = 41", True, False),
                                                     ("answer = 41", False, False)],
                         ids=["right, two passes", "wrong, two passes", "wrong, one pass"])
def test_a_wrong_solution_fails_the_notebook_test_and_a_right_one_passes(tmp_path, solution, twice, passes):
    result = nbval(two_pass_notebook(tiny_notebook(tmp_path, solution), twice), tmp_path / "run" / "tiny.ipynb")
    assert (result.returncode == 0) == passes, result.stdout[-3000:]
    if not passes:
        assert "with the solutions: {'Exercise 1': 'not yet'}" in result.stdout
