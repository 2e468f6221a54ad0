"""The notebooks are written for learners: no words meant for the people who maintain the series.

How the notebooks are tested, the series' own history and its issue numbers belong in CONTRIBUTING.md, docs/ or
commit messages. A learner who reads "nbval" or "a bug this series had" learns nothing about TensorFlow.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: Words for maintainers, each with why a learner's page must not carry it.
MAINTAINER_WORDS = {
    r"nbval": "the notebook test runner",
    r"pytest": "the test runner",
    r"\btests?/\w": "a path into the test suite",
    r"test[- ]suite": "the test suite",
    r"\bmake (?:test|unit|execute|notebooks?)\b": "a maintainer's make target",
    r"\bCI\b": "continuous integration",
    r"\bissue #?\d+": "an issue number of the series",
    r"(?:this|the) series (?:had|used to|switched|once)|before the series|a bug (?:this|the) series":
        "the series' own history",
    r"\[test\]": "a test's marker",
}
PATTERN = re.compile("|".join(f"(?:{p})" for p in MAINTAINER_WORDS), re.I)


def learner_text(cell) -> str:
    """What a learner reads of a cell: its source, and for code its stored outputs."""
    text = cell.source
    for out in cell.get("outputs", []):
        text += "\n" + out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
        text += str(out.get("data", {}).get("text/markdown", "")) + str(out.get("data", {}).get("text/html", ""))
    return text


def maintainer_words(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for line in learner_text(cell).splitlines():
            m = PATTERN.search(line)
            if m:
                found.append(f"cell {i}: {m.group(0)!r} in: {line.strip()[:120]}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_maintainer_words_in_a_learners_notebook(path: Path):
    found = maintainer_words(nbformat.read(path, as_version=4))
    assert not found, f"{path.name} speaks to maintainers (move it to CONTRIBUTING.md or docs/):\n" + "\n".join(found)


@pytest.mark.parametrize("text, flagged", [
    ("Run it under nbval to check it.", True),
    ("`tests/test_model.py` compares the two", True),
    ("a bug this series had, and TF 1.x did not", True),
    ("see issue 12", True),
    ("CI runs this", True),
    ("Keras 3 is the way to go; `tf.estimator` is gone from 2.16.", False),
    ("the test images, the latest checkpoint", False),
])
def test_the_word_list_catches_maintainer_words_only(text, flagged):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    assert bool(maintainer_words(nb)) == flagged


# --- The core path: what fits a workshop block ------------------------------------------------------------------

sys.path.insert(0, str(REPO / "tools"))
from core_path import core_path  # noqa: E402

CORE = [p for p in NOTEBOOKS if p.name[:2] in {"00", "01", "02", "03", "04", "05"}]
#: The most a core path may hold: a block's reading and writing, measured in WORKSHOP.md. Raising a cap means
#: re-measuring the block.
MAX_CELLS = {"00": 30, "01": 32, "02": 32, "03": 32, "04": 32, "05": 56}
#: The capstone is every step of the workflow, each an exercise; the others keep one must-do and at most one more.
MAX_EXERCISES = {"00": 2, "01": 2, "02": 2, "03": 2, "04": 2, "05": 9}
WORKSHOP = (REPO / "WORKSHOP.md").read_text()


def workshop_row(number: str) -> list[str]:
    """The row of WORKSHOP.md's core-path table for notebook ``number``: its cells, split on '|'."""
    rows = [line for line in WORKSHOP.splitlines() if line.startswith(f"| [{number}](notebooks/")]
    assert len(rows) == 1, f"WORKSHOP.md's core-path table has {len(rows)} rows for notebook {number}"
    return [c.strip() for c in rows[0].strip("|").split("|")]


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_path_is_named_and_fits_its_block(path: Path):
    c = core_path(path)
    number = path.name[:2]
    assert c.must_do, f"{path.name}: the title cell names no core path ('**Core path:** about N minutes · must-do ...')"
    if number != "00":
        assert c.must_do in c.exercises, f"{path.name}: the must-do {c.must_do} is not checked on the core path"
    assert c.cells <= MAX_CELLS[number], f"{path.name}: {c.cells} cells on the core path (at most {MAX_CELLS[number]})"
    assert len(c.exercises) <= MAX_EXERCISES[number], f"{path.name}: {c.exercises} on the core path"
    if number in {"01", "02", "03"}:
        assert c.going_deeper, f"{path.name}: no '## Going deeper' section for the deep dives"


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_workshop_md_carries_the_core_path_as_it_is(path: Path):
    """The counts in WORKSHOP.md are the notebook's: a core path cannot grow without the agenda noticing."""
    c = core_path(path)
    _, minutes, cells, exercises, must_do, *_ = workshop_row(path.name[:2])
    assert (int(minutes), int(cells), int(exercises)) == (c.minutes, c.cells, len(c.exercises)), \
        f"WORKSHOP.md says {minutes} min, {cells} cells, {exercises} exercises; the notebook: {c}"
    assert c.must_do in must_do
