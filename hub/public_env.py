"""The series' environment as the learners' system users can run it; prints the environment's folder.

A learner's server, kernel and TensorBoard run as that learner, not as root, so the environment's Python must be
reachable by every user. `.venv` often is not: built by root from a pyenv or uv Python under /root (mode 700), its
bin/python is a link into a folder no learner may enter ("Permission denied" when the hub starts their server).

- If `.venv`'s interpreter is reachable by others (every folder on its path lets them through), that is the answer:
  the hub uses `.venv` itself.
- Otherwise this builds `hub/env`: a venv of a world-readable Python of the same minor version (Debian's
  /usr/bin/python3.11, or HUB_PYTHON), without packages of its own - a .pth file adds `.venv`'s site-packages
  (the same pins, not installed twice; same Python 3.11 ABI) - and `.venv`'s scripts (jupyterhub-singleuser,
  tensorboard, jupyter ...) copied with their first line pointing at hub/env's python; its share/jupyter and
  etc/jupyter (JupyterLab's assets, kernel specs, server extensions) are links to .venv's. A second run reuses it.

    .venv/bin/python -m hub.public_env          # what `make hub` runs
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / ".venv"
TARGET = REPO / "hub" / "env"


def reachable_by_others(path: Path) -> bool:
    """Every folder on the way lets "others" through (x), and the file itself is readable and executable (a folder
    itself: listable and enterable)."""
    path = path.resolve()
    for folder in path.parents:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    mode = path.stat().st_mode
    return bool(mode & stat.S_IROTH and mode & stat.S_IXOTH)


def public_python(version: str) -> str:
    candidates = [os.environ.get("HUB_PYTHON"), f"/usr/bin/python{version}", f"/usr/local/bin/python{version}",
                  shutil.which(f"python{version}")]
    for candidate in filter(None, candidates):
        if Path(candidate).is_file() and reachable_by_others(Path(candidate)):
            return candidate
    raise SystemExit(f"no Python {version} that every user may run (tried {', '.join(filter(None, candidates))}): "
                     f"install one (Debian: apt-get install python{version}) or pass HUB_PYTHON=/path/to/python"
                     f"{version}; or build .venv from such a Python")


def build(source: Path = SOURCE, target: Path = TARGET) -> Path:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = Path(sysconfig.get_path("purelib", vars={"base": str(source), "platbase": str(source)}))
    python = target / "bin" / "python"
    if not python.exists():
        subprocess.run([public_python(version), "-m", "venv", "--without-pip", str(target)], check=True)
    check = subprocess.run([str(python), "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
                           capture_output=True, text=True, check=True)
    if check.stdout.strip() != version:
        raise SystemExit(f"{target} runs Python {check.stdout.strip()}, .venv {version}: delete {target}")
    target_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                      capture_output=True, text=True, check=True).stdout.strip())
    (target_site / "series-environment.pth").write_text(f"import site; site.addsitedir({str(site_packages)!r})\n")
    # JupyterLab's assets, the kernel specs and the server extensions' settings (jupyter-server-proxy) are found
    # under sys.prefix: share/jupyter and etc/jupyter are .venv's
    for data in ("share", "etc"):
        link, real = target / data / "jupyter", source / data / "jupyter"
        if real.is_dir() and not link.exists():
            link.parent.mkdir(exist_ok=True)
            link.symlink_to(real)
    shebang = f"#!{source / 'bin'}/python".encode()
    for script in (source / "bin").iterdir():
        if not script.is_file() or script.is_symlink() or script.name.startswith("python"):
            continue
        content = script.read_bytes()
        first, _, rest = content.partition(b"\n")
        if not first.startswith(shebang):
            continue
        copy = target / "bin" / script.name
        copy.write_bytes(f"#!{python}".encode() + b"\n" + rest)
        copy.chmod(0o755)
    return target


def check_repository(repo: Path = REPO) -> None:
    """The learners' kernels import this checkout's ``helpers`` and ``.venv``'s packages, as their own users: a clone
    under /root (mode 700) or a private home folder starts every server and fails at the first import."""
    if not reachable_by_others(repo):  # a folder wants the same r and x as the interpreter file
        raise SystemExit(
            f"the learners cannot reach {repo}: their kernels run as their own users and import this checkout's "
            "helpers/ and .venv's packages. Clone the repository where every user may read it, e.g. "
            "`sudo git clone <repository> /srv/tf-highlevel-mnist` (then `make hub` there), or let others into "
            f"each folder on its path (`chmod o+rx {repo}` and `chmod o+x` on each folder above it).")


def main() -> int:
    check_repository()
    python = SOURCE / "bin" / "python"
    if reachable_by_others(python):
        print(SOURCE)
    else:
        print(build())
    return 0


if __name__ == "__main__":
    sys.exit(main())
