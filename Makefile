# Set-up and everyday commands of the series. `make lab` and `make test` are all a newcomer needs:
# both build the environment first when it is missing or out of date.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The environment: a venv built from the pip: section of environment.yml (the one list of pins): the learner's
# set for make lab (and setup, execute, train), plus environment.yml's dev-extras (pytest, nbval, playwright,
# ruff) for make test, unit, notebooks, notebook, lint and bench - each with its own stamp.
# A conda user can point VENV at an activated env instead: make test VENV=$$CONDA_PREFIX
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed-from-environment.yml
DEV_STAMP := $(VENV)/.installed-dev-extras-from-environment.yml
PYTHON311 ?= $(shell command -v python3.11 2>/dev/null)
# The environment's bin first on PATH, so the kernel, `tensorboard` and `jupyter` are the pinned ones.
RUN := PATH="$(BIN):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))"

ALL_NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# `make execute NOTEBOOKS=notebooks/03_experiment_and_tensorboard.ipynb` re-runs just that one
NOTEBOOKS ?= $(ALL_NOTEBOOKS)
LAB_ARGS ?=
# The folder JupyterLab serves; tests/test_browser.py points it at a temporary copy of notebooks/
LAB_DIR ?= notebooks
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PYTEST_ARGS ?=
# make test runs on two pytest-xdist workers: the notebooks' kernels leave a core idle much of the time
# (benchmarks/test_suite.py measures it). XDIST= runs everything in one process. --no-loadscope-reorder keeps
# the order tests/conftest.py gives (notebooks first, the single unit tests last to fill in).
XDIST ?= -n 2 --dist loadgroup --no-loadscope-reorder

.PHONY: help setup setup-dev setup-tf221 tf221-if-possible lab hub hub-install test unit notebooks notebook execute nav lint train bench clean doctor

help:
	@echo "make lab      open the series in JupyterLab (sets up .venv first if needed)"
	@echo "make setup    the learner's environment only (.venv); make setup-dev adds the test and lint tools"
	@echo "make hub      a workshop JupyterHub on this machine, one system user per learner (as root; WORKSHOP.md)"
	@echo "make test     unit tests + every notebook under nbval (sets up first if needed)"
	@echo "make unit     unit tests only, no notebook runs (fast)"
	@echo "make notebooks  every notebook under nbval + the exercise solutions with Run All twice"
	@echo "make notebook NB=03  the same for one notebook (its number or file name)"
	@echo "make execute  re-run every notebook in place in a fresh kernel and store the outputs"
	@echo "make nav      rewrite the navigation cells at the top and bottom of each notebook"
	@echo "make train    the post's complete example: python -m helpers --model_dir ./mnist_training --data_dir ./mnist_data"
	@echo "make bench    the performance figures: scripts in benchmarks/, ratios measured side by side"
	@echo "make lint     ruff over helpers/ tests/ tools/ benchmarks/ examples/"
	@echo "make doctor   is this machine ready? Python, pins, kernel, tensorboard, runs/, data, disk (installs nothing)"
	@echo "make clean    remove .venv and training runs"

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

$(STAMP): environment.yml pyproject.toml
	@if [ ! -x "$(BIN)/python" ] && [ -z "$(PYTHON311)" ]; then \
	  echo "error: python3.11 not found. TensorFlow 2.15 (the last release with tf.estimator) needs Python 3.9-3.11: install it with 'uv python install 3.11', 'pyenv install 3.11', or use conda: 'conda env create -f environment.yml' (see README)." >&2; \
	  exit 1; fi
	@[ -x "$(BIN)/python" ] || { echo "Creating $(VENV) with $(PYTHON311)"; "$(PYTHON311)" -m venv "$(VENV)"; }
	@"$(BIN)/python" tools/pip_requirements.py environment.yml > "$(VENV)/requirements.txt"
	@echo "Installing the pinned packages of environment.yml into $(VENV) (first time: a few minutes)"
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check -r "$(VENV)/requirements.txt"
	@touch "$@"

# the learner's set again (pip: nothing to do) with the developer's extras; redone whenever the learner's set is
$(DEV_STAMP): $(STAMP)
	@"$(BIN)/python" tools/pip_requirements.py --dev environment.yml > "$(VENV)/requirements-dev.txt"
	@echo "Installing the developer's extras of environment.yml (tests and lint) into $(VENV)"
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check -r "$(VENV)/requirements-dev.txt"
	@touch "$@"

# The second environment: today's TensorFlow (2.21, Keras 3, Python 3.12) for notebook 09 only, built from the
# pip: section of environment-tf221.yml the same way, with its own stamp. `helpers` comes from the repository
# through a .pth file (pyproject.toml's requires-python is 2.15's). The kernel is registered into $(VENV), so
# `make lab` offers it. make test builds it when python3.12 is found, else says how to get it (its tests skip;
# under CI=true they fail).
VENV221 ?= .venv-tf221
BIN221 := $(abspath $(VENV221))/bin
STAMP221 := $(VENV221)/.installed-from-environment-tf221.yml
# the first python3.12 that runs: on PATH (a pyenv shim there may refuse to), else pyenv's newest 3.12
PYTHON312 ?= $(shell for p in "$$(command -v python3.12)" $$(ls -r "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.12*/bin/python3.12 2>/dev/null); do \
  [ -n "$$p" ] && "$$p" -c "" 2>/dev/null && { echo "$$p"; break; }; done)
KERNEL221 := tf221-keras3
NO_PYTHON312 := python3.12 not found, so notebook 09 (TensorFlow 2.21, Keras 3) and its tests are skipped. Install it with 'uv python install 3.12' or 'pyenv install 3.12', or pass PYTHON312=/path/to/python3.12

setup-tf221: $(STAMP221)

$(STAMP221): environment-tf221.yml $(STAMP)
	@if [ ! -x "$(BIN221)/python" ] && [ -z "$(PYTHON312)" ]; then echo "error: $(NO_PYTHON312)" >&2; exit 1; fi
	@[ -x "$(BIN221)/python" ] || { echo "Creating $(VENV221) with $(PYTHON312)"; "$(PYTHON312)" -m venv "$(VENV221)"; }
	@"$(BIN)/python" tools/pip_requirements.py environment-tf221.yml > "$(VENV221)/requirements.txt"
	@echo "Installing the pinned packages of environment-tf221.yml into $(VENV221) (first time: a few minutes)"
	"$(BIN221)/python" -m pip install --quiet --disable-pip-version-check -r "$(VENV221)/requirements.txt"
	@echo "$(abspath .)" > "$$("$(BIN221)/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/series-helpers.pth"
	"$(BIN221)/python" -m ipykernel install --prefix "$(abspath $(VENV))" --name $(KERNEL221) \
	  --display-name "Python 3.12 · TensorFlow 2.21 · Keras 3" >/dev/null 2>&1 || { echo "error: registering the kernel failed" >&2; exit 1; }
	@touch "$@"

# make test: the second environment when python3.12 is there (or it is built already), else a note
tf221-if-possible:
	@if [ -x "$(BIN221)/python" ] || [ -n "$(PYTHON312)" ]; then $(MAKE) --no-print-directory setup-tf221; \
	  else echo "note: $(NO_PYTHON312)"; fi

lab: setup
	cd "$(LAB_DIR)" && $(RUN) "$(BIN)/jupyter" lab $(ALLOW_ROOT) $(LAB_ARGS)

# A workshop on this machine's JupyterHub (hub/jupyterhub_config.py; WORKSHOP.md, "Running it on a hub"). As root:
# learners first (`.venv/bin/python -m hub.add_learners NAME ...`), then `make hub`; Ctrl-C stops the hub and every
# learner's server. It installs JupyterHub into .venv (hub/requirements.txt, with environment.yml's pins as
# constraints: nothing the kernel uses changes) and configurable-http-proxy from npm into hub/node_modules.
HUB_ROOT ?= hub/state
HUB_PORT ?= 8000
HUB_STAMP := $(VENV)/.installed-hub
CHP := hub/node_modules/.bin/configurable-http-proxy

hub-install: $(HUB_STAMP) $(CHP)

$(HUB_STAMP): $(STAMP) hub/requirements.txt
	@grep -v '^-e' "$(VENV)/requirements.txt" > "$(VENV)/constraints.txt"
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check -c "$(VENV)/constraints.txt" -r hub/requirements.txt
	@touch "$@"

$(CHP): hub/package.json hub/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm not found (Debian: apt-get install npm)" >&2; exit 1; }
	npm ci --prefix hub --no-audit --no-fund --loglevel=error
	@touch "$@"

hub: setup hub-install
	@mkdir -p "$(HUB_ROOT)" && chmod 700 "$(HUB_ROOT)"
	@env=$$("$(BIN)/python" -m hub.public_env) && cd "$(HUB_ROOT)" && \
	  $(RUN) HUB_ENV="$$env" HUB_ROOT="$(abspath $(HUB_ROOT))" HUB_PORT="$(HUB_PORT)" \
	  exec "$(BIN)/jupyterhub" -f "$(abspath hub/jupyterhub_config.py)"

test: setup-dev tf221-if-possible
	$(RUN) "$(BIN)/python" -m pytest $(XDIST) $(PYTEST_ARGS)

# on the same two workers as make test: 111 s instead of 188 s in one process (2026-11-26, 423 tests; 98 s on
# 2026-11-27, a file's tests that share a fixture on one worker)
unit: setup-dev
	$(RUN) "$(BIN)/python" -m pytest $(XDIST) tests -m "not notebook" $(PYTEST_ARGS)

notebooks: setup-dev
	$(RUN) RUN_ALL_TWICE=all "$(BIN)/python" -m pytest tests/test_notebooks.py $(PYTEST_ARGS)

# `make notebook NB=03` (or NB=03_experiment_and_tensorboard): nbval on that notebook and its exercise test
NB ?=
notebook: setup-dev
	@[ -n "$(NB)" ] || { echo "usage: make notebook NB=03   (a notebook's number or the start of its name)" >&2; exit 2; }
	@nb=$$(ls notebooks/$(NB)*.ipynb 2>/dev/null | head -1); \
	  [ -n "$$nb" ] || { echo "no notebook matches notebooks/$(NB)*.ipynb" >&2; exit 2; }; \
	  name=$$(basename "$$nb"); \
	  $(RUN) RUN_ALL_TWICE=all "$(BIN)/python" -m pytest tests/test_notebooks.py -k "$$name" $(PYTEST_ARGS)

# each notebook in the kernel its metadata names: python3 (.venv), or 09's tf221-keras3 (.venv-tf221)
execute: setup $(if $(filter notebooks/09_%,$(NOTEBOOKS)),setup-tf221)
	@for nb in $(NOTEBOOKS); do \
	  echo "executing $$nb"; start=$$(date +%s); \
	  $(RUN) "$(BIN)/jupyter" nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=$$("$(BIN)/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["metadata"]["kernelspec"]["name"])' "$$nb") \
	    --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; \
	  echo "  $$nb: $$(( $$(date +%s) - start )) s"; \
	done
	$(RUN) "$(BIN)/python" tools/nbtidy.py --nav $(ALL_NOTEBOOKS)

nav: setup
	$(RUN) "$(BIN)/python" tools/nbtidy.py --nav $(ALL_NOTEBOOKS)

TRAIN_ARGS ?=
train: setup
	$(RUN) "$(BIN)/python" -m helpers --model_dir ./mnist_training --data_dir ./mnist_data $(TRAIN_ARGS)

bench: setup-dev
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(RUN) "$(BIN)/python" "$$script" || exit 1; done

lint: setup-dev
	$(RUN) "$(BIN)/ruff" check helpers tests tools benchmarks examples

# Diagnoses, never installs: it works (and says so in one line) when the environment is missing or broken.
# The environment's bin first on PATH, as `make lab` starts JupyterLab, so the kernel checks see what a notebook will.
doctor:
	@[ -e "$(BIN)/python" ] || { echo "FAIL  no environment: $(BIN)/python is missing - run make setup"; exit 1; }
	@"$(BIN)/python" -c "" 2>/dev/null || { echo "FAIL  the environment is broken: $(BIN)/python does not start - delete $(VENV) and run make setup"; exit 1; }
	@$(RUN) "$(BIN)/python" -m helpers.doctor

clean:
	rm -rf "$(VENV)" runs
