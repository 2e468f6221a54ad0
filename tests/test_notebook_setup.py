"""helpers.notebook.setup, the first call of every notebook: TensorFlow imports without a word on stderr, and its
fast oneDNN kernels stay on (they train the post's network about twice as fast: benchmarks/onednn.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO

PROBE = ("from helpers.notebook import setup; tf = setup(); "
         "from tensorflow.python.util import _pywrap_util_port as port; print('ONEDNN', port.IsMklEnabled())")


def run_setup(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "ABSL_"))}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env={**clean, **env}, capture_output=True,
                          text=True, timeout=120)


def test_setup_is_quiet_and_leaves_onednn_on():
    result = run_setup()
    assert result.returncode == 0, result.stderr
    assert "ONEDNN True" in result.stdout, "setup() must not turn TensorFlow's oneDNN kernels off"
    assert result.stderr == "", "TensorFlow's start-up logs (oneDNN notice, CUDA plugins) must be hidden"

