"""The core path of each notebook: what a learner runs and writes in its workshop block.

    python tools/core_path.py [notebooks/*.ipynb]

A notebook's core path is every cell before its ``## Going deeper`` heading (the whole notebook when it has
none), navigation cells left out. Its exercises are those whose check prints ``Exercise N: …`` in the stored
outputs of a core-path cell. The title cell names the must-do exercise:
``**Core path:** about 30 minutes · must-do exercise: **Exercise 1** (…)``.

Prints one Markdown table row per notebook (minutes, cells, exercises, must-do exercise, words to read): the figures
that WORKSHOP.md's core-path table carries and tests/test_notebook_reading.py holds.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

GOING_DEEPER = "## Going deeper"
NAV_MARK = "<!-- NAVIGATION -->"
EXERCISE = re.compile(r"(Exercise \d+\w*): (?:correct!|not answered yet|not yet)")
READING_WPM = 150
#: Not read as words: a hidden solution (read only by who opens it), a link's address, a table's rule.
HIDDEN = re.compile(r"<details>.*?</details>|\]\([^)]*\)|^\|[-|: ]+\|$", re.S | re.M)
CORE_LINE = re.compile(r"\*\*Core path:\*\* about (\d+) minutes · must-do exercise: \*\*(Exercise \d+\w*)\*\*")


@dataclass
class CorePath:
    name: str
    cells: int  # cells on the core path (navigation cells left out)
    exercises: list[str]  # the exercises checked on it, in order
    must_do: str | None  # named in the title cell
    minutes: int | None  # the block's minutes, named in the title cell
    going_deeper: bool  # has a "## Going deeper" section
    words: int  # words to read on it: the markdown, the code and the code shown by show_source (no hidden solutions)

    @property
    def reading_minutes(self) -> float:
        """Minutes to read the core path once at 150 words a minute, a careful pace for technical text with code."""
        return self.words / READING_WPM


def _outputs_text(cell) -> str:
    return "".join(o.get("text", "") or "".join(o.get("data", {}).get("text/plain", ""))
                   for o in cell.get("outputs", []))


def _words(cell) -> int:
    """Words a learner reads in a cell: its source, and the code that ``show_source`` prints as its output."""
    words = len(HIDDEN.sub("", cell.source).split())
    if cell.cell_type == "code" and "show_source(" in cell.source:
        words += sum(len("".join(o.get("data", {}).get("text/markdown", "")).split()) for o in cell.outputs)
    return words


def core_path(path: Path) -> CorePath:
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if not c.source.startswith(NAV_MARK)]
    end = next((i for i, c in enumerate(cells)
                if c.cell_type == "markdown" and c.source.lstrip().startswith(GOING_DEEPER)), len(cells))
    core = cells[:end]
    exercises: list[str] = []
    for cell in core:
        if cell.cell_type == "code":
            exercises += [e for e in EXERCISE.findall(_outputs_text(cell)) if e not in exercises]
    m = CORE_LINE.search(cells[0].source) if cells else None
    return CorePath(name=path.name, cells=len(core), exercises=exercises, must_do=m and m.group(2),
                    minutes=m and int(m.group(1)), going_deeper=end < len(cells),
                    words=sum(_words(c) for c in core))


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted(Path(__file__).resolve().parent.parent.glob("notebooks/0[0-5]_*.ipynb"))
    print("| notebook | minutes | core-path cells | exercises on it | must-do | words (reading minutes) |")
    print("|---|---|---|---|---|---|")
    for path in paths:
        c = core_path(path)
        print(f"| {c.name[:2]} | {c.minutes} | {c.cells} | {len(c.exercises)} | {c.must_do} "
              f"| {c.words} ({c.reading_minutes:.0f}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
