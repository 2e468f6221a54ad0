"""The stored notebooks follow the series' skeleton and are ready for readers and for nbval
(in the spirit of tensorflow/docs' `nbfmt --test`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IGNORED = "nbval-ignore-output"  # a cell tag, so a learner never sees test machinery in the code
LINT = REPO.parent / "shared" / "tools" / "notebook_lint.py"


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_topic.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_skeleton(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.match(r"# \d\d · ", first.source), "first cell: '# NN · Title'"
    # notebook 09 runs in the second environment's kernel (environment-tf221.yml, `make setup-tf221`)
    kernel = "tf221-keras3" if path.name.startswith("09_") else "python3"
    assert nb.metadata.get("kernelspec", {}).get("name") == kernel
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("## ")]
    for needed in ("## Setup", "## Summary", "## Exercises"):
        assert needed in headings, f"{path.name}: missing {needed}"
    assert headings.index("## Setup") < headings.index("## Summary") < headings.index("## Exercises")
    assert not [i for i, c in enumerate(nb.cells) if not c.source.strip()], "empty cells"
    assert "<details>" in "".join(c.source for c in nb.cells if c.cell_type == "markdown"), "no revealable solution"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any("assert" in c.source for c in code), "no check cell"
    # every ignored output is followed, somewhere later, by a check cell that asserts
    for i, c in enumerate(code):
        if IGNORED in c.metadata.get("tags", []):
            assert any("assert" in later.source for later in code[i:]), f"cell {i}: ignored output never checked"
    assert not [c for c in code if "NBVAL_" in c.source], "mark varying output with the cell tag, not a comment"
    # the setup call comes before any TensorFlow import, so the C++ logs are quiet
    src = "\n".join(c.source for c in code)
    if "tensorflow" in src:
        assert src.index("setup(") < src.index("tensorflow") if "import tensorflow" in src else "setup(" in src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stored_clean(path: Path):
    nb = nbformat.read(path, as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert None not in counts and counts == sorted(counts), "re-run top to bottom: make execute"
    for c in nb.cells:
        for out in c.get("outputs", []):
            assert out.output_type != "error", f"stored error output: {out.get('ename')}"
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"(/root/|/home/\w+/|/work/|/tmp/[\w.-]+/)", text), f"machine path in: {text[:200]}"
            if out.get("name") == "stderr":
                assert "WARNING" not in text and "deprecat" not in text.lower(), f"stderr noise: {text[:200]}"


def test_navigation_and_tidiness_are_current():
    """`make nav` leaves nothing to change: prev/next links match the notebooks on disk."""
    result = subprocess.run([sys.executable, str(REPO / "tools" / "nbtidy.py"), "--check", *map(str, NOTEBOOKS)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    names = [p.name for p in NOTEBOOKS]
    for i, path in enumerate(NOTEBOOKS):
        nb = nbformat.read(path, as_version=4)
        nav = [c.source for c in nb.cells if c.source.startswith("<!-- NAVIGATION -->")]
        assert len(nav) == 2 and nb.cells[1].source == nb.cells[-1].source == nav[0]
        if i + 1 < len(names):
            assert f"]({names[i + 1]}) >" in nav[0]
        if i > 0:
            assert "< [" in nav[0] and f"]({names[i - 1]})" in nav[0]


def test_nbtidy_inserts_navigation_and_is_idempotent(tmp_path):
    for name, title in (("01_a.ipynb", "01 · A"), ("02_b.ipynb", "02 · B")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}"),
                                             nbformat.v4.new_code_cell("1")])
        nbformat.write(nb, tmp_path / name)
    paths = [str(p) for p in sorted(tmp_path.glob("*.ipynb"))]
    tidy = [sys.executable, str(REPO / "tools" / "nbtidy.py")]
    assert subprocess.run([*tidy, "--check", *paths]).returncode == 1
    subprocess.run([*tidy, "--nav", *paths], check=True)
    assert subprocess.run([*tidy, "--check", *paths]).returncode == 0
    nb = nbformat.read(paths[0], as_version=4)
    assert "[02 · B](02_b.ipynb) >" in nb.cells[1].source and nb.cells[-1].source == nb.cells[1].source
    assert len(nb.cells) == 4


def test_shared_notebook_lint_is_clean():
    if not LINT.is_file():
        pytest.skip(f"{LINT} not present")
    result = subprocess.run([sys.executable, str(LINT), str(REPO / "notebooks")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
