"""Print the `pip:` section of environment.yml as a pip requirements file: the learner's environment.

With --dev, the developer's extras too (the test and lint tools): the commented list after the line
`# dev-extras:` at the end of environment.yml, which conda and Binder (YAML readers) skip.
The Makefile builds .venv from this (`make lab` the learner's set, `make test` both), so environment.yml stays
the one list of pins. Stdlib only: it runs before anything is installed.
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


def dev_extras(text: str) -> list[str]:
    """Return the developer's extras: the commented ``#   - name==version`` lines after ``# dev-extras:``."""
    out, inside = [], False
    for line in text.splitlines():
        if not inside:
            inside = re.match(r"^#\s*dev-extras\s*:", line) is not None
            continue
        m = re.match(r"^#\s+-\s+(\S+)\s*(#.*)?$", line)
        if m is None:
            if out or not line.startswith("#"):
                break
            continue  # comment lines between the marker and the first entry
        out.append(m.group(1))
    if inside and not out:
        raise SystemExit("environment.yml's dev-extras section lists nothing")
    return out


def main(argv: list[str]) -> None:
    dev = "--dev" in argv
    args = [a for a in argv if a != "--dev"]
    path = args[0] if args else "environment.yml"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    print("\n".join(pip_requirements(text) + (dev_extras(text) if dev else [])))


if __name__ == "__main__":
    main(sys.argv[1:])
