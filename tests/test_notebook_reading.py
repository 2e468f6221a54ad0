"""The notebooks are written for learners: no words meant for the people who maintain the series.

How the notebooks are tested, the series' own history and its issue numbers belong in CONTRIBUTING.md, docs/ or
commit messages. A learner who reads "nbval" or "a bug this series had" learns nothing about TensorFlow.
"""

from __future__ import annotations

import re
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
