"""Is `make test` faster on two pytest-xdist workers? The same selection of tests, serial and with
`-n 2 --dist loadgroup`, side by side in one run.

    .venv/bin/python benchmarks/test_suite.py                 # the whole suite (about 15 minutes)
    .venv/bin/python benchmarks/test_suite.py -m "not notebook"   # the unit tests only

Prints the wall time of each and their ratio. Both runs must pass; the script exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(extra: list[str], selection: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *extra, *selection],
                            cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    print(f"  {' '.join(extra) or 'serial':28s} {seconds:7.1f} s   {last}")
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-2000:], sep="\n")
        sys.exit(1)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("selection", nargs="*", help="pytest arguments choosing the tests (default: all)")
    args, rest = ap.parse_known_args()
    selection = [*args.selection, *rest]
    print(f"pytest {' '.join(selection) or '(the whole suite)'}, serial, then on two workers:")
    serial = run([], selection)
    parallel = run(["-n", "2", "--dist", "loadgroup"], selection)
    print(f"two workers take {parallel / serial:.2f} of the serial time ({serial / parallel:.2f}x faster)")


if __name__ == "__main__":
    main()
