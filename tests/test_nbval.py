"""Every notebook, run top to bottom in a fresh kernel, reproduces its stored outputs: nbval in strict mode.

Each notebook is one nbval session of its own (``python -m pytest --nbval ... notebooks/NN_name.ipynb``, with the
flags in pyproject.toml's addopts: current env, sanitize file, cell timeout). Wrapping it in one test per notebook
lets `make test` run the notebooks on one pytest-xdist worker while the unit tests use the other - nbval's
per-cell items cannot be spread over workers, as they share one kernel per notebook. The notebooks run in order
(00 to 04; 04 restores the model 03 trained in ../runs). To see nbval's own per-cell report, run it directly:
``.venv/bin/python -m pytest notebooks/03_experiment_and_tensorboard.ipynb``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_reproduces_its_stored_outputs(path):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "--color=no", str(path.relative_to(REPO))],
                            cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"nbval failed on {path.name}:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"
    assert " passed" in result.stdout.strip().splitlines()[-1], result.stdout[-2000:]
