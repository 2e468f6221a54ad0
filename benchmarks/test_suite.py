"""Is `make test` faster on two pytest-xdist workers? The same selection of tests, serial and with the Makefile's
XDIST flags (`-n 2 --dist loadgroup ...`), side by side in one run. Or: is this working tree's `make test` faster
than an older commit's (`--against REV`)?

    .venv/bin/python benchmarks/test_suite.py                 # the whole suite (about 15 minutes)
    .venv/bin/python benchmarks/test_suite.py -m "not notebook"   # the unit tests only
    .venv/bin/python benchmarks/test_suite.py --threads       # two workers, one intra-op thread per TensorFlow
                                                              # process or one per core: A, B, B, A (~22 min)
    .venv/bin/python benchmarks/test_suite.py --against f5da58d   # make test's pytest at that commit and in this
                                                              # working tree: A, B, B, A (~22 min)

Prints the wall time of each and their ratio (and, with --threads, the CPU time of the run and all its processes).
Every run must pass; the script exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(extra: list[str], selection: list[str], env: dict[str, str] | None = None, label: str = "",
        cwd: Path = REPO) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *extra, *selection],
                            cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # every process of the run, once it was waited for
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    print(f"  {label or ' '.join(extra) or 'serial':34s} {seconds:7.1f} s  {cpu:7.1f} CPU-s   {last}", flush=True)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-2000:], sep="\n")
        sys.exit(1)
    return seconds


def threads(selection: list[str]) -> None:
    """Two workers, every TensorFlow process of the run with one intra-op thread (TF_NUM_INTRAOP_THREADS=1, inherited
    by the kernels and every process the tests start) or with TensorFlow's default, one per core; A, B, B, A.

    The idea: two workers' TensorFlow processes each size their pool to both cores and spin while they wait. Measured
    on 2026-11-26: 342 and 361 s against 338 and 338 s (ratio 1.04) - no faster, so make test keeps the default."""
    two = make_test_flags(REPO)
    sides = {"one intra-op thread per process": {"TF_NUM_INTRAOP_THREADS": "1"},
             "one per core (TensorFlow's default)": {"TF_NUM_INTRAOP_THREADS": "0"}}
    times = {name: [] for name in sides}
    for name in [*sides, *reversed(sides)]:
        times[name].append(run(two, selection, sides[name], label=name))
    one, default = (statistics.fmean(t) for t in times.values())
    print(f"time with one intra-op thread / with one per core: {one / default:.2f} (below 1: faster)  "
          f"(mean of {len(times[name])} runs each)")


def make_test_flags(root: Path) -> list[str]:
    """The pytest-xdist flags that `make test` passes in ``root`` (its Makefile's XDIST)."""
    found = re.search(r"^XDIST \?= *(.*)$", (root / "Makefile").read_text(), re.M)
    return shlex.split(found.group(1)) if found else []


def against(rev: str, selection: list[str]) -> None:
    """`make test`'s pytest in a git worktree of ``rev`` and in this working tree, A, B, B, A, with the same
    environment. Each side imports its own ``helpers`` (PYTHONPATH: the venv's editable install points at this
    working tree), finds ``../shared`` beside it, and its `make lab` (the browser test) uses this environment.

    Measured on 2026-11-27 against f5da58d, after the xdist grouping of shared fixtures and the shorter training of
    notebooks 03 and 06: 264 and 311 s against 304 and 269 s - a ratio of 1.00. The machine's speed drifted by more
    than the change within the 20 minutes (a probe loop took 2.96 s before and 2.22 s after), so two rounds cannot
    show a change of a few per cent; the work removed is counted in the commits instead (a fixture built once, not
    on both workers; 200 and 100 fewer training steps)."""
    short = subprocess.run(["git", "rev-parse", "--short", rev], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / REPO.name
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), short], cwd=REPO, check=True,
                       capture_output=True)
        try:
            if (REPO.parent / "shared").exists():
                (Path(tmp) / "shared").symlink_to(REPO.parent / "shared")
            for name in ("environment.yml", "pyproject.toml"):  # as old as here: `make lab` installs nothing
                stat = (REPO / name).stat()
                os.utime(tree / name, (stat.st_atime, stat.st_mtime))
            sides = {f"{short} (--against)": tree, "this working tree": REPO}
            times: dict[str, list[float]] = {name: [] for name in sides}
            for name in [*sides, *reversed(sides)]:
                root = sides[name]
                env = {"PYTHONPATH": str(root), "VENV": str(Path(sys.executable).parent.parent)}
                times[name].append(run(make_test_flags(root), selection, env, label=name, cwd=root))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, capture_output=True)
    old, new = (statistics.fmean(t) for t in times.values())
    print(f"this working tree / {short}: {new / old:.2f} of the time (mean of {len(times[name])} runs each)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("selection", nargs="*", help="pytest arguments choosing the tests (default: all)")
    ap.add_argument("--threads", action="store_true", help="compare the intra-op threads on two workers instead")
    ap.add_argument("--against", metavar="REV", help="compare make test's pytest at git revision REV and here")
    args, rest = ap.parse_known_args()
    selection = [*args.selection, *rest]
    if args.against:
        print(f"pytest {' '.join(selection) or '(the whole suite)'} as make test runs it, {args.against} and here:")
        against(args.against, selection)
        return
    if args.threads:
        print(f"pytest {' '.join(selection) or '(the whole suite)'} on two workers, intra-op threads:")
        threads(selection)
        return
    print(f"pytest {' '.join(selection) or '(the whole suite)'}, serial, then on two workers:")
    serial = run([], selection)
    parallel = run(make_test_flags(REPO), selection)
    print(f"two workers take {parallel / serial:.2f} of the serial time ({serial / parallel:.2f}x faster)")


if __name__ == "__main__":
    main()
