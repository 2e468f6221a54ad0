"""``make doctor``: is this machine ready for the series? One line per check, and how to fix what is not.

Run it on every laptop before a workshop (``make doctor``, or ``python -m helpers.doctor`` with the
environment's python from the repository root). It installs nothing and imports no TensorFlow, so it takes a
second or two. Each check prints ``ok    ...``, ``WARN  ...`` (worth knowing, not blocking) or
``FAIL  ... - how to fix``; the exit status is 1 when a check failed, else 0.

The checks: the Python version, the installed packages against environment.yml's pins, the notebook kernel
and the ``tensorboard`` it would find, that ``runs/`` can be written to, which MNIST source
``load_mnist("auto")`` would use, the free disk space, and that TensorFlow's fast oneDNN kernels are not
turned off. ``make doctor`` runs it with the environment's
``bin/`` first on ``PATH``, as ``make lab`` starts JupyterLab.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import string
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
ENV_FILE = REPO / "environment.yml"
RUNS_DIR = REPO / "runs"
PYTHON_VERSIONS = ((3, 9), (3, 11))  # TensorFlow 2.15.1 has wheels for these only
MIN_FREE_BYTES = 2 * 1024**3  # training runs, checkpoints and TensorBoard logs of the five notebooks, with room


class Result(NamedTuple):
    status: str  # "ok", "WARN" or "FAIL"
    text: str  # what was found; for a FAIL, followed by " - " and how to fix it

    def line(self) -> str:
        return f"{self.status:<5} {self.text}"


def ok(text: str) -> Result:
    return Result("ok", text)


def warn(text: str) -> Result:
    return Result("WARN", text)


def fail(text: str, fix: str) -> Result:
    return Result("FAIL", f"{text} - {fix}")


# --------------------------------------------------------------------------------------------------------
# The checks. Each yields one Result per line; the arguments let the tests feed in a broken machine.
# --------------------------------------------------------------------------------------------------------
def check_python(version_info=sys.version_info, executable: str = sys.executable) -> Iterator[Result]:
    """Python 3.9-3.11: TensorFlow 2.15 (the last with tf.estimator) has wheels for those only."""
    (low, high), version = PYTHON_VERSIONS, tuple(version_info[:2])
    found = f"Python {'.'.join(map(str, version_info[:3]))} ({executable})"
    if low <= version <= high:
        yield ok(found)
    else:
        yield fail(f"{found}: TensorFlow 2.15 needs Python {low[0]}.{low[1]}-{high[0]}.{high[1]}",
                   "install python3.11 and run make setup (README: 'Python 3.11 - why, and how to get it')")


def _pip_requirements(env_file: Path) -> list[str]:
    """environment.yml's pip: list, read by tools/pip_requirements.py (the parser the Makefile uses)."""
    spec = importlib.util.spec_from_file_location("pip_requirements", REPO / "tools" / "pip_requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pip_requirements(env_file.read_text(encoding="utf-8"))


def _project_name() -> str:
    """The distribution name of this repository (``-e .`` in environment.yml), from pyproject.toml."""
    found = re.search(r'^name\s*=\s*"([^"]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    return found.group(1) if found else "tf-highlevel-mnist-helpers"


def _installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_packages(env_file: Path = ENV_FILE,
                   installed: Mapping[str, str] | Callable[[str], str | None] | None = None) -> Iterator[Result]:
    """Every ``name==version`` of environment.yml's pip: section is installed at that version.

    ``installed`` maps a name to its installed version (None or absent: not installed); by default
    importlib.metadata answers, without importing the packages.
    """
    if installed is None:
        version_of = _installed_version
    elif callable(installed):
        version_of = installed
    else:
        version_of = installed.get
    try:
        entries = _pip_requirements(Path(env_file))
    except (OSError, SystemExit) as e:
        yield fail(f"cannot read the pins in {env_file} ({e})", "restore environment.yml from git")
        return
    wrong, checked = [], 0
    for entry in entries:
        if entry == "-e .":
            name = _project_name()
            if version_of(name) is None:
                wrong.append(fail(f"this repository's helpers are not installed ({name}, '-e .' in environment.yml)",
                                  "run make setup"))
            checked += 1
            continue
        pinned = re.fullmatch(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)", entry)
        if pinned is None:
            yield warn(f"environment.yml entry {entry!r} is not pinned with ==: not checked")
            continue
        name, version = pinned.groups()
        found = version_of(name)
        checked += 1
        if found is None:
            wrong.append(fail(f"{name} is not installed, environment.yml pins {version}", "run make setup"))
        elif found != version:
            wrong.append(fail(f"{name} {found} installed, environment.yml pins {version}", "run make setup"))
    yield from wrong
    if not wrong:
        yield ok(f"{checked} packages installed at environment.yml's pins")


def _same_dir(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two files sit in the same folder (the environment's bin/), symlinked folders included.
    Not the files themselves: a venv's python is a symlink to the interpreter it was made from."""
    try:
        return os.path.samefile(os.path.dirname(os.path.abspath(a)), os.path.dirname(os.path.abspath(b)))
    except OSError:
        return False


def _kernel_spec(name: str = "python3"):
    """The kernelspec JupyterLab (this environment's) would start for ``name``, as jupyter_client finds it."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_kernel_spec(name)


def kernel_path(spec=None, environ: Mapping[str, str] | None = None) -> str:
    """The PATH a kernel gets: the server's, or the kernelspec's ``env`` PATH (``${PATH}`` filled in)."""
    environ = os.environ if environ is None else environ
    path = environ.get("PATH", os.defpath)
    if spec is not None and "PATH" in (spec.env or {}):
        path = string.Template(spec.env["PATH"]).safe_substitute(environ)
    return path


def kernel_python(argv0: str, path: str, server_python: str = sys.executable) -> str | None:
    """The executable a kernelspec's ``argv[0]`` starts. jupyter_client (``KernelManager.format_kernel_cmd``)
    replaces a bare 'python', 'python3' or 'python3.X' of its own version by the server's own python; another
    bare name is looked up on the kernel's PATH."""
    if os.path.dirname(argv0):
        return argv0
    if argv0 in {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}:
        return server_python
    return shutil.which(argv0, path=path)


def check_kernel(spec=None, environ: Mapping[str, str] | None = None, env_python: str = sys.executable
                 ) -> Iterator[Result]:
    """The python3 kernel runs this environment's python, and ``tensorboard`` on its PATH is the environment's
    (else ``%tensorboard`` prints "Could not find `tensorboard`" - see prepare_tensorboard)."""
    env_bin = os.path.dirname(env_python)
    if spec is None:
        try:
            spec = _kernel_spec("python3")
        except ImportError:
            yield fail("jupyter_client is not installed: no notebook kernel can start", "run make setup")
            return
        except Exception as e:  # noqa: BLE001 - NoSuchKernel, or a broken kernel.json
            yield fail(f"no usable python3 kernel ({type(e).__name__}: {e})",
                       "run make setup (ipykernel installs the python3 kernel)")
            return
    path = kernel_path(spec, environ)
    argv0 = spec.argv[0] if spec.argv else ""
    python = kernel_python(argv0, path, env_python)
    where = f"the python3 kernel ({spec.resource_dir or 'built in'})"
    if python is None:
        yield fail(f"{where} starts {argv0!r}, which is not on its PATH",
                   "remove that kernelspec (jupyter kernelspec remove python3) so the environment's own is used")
    elif not _same_dir(python, env_python):
        yield fail(f"{where} runs {python}, not this environment's python ({env_python})",
                   "remove that kernelspec (jupyter kernelspec remove python3) so the environment's own is used, "
                   "and start JupyterLab with make lab")
    else:
        yield ok(f"the notebook kernel (python3) is this environment's python ({python})")

    tensorboard = shutil.which("tensorboard", path=path)
    env_tensorboard = os.path.join(env_bin, "tensorboard")
    fix = ("start JupyterLab with make lab (it puts the environment's bin/ first on PATH), "
           "or call helpers.tensorboard.prepare_tensorboard(logdir) before %tensorboard (notebook 03 does)")
    if not os.access(env_tensorboard, os.X_OK):
        yield fail(f"the environment has no tensorboard executable ({env_tensorboard})", "run make setup")
    elif tensorboard is None:
        yield fail(f"the kernel's PATH has no `tensorboard` ({env_bin} is not on it): %tensorboard would say "
                   "'Could not find `tensorboard`'", fix)
    elif not _same_dir(tensorboard, env_tensorboard):
        yield fail(f"`tensorboard` on the kernel's PATH is {tensorboard}, not this environment's "
                   f"({env_tensorboard}): %tensorboard would start that one", fix)
    else:
        yield ok(f"the kernel finds this environment's tensorboard ({tensorboard})")


def check_runs_writable(runs_dir: Path = RUNS_DIR) -> Iterator[Result]:
    """The notebooks write their model directories under runs/: create and delete a file there."""
    runs_dir = Path(runs_dir)
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=runs_dir, prefix=".doctor-"):
            pass
    except OSError as e:
        yield fail(f"cannot write model directories in {runs_dir} ({type(e).__name__}: {e.strerror or e})",
                   f"make {runs_dir} a folder you can write to (or delete it)")
    else:
        yield ok(f"model directories can be written in {runs_dir}")


def check_mnist(data_dir: str | os.PathLike | None = None) -> Iterator[Result]:
    """Which source ``load_mnist("auto", data_dir)`` would use, found without loading or downloading."""
    call = "load_mnist('auto')" if data_dir is None else f"load_mnist('auto', data_dir={str(data_dir)!r})"
    try:
        from helpers.data import mnist_source

        name, location = mnist_source(data_dir)
    except Exception as e:  # noqa: BLE001 - numpy missing, an incomplete IDX set, ...
        yield fail(f"MNIST: {call} would fail ({type(e).__name__}: {e})",
                   "fix or remove the file it names, or run make setup")
        return
    what = {"idx": "the IDX files in", "keras": "Keras' cache", "download": "a download from",
            "sample": "the bundled sample"}[name]
    if name in ("keras", "sample") and not Path(location).is_file():
        yield fail(f"MNIST: {call} would use {what} {location}, which is missing", "run make setup")
    elif name == "keras" and not zipfile.is_zipfile(location):
        yield fail(f"MNIST: {call} would use {what} {location}, which is not a readable .npz file",
                   "delete it (Keras downloads it again), or move it away to use the bundled sample")
    else:
        yield ok(f"MNIST: {call} would use {what} {location}")


def _size(n: float) -> str:
    return f"{n / 1024**3:.1f} GB"


def check_disk(folder: Path = REPO, minimum: int = MIN_FREE_BYTES) -> Iterator[Result]:
    """Free space on the disk holding the repository (runs/, checkpoints, TensorBoard logs)."""
    free = shutil.disk_usage(folder).free
    if free < minimum:
        yield warn(f"only {_size(free)} free on the disk of {folder}: the series' runs want about "
                   f"{_size(minimum)} - free some space (or delete runs/)")
    else:
        yield ok(f"{_size(free)} free on the disk of {folder}")


def check_onednn(environ: Mapping[str, str] = os.environ) -> Iterator[Result]:
    """TensorFlow's oneDNN kernels, on unless TF_ENABLE_ONEDNN_OPTS turns them off. Advice found online sets it to 0
    to hide TensorFlow's start-up notice; the Eigen kernels it falls back to train the post's network about half as
    fast (benchmarks/onednn.py). helpers.notebook.setup hides the notice with the log level instead."""
    value = environ.get("TF_ENABLE_ONEDNN_OPTS")
    if value is not None and value.strip().lower() in ("0", "false"):
        yield warn(f"TF_ENABLE_ONEDNN_OPTS={value} turns off TensorFlow's oneDNN kernels: every notebook trains "
                   "about 2x slower - unset it (helpers.notebook.setup already hides oneDNN's notice)")
    else:
        yield ok("TensorFlow's oneDNN kernels are on" + (f" (TF_ENABLE_ONEDNN_OPTS={value})" if value else ""))


# --------------------------------------------------------------------------------------------------------
def run_checks(*, env_file: Path = ENV_FILE, runs_dir: Path = RUNS_DIR, data_dir=None,
               installed=None) -> list[Result]:
    results = []
    for check in (lambda: check_python(), lambda: check_packages(env_file, installed), lambda: check_kernel(),
                  lambda: check_runs_writable(runs_dir), lambda: check_mnist(data_dir), lambda: check_disk(),
                  lambda: check_onednn()):
        for result in check():
            print(result.line(), flush=True)
            results.append(result)
    return results


def main(argv: list[str] | None = None, *, installed=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.doctor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--env-file", type=Path, default=ENV_FILE, help="the pins to compare with")
    parser.add_argument("--runs-dir", type=Path, default=RUNS_DIR, help="where the notebooks write model dirs")
    parser.add_argument("--data_dir", default=None, help="the data_dir you will give load_mnist, if any")
    args = parser.parse_args(argv)
    results = run_checks(env_file=args.env_file, runs_dir=args.runs_dir, data_dir=args.data_dir,
                         installed=installed)
    failed = sum(r.status == "FAIL" for r in results)
    if failed:
        print(f"{failed} problem{'s' * (failed > 1)}: fix the FAIL lines above, then run make doctor again.")
        return 1
    print("All checks passed: this machine is ready for the series.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
