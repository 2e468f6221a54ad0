"""How `make test` hands tests to its two pytest-xdist workers (tests/conftest.py): notebooks in their own groups
first, then the files whose tests share a module-scoped fixture (one worker builds it once), then the single tests.

A pytest run collects the notebook tests, the benchmark tests (they share the module fixture ``bench``; in
tests/test_cli.py it is the post's 120-step command) and the hparams tests (no shared fixture), with a small plugin
that switches on ``loadgroup`` as xdist does on a worker and prints each test's group in the order the workers get
them. (The CLI tests would show it too, but collecting them starts TensorFlow.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import REPO

PROBE = textwrap.dedent('''
    def pytest_configure(config):
        config.option.loadgroup = True  # what pytest-xdist sets on a worker under --dist loadgroup

    def pytest_collection_finish(session):
        for item in session.items:
            group = item.get_closest_marker("xdist_group")
            print("ORDER", item.nodeid, group.args[0] if group else "-")
''')


def test_shared_fixtures_are_built_once_and_notebooks_are_handed_out_first(tmp_path):
    (tmp_path / "order_probe.py").write_text(PROBE)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "order_probe", "-p", "no:randomly",
         "tests/test_hparams.py", "tests/test_benchmarks.py",
         "tests/test_notebooks.py::test_notebook_nbval_run_all_twice_and_solutions"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    rows = [line[6:].rsplit(" ", 1) for line in result.stdout.splitlines() if line.startswith("ORDER ")]
    by_file = {}
    for nodeid, name in rows:
        by_file.setdefault(nodeid.split("::")[0], set()).add(name)
    # the tests that use a module fixture of their file share one group; the others are handed out one by one
    assert by_file["tests/test_benchmarks.py"] == {"test_benchmarks-shared"}, by_file
    assert by_file["tests/test_hparams.py"] == {"-"}, by_file
    # notebooks 03 and 04 in one group (04 restores 03's model), every other notebook in its own
    nb = {nodeid.split("[")[1][:2]: name for nodeid, name in rows if "nbval" in nodeid}
    assert nb["03"] == nb["04"] == "notebooks-03" and len(set(nb.values())) == len(nb) - 1
    # the order: the notebooks, then the shared-fixture files, then the single tests
    rank = [0 if name.startswith("notebooks-") else 1 if name.endswith("-shared") else 2 for _, name in rows]
    assert rank == sorted(rank) and rank[0] == 0 and rank[-1] == 2, rows
