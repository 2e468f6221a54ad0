"""The documents stay true for their readers: the README a newcomer reads first is short, its two commands exist and
it lists every notebook; every relative link in the documents resolves; the porting notes keep their list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

README = (REPO / "README.md").read_text()
DOCUMENTS = [REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "benchmarks" / "README.md",
             *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def headings(text: str) -> list[str]:
    """The markdown headings of a document, outside its fenced code blocks."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6} (.+)", line)):
            found.append(m.group(1).strip())
    return found


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_the_two_commands_come_first_and_exist():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    assert "make lab" in first_block and "make test" in first_block
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_the_readme_is_short():
    """A newcomer's page: what it is, the two commands, the series, where next. The rest lives in other documents."""
    assert len(README.splitlines()) < 150, "README.md has grown: move reference material to docs/ or CONTRIBUTING.md"


def test_every_notebook_is_listed():
    for nb in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"(notebooks/{nb.name})" in README, f"{nb.name} missing from the README's table"


def test_the_documents_exist():
    for doc in DOCUMENTS:
        assert doc.is_file(), f"{doc.relative_to(REPO)} is missing"
    assert {"porting.md", "troubleshooting.md"} <= {doc.name for doc in DOCUMENTS}


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(doc: Path):
    """Every relative link points at a file that exists; a link to a heading of a markdown file finds the heading."""
    text = doc.read_text()
    for link in LINK.findall(text):
        if re.match(r"[a-z]+:", link):  # https:, mailto:
            continue
        path, _, fragment = link.partition("#")
        target = (doc.parent / path).resolve() if path else doc
        assert target.exists(), f"{doc.relative_to(REPO)} links to missing {link}"
        if fragment and target.suffix == ".md":
            anchors = {anchor(h) for h in headings(target.read_text())}
            assert fragment in anchors, f"{doc.relative_to(REPO)} links to {link}: no such heading there"


def test_the_readme_sections_named_elsewhere_exist():
    """Messages and guides that send a reader to a README section by name ("README: 'Python 3.11 - why, ...'")."""
    titles = {re.sub(r"\s*[—-]\s*", " - ", h) for h in headings(README)}
    named = re.findall(r"README: '([^']+)'", (REPO / "helpers" / "doctor.py").read_text())
    named += re.findall(r"README(?:'s)?,? \"([^\"]+)\"", (REPO / "WORKSHOP.md").read_text())
    assert named, "no README section named in helpers/doctor.py or WORKSHOP.md: update this test"
    for name in named:
        assert re.sub(r"\s*[—-]\s*", " - ", name) in titles, f"the README has no section {name!r}"


def test_the_porting_differences_are_listed_in_docs_porting_and_linked_from_notebook_03():
    """Porting users find the list of what the re-created TF 1.x APIs keep and do differently in one place,
    docs/porting.md; notebook 03, where a learner meets Experiment and learn_runner, links to it."""
    import nbformat

    porting = (REPO / "docs" / "porting.md").read_text()
    start = porting.index("\n## What the re-creation keeps, and where it differs on purpose")
    end = porting.find("\n## ", start + 1)
    section = porting[start:end if end != -1 else None]
    assert "- Kept on purpose, because TF 1.x did it:" in section
    assert "- Deliberately different from TF 1.x" in section
    bullets = re.findall(r"^\s*- ", section, re.M)
    assert len(bullets) >= 10, f"docs/porting.md lists {len(bullets)} differences, expected at least 10"

    nb = nbformat.read(REPO / "notebooks" / "03_experiment_and_tensorboard.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "](../docs/porting.md" in text, "notebook 03 does not link to ../docs/porting.md"
