"""Every notebook's exercise solutions pass its own check cells.

The stored notebooks keep the learner's answer cell blank (checks say "not answered yet"). Here each notebook
runs once more with the solution - kept in the answer cell's metadata and shown to the learner behind
"click to reveal" - in place of the blanks, and every exercise must report "correct!".
"""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import REPO
from nbclient import NotebookClient

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def answer_cells(nb):
    return [c for c in nb.cells if "exercise-answers" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solution_is_the_one_shown_to_the_learner(path):
    nb = nbformat.read(path, as_version=4)
    cells = answer_cells(nb)
    if not cells:
        pytest.skip("no answer cell")
    for cell in cells:
        solution = cell.metadata["solution"]
        shown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and "<details>" in c.source)
        assert solution in shown, "the revealable solution differs from the one the tests run"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if answer_cells(nbformat.read(p, as_version=4))],
                         ids=lambda p: p.name)
def test_solutions_pass_the_checks(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    for cell in answer_cells(nb):
        cell.source = cell.metadata["solution"]
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    exercises = set(re.findall(r"(Exercise \d+): (?:correct!|not answered)", out))
    assert exercises, "no exercise check printed anything"
    assert "not answered" not in out
    for name in exercises:
        assert f"{name}: correct!" in out
