"""`make doctor` (helpers/doctor.py): each broken machine a teacher meets gives exit status 1 and a line that
names the problem and the fix; this machine passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from conftest import REPO, make_idx_dir

from helpers import doctor

ENV_BIN = str(Path(sys.executable).parent)


def env_bin_first() -> str:
    """PATH as `make doctor` / `make lab` set it: the environment's bin first."""
    return os.pathsep.join([ENV_BIN] + [p for p in os.environ.get("PATH", "").split(os.pathsep) if p != ENV_BIN])


@pytest.fixture
def healthy_path(monkeypatch):
    """The in-process runs see the PATH `make doctor` gives, so only the broken thing fails."""
    monkeypatch.setenv("PATH", env_bin_first())


def run_main(capsys, *argv, installed=None) -> tuple[int, list[str]]:
    status = doctor.main(list(argv), installed=installed)
    return status, capsys.readouterr().out.splitlines()


def fails(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("FAIL")]


def run_doctor(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers.doctor", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_it_passes_here_fast_and_without_importing_tensorflow():
    env = {**os.environ, "PATH": env_bin_first()}
    code = ("import sys, time; from helpers.doctor import main; start = time.monotonic(); status = main([]); "
            "print('SECONDS', time.monotonic() - start); print('TENSORFLOW', 'tensorflow' in sys.modules); "
            "sys.exit(status)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not fails(result.stdout.splitlines()), result.stdout
    assert "All checks passed" in result.stdout
    assert "TENSORFLOW False" in result.stdout  # package versions come from importlib.metadata
    assert float(result.stdout.split("SECONDS ")[1].split()[0]) < 10
    # one line per check: python, packages, kernel, tensorboard, runs/, MNIST, disk, oneDNN
    assert len([line for line in result.stdout.splitlines() if line[:5] in ("ok   ", "WARN ")]) == 8


def test_tensorflow_at_the_wrong_version(capsys, healthy_path):
    def installed(name):
        return "2.16.1" if name == "tensorflow" else metadata.version(name)

    status, lines = run_main(capsys, installed=installed)
    assert status == 1
    assert fails(lines) == ["FAIL  tensorflow 2.16.1 installed, environment.yml pins 2.15.1 - run make setup"]
    assert "1 problem: fix the FAIL lines above" in lines[-1]


def test_a_missing_package_is_named(capsys, healthy_path, tmp_path):
    env_file = tmp_path / "environment.yml"
    text = (REPO / "environment.yml").read_text()
    env_file.write_text(text.replace("      - tqdm==", "      - no-such-package-for-doctor==1.0\n      - tqdm==", 1))
    status, lines = run_main(capsys, "--env-file", str(env_file))
    assert status == 1
    assert fails(lines) == ["FAIL  no-such-package-for-doctor is not installed, environment.yml pins 1.0 - "
                            "run make setup"]


def test_the_helpers_package_not_installed(capsys, healthy_path):
    def installed(name):
        return None if name == "tf-highlevel-mnist-helpers" else metadata.version(name)

    status, lines = run_main(capsys, installed=installed)
    assert status == 1
    assert fails(lines) == ["FAIL  this repository's helpers are not installed (tf-highlevel-mnist-helpers, "
                            "'-e .' in environment.yml) - run make setup"]


def test_unwritable_runs_dir(capsys, healthy_path, tmp_path):
    runs = tmp_path / "runs"
    runs.write_text("a file where the folder should be")  # unwritable even for root, who ignores chmod
    status, lines = run_main(capsys, "--runs-dir", str(runs))
    assert status == 1
    [line] = fails(lines)
    assert line.startswith(f"FAIL  cannot write model directories in {runs} (")
    assert line.endswith(f"- make {runs} a folder you can write to (or delete it)")


def test_the_environment_bin_not_on_the_kernels_path():
    """JupyterLab started without the environment's bin on PATH: `%tensorboard` says "Could not find
    `tensorboard`" (a row of docs/troubleshooting.md)."""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != ENV_BIN] or ["/usr/bin", "/bin"]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "TENSORBOARD_BINARY")}
    env["PATH"] = os.pathsep.join(path)
    result = run_doctor(env)
    assert result.returncode == 1, result.stdout + result.stderr
    [line] = fails(result.stdout.splitlines())
    other = next((str(Path(p, "tensorboard")) for p in path if Path(p, "tensorboard").is_file()), None)
    if other is None:
        assert line.startswith("FAIL  the kernel's PATH has no `tensorboard` (")
        assert "%tensorboard would say 'Could not find `tensorboard`'" in line
    else:
        assert line.startswith(f"FAIL  `tensorboard` on the kernel's PATH is {other}, not this environment's")
    assert line.endswith("start JupyterLab with make lab (it puts the environment's bin/ first on PATH), "
                         "or call helpers.tensorboard.prepare_tensorboard(logdir) before %tensorboard "
                         "(notebook 03 does)")


def write_kernelspec(data_dir: Path, spec: dict) -> Path:
    folder = data_dir / "kernels" / "python3"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({"display_name": "Python 3", "language": "python", **spec}))
    return folder


def test_a_python3_kernelspec_of_another_python(capsys, healthy_path, tmp_path, monkeypatch):
    """A python3 kernelspec on JUPYTER_PATH (searched first) that starts another python."""
    other_python = tmp_path / "other" / "bin" / "python3"
    other_python.parent.mkdir(parents=True)
    other_python.symlink_to(sys.executable)  # the same interpreter, but not this environment's folder
    folder = write_kernelspec(tmp_path / "jupyter", {"argv": [str(other_python), "-m", "ipykernel_launcher",
                                                             "-f", "{connection_file}"]})
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    status, lines = run_main(capsys)
    assert status == 1
    assert fails(lines) == [f"FAIL  the python3 kernel ({folder}) runs {other_python}, not this environment's python "
                            f"({sys.executable}) - remove that kernelspec (jupyter kernelspec remove python3) so the "
                            "environment's own is used, and start JupyterLab with make lab"]


def test_a_kernelspec_whose_env_drops_the_environment_bin(capsys, healthy_path, tmp_path, monkeypatch):
    """argv[0] 'python' is the server's own python (jupyter_client replaces it), but the spec's env sets PATH."""
    write_kernelspec(tmp_path / "jupyter", {"argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                            "env": {"PATH": str(tmp_path / "empty")}})
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    status, lines = run_main(capsys)
    assert status == 1
    assert any(line.startswith("ok    the notebook kernel (python3) is this environment's python") for line in lines)
    [line] = fails(lines)
    assert line.startswith("FAIL  the kernel's PATH has no `tensorboard`")


def test_a_broken_keras_cache_is_named_before_it_breaks_a_notebook(capsys, healthy_path, isolated_keras_cache):
    cache = isolated_keras_cache / "datasets" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"<html>captive portal</html>")
    status, lines = run_main(capsys)
    assert status == 1
    assert fails(lines) == [f"FAIL  MNIST: load_mnist('auto') would use Keras' cache {cache}, which is not a readable "
                            ".npz file - delete it (Keras downloads it again), or move it away to use the bundled "
                            "sample"]


def test_an_incomplete_idx_data_dir(capsys, healthy_path, tmp_path):
    data_dir = make_idx_dir(tmp_path / "mnist")
    next(data_dir.glob("t10k-labels*")).unlink()
    status, lines = run_main(capsys, "--data_dir", str(data_dir))
    assert status == 1
    [line] = fails(lines)
    assert line.startswith(f"FAIL  MNIST: load_mnist('auto', data_dir='{data_dir}') would fail (MnistFormatError: ")
    assert "t10k-labels-idx1-ubyte[.gz]" in line


def test_mnist_source_is_reported_without_loading(capsys, healthy_path, tmp_path):
    data_dir = make_idx_dir(tmp_path / "mnist")
    status, lines = run_main(capsys, "--data_dir", str(data_dir))
    assert status == 0, lines
    assert f"ok    MNIST: load_mnist('auto', data_dir='{data_dir}') would use the IDX files in {data_dir}" in lines


def test_python_outside_3_9_to_3_11():
    [result] = doctor.check_python((3, 12, 1), "/usr/bin/python3")
    assert result.line() == ("FAIL  Python 3.12.1 (/usr/bin/python3): TensorFlow 2.15 needs Python 3.9-3.11 - "
                             "install python3.11 and run make setup (README: 'Python 3.11 - why, and how to get it')")
    [result] = doctor.check_python((3, 9, 18), "/usr/bin/python3.9")
    assert result.status == "ok"


def test_low_disk_space_warns_with_the_free_amount(tmp_path):
    [result] = doctor.check_disk(tmp_path, minimum=1 << 60)
    assert result.status == "WARN"
    assert result.text.startswith("only ") and " GB free on the disk of " in result.text


@pytest.mark.parametrize("value", ["0", "false", "False"])
def test_onednn_turned_off_warns_that_training_is_slower(value):
    [result] = doctor.check_onednn({"TF_ENABLE_ONEDNN_OPTS": value})
    assert result.status == "WARN"
    assert result.text.startswith(f"TF_ENABLE_ONEDNN_OPTS={value} turns off TensorFlow's oneDNN kernels")
    assert "2x slower - unset it" in result.text


@pytest.mark.parametrize("environ", [{}, {"TF_ENABLE_ONEDNN_OPTS": "1"}])
def test_onednn_on_is_ok(environ):
    [result] = doctor.check_onednn(environ)
    assert result.status == "ok" and result.text.startswith("TensorFlow's oneDNN kernels are on")


@pytest.mark.parametrize("broken", ["missing", "broken"])
def test_make_doctor_says_in_one_line_when_the_environment_is_missing_or_broken(tmp_path, broken):
    venv = tmp_path / "venv"
    if broken == "broken":
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "python").write_text("#!/bin/sh\nexit 1\n")
        (venv / "bin" / "python").chmod(0o755)
    result = subprocess.run(["make", "--no-print-directory", "doctor", f"VENV={venv}"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    expected = {"missing": f"FAIL  no environment: {venv}/bin/python is missing - run make setup",
                "broken": f"FAIL  the environment is broken: {venv}/bin/python does not start - delete {venv} "
                          "and run make setup"}[broken]
    assert result.stdout.splitlines() == [expected]
    assert "pip" not in result.stdout + result.stderr  # it diagnoses; it never installs
