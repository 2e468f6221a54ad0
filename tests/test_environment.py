"""environment.yml is the one list of pins: it parses, the Makefile reads the same list, and the
installed versions are the pinned ones."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import yaml
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
from pip_requirements import dev_extras, pip_requirements  # noqa: E402


def load_env():
    return yaml.safe_load((REPO / "environment.yml").read_text())


def pip_section(env):
    return next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)


def test_environment_yml_is_a_conda_env_for_python_311():
    env = load_env()
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"] and "pip" in env["dependencies"]
    assert sys.version_info[:2] == (3, 11), "the environment must run Python 3.11 (TF 2.15)"


def test_every_pip_entry_is_pinned_and_installed_at_that_version():
    pins = pip_section(load_env())
    assert "-e ." in pins
    wrong = []
    for entry in pins:
        if entry == "-e .":
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][^\s;]*)", entry)
        assert m, f"{entry!r} is not pinned with =="
        name, version = m.groups()
        installed = metadata.version(name)
        if installed != version:
            wrong.append(f"{name}: pinned {version}, installed {installed}")
    assert not wrong, "installed versions differ from environment.yml: " + "; ".join(wrong)
    for must in ("tensorflow==2.15.1", "tf-slim==1.1.0", "jupyterlab", "mlxtend", "tqdm"):
        assert any(p.startswith(must) for p in pins), f"{must} missing from environment.yml"


def test_the_learners_set_leaves_the_test_and_lint_tools_to_the_developers_extras():
    """make lab, conda and Binder install the pip: section only; make test adds the dev-extras (issue 21)."""
    text = (REPO / "environment.yml").read_text()
    learner, extras = pip_requirements(text), dev_extras(text)
    names = [entry.split("==")[0] for entry in extras]
    assert names == ["nbval", "pytest", "pytest-xdist", "playwright", "ruff"]
    assert not {entry.split("==")[0] for entry in learner} & set(names)
    wrong = [f"{e}: installed {metadata.version(e.split('==')[0])}" for e in extras
             if metadata.version(e.split("==")[0]) != e.split("==")[1]]
    assert not wrong, "installed versions differ from environment.yml's dev-extras: " + "; ".join(wrong)
    command = [sys.executable, str(REPO / "tools" / "pip_requirements.py"), "--dev", str(REPO / "environment.yml")]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == learner + extras


def test_makefile_installs_exactly_the_environment_yml_list():
    pins = pip_section(load_env())
    assert pip_requirements((REPO / "environment.yml").read_text()) == pins
    out = subprocess.run([sys.executable, str(REPO / "tools" / "pip_requirements.py"), str(REPO / "environment.yml")],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert [line for line in out if line] == pins


def test_pip_requirements_stops_at_the_end_of_the_pip_list():
    text = "dependencies:\n  - python=3.11\n  - pip:\n      - a==1\n      # note\n      - b==2\n  - other\n"
    assert pip_requirements(text) == ["a==1", "b==2"]
    text += "# dev-extras: tools\n# for tests\n#   - c==3   # why\n#   - d==4\n# the end\n"
    assert pip_requirements(text) == ["a==1", "b==2"] and dev_extras(text) == ["c==3", "d==4"]


def test_helpers_is_installed_as_a_package():
    dist = metadata.distribution("tf-highlevel-mnist-helpers")
    assert dist.version == "0.1.0"
    import helpers

    assert (REPO / "helpers") == __import__("pathlib").Path(helpers.__file__).parent


def test_ruff_is_clean():
    """`make lint` passes: the code a newcomer reads follows the project's ruff settings."""
    folders = ["helpers", "tests", "tools", "benchmarks", "examples"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *folders], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_reading_a_notebook_does_not_compile_a_uri_grammar():
    """Every nbval run, nbtidy and JupyterLab imports nbformat, which imports jsonschema. From 4.24 on, jsonschema's
    format checkers import rfc3987-syntax, which builds a parser (lark) for 1.25 s at import: environment.yml pins
    jsonschema below it (issue 9). This fails when an upgrade brings it back."""
    code = "import sys, nbformat; print(sorted({m.split('.')[0] for m in sys.modules} & {'rfc3987_syntax', 'lark'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"importing nbformat imports {result.stdout.strip()}"
