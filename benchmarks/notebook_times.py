"""How long each notebook takes to run, and how long its exercises take with the solutions filled in.

    .venv/bin/python benchmarks/notebook_times.py [--notebooks 00 03 05]

The figures behind WORKSHOP.md's agenda. Each notebook runs once, top to bottom, in a fresh kernel, from a copy of
notebooks/ in a temporary folder (so ../runs/ starts empty, as on a learner's fresh laptop; the notebooks run in
order, as 04 restores the model 03 trained). Each answer cell holds its solution (kept in the cell's metadata, shown
to the learner behind "click to reveal"), so the run is what a learner who has done every exercise sees. Cells are
timed one by one: the total, and the core path - every cell before the notebook's "## Going deeper" heading (the whole
notebook when it has none), which is what a workshop block runs; what follows is for later reading.

This is machine time only. The time a group needs to read, write and discuss is longer; WORKSHOP.md adds it as an
estimate, and says so. Compare the load average printed beside the figures with the number of cores: on a busy
machine every figure is larger.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
GOING_DEEPER = "## Going deeper"  # where a notebook's core path ends (tools/core_path.py)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cores"


def with_solutions(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "exercise-answers" in cell.metadata.get("tags", []):
            cell.source = cell.metadata["solution"]
    return nb


def time_notebook(path: Path, folder: Path) -> dict:
    """Run ``path`` (solutions in) in a fresh kernel in ``folder``; seconds in all and on the core path."""
    nb = with_solutions(path)
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    total = core = 0.0
    on_core_path = True
    start = time.perf_counter()
    with client.setup_kernel():
        startup = time.perf_counter() - start
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown" and cell.source.lstrip().startswith(GOING_DEEPER):
                on_core_path = False
            if cell.cell_type != "code":
                continue
            began = time.perf_counter()
            client.execute_cell(cell, index)  # raises CellExecutionError if a cell fails
            seconds = time.perf_counter() - began
            total += seconds
            core += seconds if on_core_path else 0.0
    return dict(name=path.name, total=total + startup, core=core + startup)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notebooks", nargs="*", default=None, help="numbers to run (default: all, in order)")
    args = ap.parse_args(argv)
    notebooks = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.notebooks:
        notebooks = [p for p in notebooks if p.name[:2] in args.notebooks]
    print(f"{sys.executable}; {load()} before")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notebooks"
        shutil.copytree(REPO / "notebooks", folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
        for path in notebooks:
            row = time_notebook(path, folder)
            rows.append(row)
            print(f"{row['name']:<40} {row['total']:6.1f} s in all, core path {row['core']:5.1f} s"
                  f"  [{load()}]", flush=True)
    print(f"{'all':<40} {sum(r['total'] for r in rows):6.1f} s in all, core paths "
          f"{sum(r['core'] for r in rows):5.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
