"""Print the `pip:` section of environment.yml as a pip requirements file.

The Makefile builds .venv from this, so environment.yml stays the one list of pins.
Stdlib only: it runs before anything is installed.
"""

import re
import sys


def pip_requirements(text: str) -> list[str]:
    """Return the entries of the `- pip:` list of a conda environment file, in order."""
    lines = text.splitlines()
    out, indent = [], None
    for line in lines:
        if indent is None:
            if re.match(r"^\s*-\s*pip\s*:\s*$", line):
                indent = -1  # the list starts on the next item line
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^(\s*)-\s+(.*?)\s*(#.*)?$", line)
        this_indent = len(line) - len(line.lstrip())
        if m is None or (indent >= 0 and this_indent != indent):
            break
        indent = this_indent
        out.append(m.group(2))
    if not out:
        raise SystemExit("environment.yml has no `- pip:` list: nothing to install")
    return out


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "environment.yml"
    with open(path, encoding="utf-8") as f:
        print("\n".join(pip_requirements(f.read())))
