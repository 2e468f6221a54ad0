"""The README a newcomer reads first stays true: its two commands exist, its links resolve, it lists every notebook."""

from __future__ import annotations

import re

from conftest import REPO

README = (REPO / "README.md").read_text()


def test_the_two_commands_come_first_and_exist():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    assert "make lab" in first_block and "make test" in first_block
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_relative_links_resolve():
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", README):
        assert (REPO / target).exists(), f"README links to missing {target}"


def test_every_notebook_is_listed():
    for nb in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"(notebooks/{nb.name})" in README, f"{nb.name} missing from the README's table"


def test_deliberate_differences_are_listed_in_notebook_03_too():
    """Porting users read either; the list of what the re-created TF 1.x APIs do differently must be the same."""
    import nbformat

    items = README[README.index("- Kept on purpose, because TF 1.x did it:"):README.index("\n## The complete example")]
    nb = nbformat.read(REPO / "notebooks" / "03_experiment_and_tensorboard.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    bullets = [b.strip() for b in re.split(r"\n\s*- ", "\n" + items) if b.strip()]
    assert len(bullets) >= 10
    for bullet in bullets:
        assert bullet in text, f"notebook 03 lacks: {bullet[:80]}..."
