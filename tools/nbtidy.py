"""Keep the stored notebooks tidy and their navigation current.

    python tools/nbtidy.py [--nav] [--check] notebooks/*.ipynb

- always: drop what varies from run to run and says nothing (per-cell execution timestamps, widget
  state, kernel version noise), keep a minimal notebook metadata (kernelspec python3), write the JSON
  the way nbformat does (sorted keys, one-space indent) so diffs show only real changes;
- --nav: write the navigation line `< previous | Contents | next >` as the second cell and the last
  cell of every numbered notebook (updating the marked cells, or inserting them);
- --check: change nothing; exit 1 and name each notebook that would change (used by the tests).
Re-running it is safe: a second run changes nothing.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

NAV_MARK = "<!-- NAVIGATION -->"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Notebook 09's kernel: the second environment (environment-tf221.yml, `make setup-tf221`); kept when named
KERNELSPEC_TF221 = {"display_name": "Python 3.12 · TensorFlow 2.21 · Keras 3", "language": "python",
                    "name": "tf221-keras3"}
CONTENTS = "00_start_here.ipynb"


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return "untitled"


def nav_source(prev: tuple[str, str] | None, nxt: tuple[str, str] | None) -> str:
    parts = [f"< [{prev[1]}]({prev[0]})" if prev else "<", f"[Contents]({CONTENTS})",
             f"[{nxt[1]}]({nxt[0]}) >" if nxt else ">"]
    return f"{NAV_MARK}\n" + " | ".join(parts)


def is_nav(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.startswith(NAV_MARK)


def tidy(nb) -> None:
    widgets = nb.metadata.get("widgets")  # saved widget state lets JupyterLab redraw the progress bars
    tf221 = nb.metadata.get("kernelspec", {}).get("name") == KERNELSPEC_TF221["name"]
    nb.metadata = {"kernelspec": dict(KERNELSPEC_TF221 if tf221 else KERNELSPEC), "language_info": {"name": "python"}}
    if widgets:
        nb.metadata["widgets"] = widgets
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type == "code":
            for out in cell.outputs:
                out.get("metadata", {}).pop("transient", None)


def set_nav(nb, source: str) -> None:
    cells = [c for c in nb.cells if not is_nav(c)]
    top = nbformat.v4.new_markdown_cell(source, id="nav-top")
    bottom = nbformat.v4.new_markdown_cell(source, id="nav-bottom")
    nb.cells = cells[:1] + [top] + cells[1:] + [bottom]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--nav", action="store_true", help="write the navigation cells")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook would change")
    args = ap.parse_args(argv)
    paths = sorted(args.notebooks, key=lambda p: p.name)
    books = {p: nbformat.read(p, as_version=4) for p in paths}
    titles = [(p.name, title_of(books[p])) for p in paths]
    stale = []
    for i, p in enumerate(paths):
        nb = books[p]
        before = copy.deepcopy(nb)
        tidy(nb)
        if args.nav or args.check:
            set_nav(nb, nav_source(titles[i - 1] if i > 0 else None, titles[i + 1] if i + 1 < len(paths) else None))
        if nbformat.writes(nb) != nbformat.writes(before) or p.read_text() != nbformat.writes(before) + "\n":
            stale.append(p)
            if not args.check:
                nbformat.write(nb, p)
    if args.check and stale:
        for p in stale:
            print(f"{p}: not tidy or navigation out of date - run `make nav`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
