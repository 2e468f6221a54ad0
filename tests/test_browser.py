"""The main use case, in a real browser: `make lab`, open notebook 03, Run > Run All Cells, watch TensorBoard inline.

JupyterLab is started through the Makefile's ``lab`` target (what the README tells people to run) on a temporary
copy of ``notebooks/`` - JupyterLab saves notebooks and 03 writes ``../runs/``, so the copy's ``../runs`` is
temporary too. Chromium, driven by Playwright, clicks the Run menu like a learner, waits for every cell, and checks
that no cell raised and that the ``%tensorboard`` frame shows the loss and accuracy of this very run. The frame
check is itself tested on deliberately broken boards (an empty logdir; a kernel whose PATH lacks the environment's
``bin/``), so it cannot pass on a frame that shows nothing. Screenshots go to ``test-artifacts/browser/``.

The browser is Debian's ``chromium`` (or ``CHROMIUM_PATH``, or ``chromium-browser`` / ``google-chrome`` on PATH);
without one the tests are skipped - except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import REPO

from helpers.tensorboard import read_scalars

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

ARTIFACTS = REPO / "test-artifacts" / "browser"
NOTEBOOK = "03_experiment_and_tensorboard.ipynb"
BROKEN = "broken_tensorboard.ipynb"
NO_BROWSER = "no Chromium found: install Debian's chromium or set CHROMIUM_PATH"
# Without the background-networking flags Chromium keeps calling Google's services (a closed network floods).
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
# IPython's rendering of an exception (a warning or other text on stderr has neither)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*Cell In\[\d+\], line \d+", re.M)


def find_chromium() -> str | None:
    """CHROMIUM_PATH, else the first of chromium, chromium-browser, google-chrome on PATH."""
    path = os.environ.get("CHROMIUM_PATH")
    if path:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            pytest.fail(f"CHROMIUM_PATH={path} is not an executable file")
        return path
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


def unavailable(reason: str):
    """Skip - but in CI fail, so a missing browser cannot silently turn the test off."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason} (CI=true: the browser test must run in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    path = find_chromium()
    if path is None:
        unavailable(NO_BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: `make setup-dev` installs it (environment.yml's dev-extras)")
    args = CHROMIUM_ARGS + (["--no-sandbox"] if os.geteuid() == 0 else [])  # Chromium's sandbox refuses root
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=args)
        yield chromium
        chromium.close()


# --------------------------------------------------------------------------------------------------------
# `make lab` on a temporary copy of notebooks/
# --------------------------------------------------------------------------------------------------------
@dataclass
class Lab:
    url: str
    token: str
    notebooks: Path  # the folder it serves; the notebooks' ../runs is its sibling

    def open(self, page, name: str):
        """Open a notebook the way its link does, and wait until its kernel is idle."""
        page.goto(f"{self.url}/lab/tree/{name}?reset&token={self.token}")  # reset: no restored workspace
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
        kernel_status(page, "Idle").wait_for(timeout=120_000)


def kernel_status(page, status: str):
    """The status bar's "Python 3 (ipykernel) | Idle"."""
    return page.locator(".jp-StatusBar-TextItem", has_text=re.compile(rf"\| {status}$"))


# Tiny notebook of deliberately broken cases, run in the same lab: the checks must catch each one.
BROKEN_CELLS = [
    # 0: a board on a logdir with no event files: "No dashboards are active for the current data set"
    '%load_ext tensorboard\nfrom pathlib import Path\n\nfrom helpers.tensorboard import prepare_tensorboard\n\n'
    'EMPTY = Path("../runs/empty")\nEMPTY.mkdir(parents=True, exist_ok=True)\nport = prepare_tensorboard(EMPTY)\n'
    '%tensorboard --logdir {EMPTY} --port {port}',
    # 1: a kernel whose PATH lacks the environment's bin/ (and no TENSORBOARD_BINARY): "Could not find `tensorboard`"
    'import os\n\nos.environ.pop("TENSORBOARD_BINARY", None)\nos.environ["PATH"] = os.pathsep.join(\n'
    '    d for d in os.environ["PATH"].split(os.pathsep) if not os.path.exists(os.path.join(d, "tensorboard")))\n'
    '%tensorboard --logdir {EMPTY}',
    # 2: stderr that is not an error: a warning, and a line that merely says "Error"
    'import sys\nimport warnings\n\nwarnings.warn("a warning on stderr is not an error")\n'
    'print("Error: a program wrote this to stderr", file=sys.stderr)',
    # 3: an error
    'raise ValueError("deliberately broken")',
]


def write_broken_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in BROKEN_CELLS]
    nbformat.write(nb, path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab LAB_DIR=<copy> LAB_ARGS=...` headless on a free port; stopped with all it started (kernels,
    TensorBoards) at the end, also when a test failed."""
    root = tmp_path_factory.mktemp("browser")
    notebooks = root / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    write_broken_notebook(notebooks / BROKEN)
    # JupyterLab's own state in the temporary folder: the user's settings and workspaces neither change what this
    # test sees nor are changed by it; and no "get notified about official Jupyter news?" toast over the page.
    settings = root / "lab-settings"
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token} "
            f"--LabApp.user_settings_dir={settings} --LabApp.workspaces_dir={root / 'lab-workspaces'}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    # A temporary folder of its own, and with it TensorBoard's list of running boards (TMPDIR/.tensorboard-info):
    # a pytest session ending elsewhere on the machine stops the boards it finds in the shared temporary folder
    # (tests/conftest.py), which would take this test's board away mid-check.
    env["TMPDIR"] = str(root / "tmp")
    (root / "tmp").mkdir()
    log = root / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_DIR={notebooks}", f"LAB_ARGS={args}"], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # `make lab` first updates .venv when environment.yml changed
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"`make lab` did not answer on port {port}:\n"
                                         f"{log.read_text(errors='replace')[-3000:]}") from None
                time.sleep(0.5)
        try:  # the copy, not the repository's notebooks/ (which JupyterLab would save into)
            urllib.request.urlopen(f"{url}/api/contents/{BROKEN}?content=0&token={token}", timeout=10).close()
        except OSError as e:
            raise AssertionError(f"`make lab LAB_DIR={notebooks}` serves another folder ({e}): does the Makefile's "
                                 "lab target start JupyterLab in $(LAB_DIR)?") from None
        yield Lab(url, token, notebooks)
    finally:
        stop_everything(proc)


def stop_everything(proc: subprocess.Popen) -> None:
    """Stop make, JupyterLab, its kernels and the TensorBoards they started (the kernels run in sessions of their
    own and the boards outlive them, so stopping the process group is not enough)."""
    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # make and JupyterLab; JupyterLab shuts its kernels down
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    left = [p for p in tree if alive(p)]  # kernels that outlived JupyterLab, and the boards they started
    for p in left:
        p.terminate()
    _, left = psutil.wait_procs(left, timeout=10)
    for p in left:
        p.kill()


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# --------------------------------------------------------------------------------------------------------
# What a learner does and sees
# --------------------------------------------------------------------------------------------------------
@pytest.fixture
def page(browser, lab, request):
    """A fresh browser page; its full-page screenshot is kept as an artifact, also when the test failed."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    yield page
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    finally:
        context.close()


NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CODE_CELLS = f"{NOTEBOOK_PANEL} .jp-CodeCell"
PROMPTS = f"{CODE_CELLS} .jp-InputArea-prompt"


def run_all_cells(page, timeout: float) -> list[str]:
    """Run > Run All Cells from the menu bar; wait until every cell has run and the kernel is idle. Returns each
    code cell's prompt ("[12]:"; "[ ]:" for one that did not run, e.g. after an error)."""
    # The stored notebook already shows execution counts: "done" counts only after a cell was seen queued ([*]).
    page.evaluate("""(selector) => {
        window.__cellsQueued = false;
        const queued = () => [...document.querySelectorAll(selector)].some(p => p.textContent.includes('*'));
        new MutationObserver(() => { window.__cellsQueued ||= queued(); })
            .observe(document.body, {subtree: true, childList: true, characterData: true});
    }""", PROMPTS)
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Run", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    state = """(selector) => ({
        queued: window.__cellsQueued,
        prompts: [...document.querySelectorAll(selector)].map(p => p.textContent.trim()),
        idle: [...document.querySelectorAll('.jp-StatusBar-TextItem')]
            .some(item => /\\| Idle$/.test(item.textContent.trim())),
    })"""
    deadline, done_twice = time.monotonic() + timeout, 0
    while done_twice < 2:  # idle twice, a second apart: between two cells the kernel is idle for a moment
        if time.monotonic() > deadline:
            raise AssertionError(f"Run All Cells did not finish in {timeout:.0f} s: {page.evaluate(state, PROMPTS)}")
        time.sleep(1)
        now = page.evaluate(state, PROMPTS)
        done = now["queued"] and now["idle"] and not any("*" in p for p in now["prompts"])
        done_twice = done_twice + 1 if done else 0
    return now["prompts"]


def save_notebook(page, path: Path):
    """File > Save Notebook; returns the saved notebook."""
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="File", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name=re.compile(r"^Save Notebook(?! As)")).click()
    page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)", has_text=path.name).first.wait_for(
        timeout=30_000)
    return nbformat.read(path, as_version=4)


def saved_errors(nb) -> list[tuple[int, str]]:
    """(code cell index, "ename: evalue") of each error output in the saved notebook - exact, unlike the page."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [(i, f"{o.ename}: {o.evalue}") for i, c in enumerate(code) for o in c.outputs if o.output_type == "error"]


def show(locator) -> None:
    """Scroll an element into view as a learner would. (Playwright's own scrolling waits for the element to stand
    still, which a notebook cell whose outputs are being laid out, or a live TensorBoard, may never do.)"""
    locator.evaluate("element => element.scrollIntoView({block: 'center'})")


def rendered_errors(page, nb) -> list[tuple[int, str]]:
    """(code cell index, end of the text) of each exception the page shows, scrolling through the notebook - an
    offscreen cell's outputs are not drawn. JupyterLab renders an error like text on stderr
    (application/vnd.jupyter.stderr), so an error is told apart by IPython's traceback, not by the word "Error"."""
    errors = []
    for index, saved in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell = page.locator(CODE_CELLS).nth(index)
        show(cell)
        outputs = cell.locator(".jp-OutputArea-output")
        deadline = time.monotonic() + 10
        while outputs.count() < len(saved.outputs) and time.monotonic() < deadline:
            time.sleep(0.1)
        for text in cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]') \
                .all_text_contents():
            if TRACEBACK.search(text):
                errors.append((index, text.strip()[-300:]))
    return errors


def fetch_json(frame, path: str):
    """GET a path of the TensorBoard the frame shows, from inside the frame (as its own page does)."""
    try:
        return frame.evaluate("async (path) => { const r = await fetch(path); return r.ok ? await r.json() : null; }",
                              path)
    except Exception as e:
        raise AssertionError(f"the TensorBoard of the frame ({frame.url}) does not answer {path} - was it stopped? "
                             f"{str(e).splitlines()[0]}") from None


def check_tensorboard_frame(cell, logdir: Path, lab_dir: Path, tags=("loss", "accuracy"), timeout: float = 120):
    """Raise AssertionError unless the inline TensorBoard in ``cell`` (the code cell that ran ``%tensorboard``)
    shows a scalar card for each of ``tags``, drawn for the runs of ``logdir`` that logged it, on the board of
    ``logdir`` serving exactly the steps in its event files. Filters the board's tags to ``tags`` (TensorBoard's
    "Filter tags" box), so the cards are side by side for the screenshot. Returns what it saw."""
    show(cell)
    cell.locator(".jp-OutputArea-output").first.wait_for(timeout=30_000)
    deadline = time.monotonic() + timeout
    while True:  # the frame, or the cell's last word (the magic says "Launching TensorBoard..." until it is up)
        said = " | ".join(" ".join(t.split()) for t in cell.locator(".jp-OutputArea-output").all_text_contents())
        running = "*" in cell.locator(".jp-InputArea-prompt").text_content() or "Launching TensorBoard" in said
        if cell.locator("iframe").count() or not running or time.monotonic() > deadline:
            break
        time.sleep(1)
    if cell.locator("iframe").count() == 0:
        raise AssertionError(f"no TensorBoard frame in the %tensorboard cell; its output says: {said[:400]!r}")
    iframe = cell.locator("iframe").first
    show(iframe)
    frame = iframe.element_handle().content_frame()
    empty = frame.get_by_text("No dashboards are active")
    try:  # TensorBoard's dashboard, or its page saying there is none
        frame.locator("tb-data-table-content-row").or_(empty).first.wait_for(timeout=timeout * 1000)
    except Exception:
        body = " ".join((frame.locator("body").text_content(timeout=5000) or "").split())
        raise AssertionError(f"the TensorBoard frame ({iframe.get_attribute('src')}) showed no dashboard in "
                             f"{timeout:.0f} s; it says {body[:300]!r} (is that TensorBoard running?); the cell "
                             f"says {said[:300]!r}") from None
    if empty.count():
        body = " ".join(frame.locator("body").inner_text().split())
        logdir_shown = re.search(r"Log directory: \S+", body)
        raise AssertionError(f"the TensorBoard frame shows an empty dashboard: {empty.first.inner_text().strip()!r} "
                             f"({logdir_shown.group(0) if logdir_shown else 'no log directory shown'})")

    # the board of this logdir ...
    location = fetch_json(frame, "data/environment")["data_location"]
    assert (lab_dir / location).resolve() == logdir.resolve(), f"the TensorBoard frame shows {location}, not {logdir}"
    # ... listing its runs ...
    expected = read_scalars(logdir)  # {run: {tag: (steps, values)}}, with TensorBoard's own reader
    runs = frame.locator("tb-data-table-content-row .table-column-run")
    while sorted(" ".join(t.split()) for t in runs.all_text_contents()) != sorted(expected):
        if time.monotonic() > deadline:
            raise AssertionError(f"the TensorBoard frame lists the runs {runs.all_text_contents()}, "
                                 f"the event files of {logdir} have {sorted(expected)}")
        time.sleep(1)
    # ... a card for each tag, with the runs that logged it (the card's table: run, value at the last step) ...
    settings = frame.locator('button[aria-label="Toggle settings side pane"][aria-pressed="true"]')
    if settings.count():
        settings.click()  # make room: the cards side by side
    tag_filter = frame.locator('input[placeholder="Filter tags (regex)"]')
    tag_filter.fill("^(" + "|".join(re.escape(tag) for tag in tags) + ")$")
    tag_filter.press("Escape")  # close the suggestions over the cards
    cards = {}
    for tag in tags:
        card = frame.locator("scalar-card").filter(
            has=frame.locator(".tag", has_text=re.compile(rf"^\s*{re.escape(tag)}\s*$"))).first
        want = sorted(run for run, run_tags in expected.items() if tag in run_tags)
        while True:
            shown = sorted(card.locator("tb-data-table-content-row").evaluate_all(
                "rows => rows.map(row => row.querySelectorAll('tb-data-table-content-cell')[1].textContent.trim())"))
            if shown == want and want:
                break
            if time.monotonic() > deadline:
                titles = frame.locator("scalar-card .tag").all_text_contents()
                raise AssertionError(f"the TensorBoard frame's {tag!r} card shows the runs {shown}, the event files "
                                     f"have {want}; the cards shown: {titles}")
            time.sleep(1)
        cards[tag] = shown
        # ... drawn from this run's event files: the board serves exactly their steps (it re-reads them every 5 s)
        for run in want:
            steps = sorted(int(step) for step in expected[run][tag][0])
            while True:
                points = fetch_json(frame, "data/plugin/scalars/scalars?" + urllib.parse.urlencode(
                    {"run": run, "tag": tag})) or []
                served = sorted({int(step) for _, step, _ in points})
                if served == steps:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"TensorBoard's {run}/{tag} has the steps {served}, its event files {steps}")
                time.sleep(1)
    return {"location": location, "runs": sorted(expected), "cards": cards}


# --------------------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------------------
def test_run_all_in_notebook_03_shows_its_run_in_tensorboard(page, lab):
    started = time.monotonic()
    lab.open(page, NOTEBOOK)
    prompts = run_all_cells(page, timeout=600)
    ran = time.monotonic() - started

    nb = save_notebook(page, lab.notebooks / NOTEBOOK)
    code = [c for c in nb.cells if c.cell_type == "code"]
    not_run = [f"cell {i} ({code[i].source.splitlines()[0][:60]!r}): {p!r}" for i, p in enumerate(prompts)
               if not re.fullmatch(r"\[\d+\]:", p)]
    assert len(prompts) == len(code) and not not_run, f"cells without an execution count: {not_run}"
    assert not saved_errors(nb), f"cells that raised (code cell index, error): {saved_errors(nb)}"
    raised = rendered_errors(page, nb)
    assert not raised, f"the page shows errors (code cell index, end of the traceback): {raised}"

    board = [i for i, c in enumerate(code) if "%tensorboard" in c.source]
    assert len(board) == 1, board
    cell = page.locator(CODE_CELLS).nth(board[0])
    seen = check_tensorboard_frame(cell, lab.notebooks.parent / "runs" / "03_experiment", lab.notebooks)
    assert seen["cards"] == {"loss": [".", "eval"], "accuracy": ["eval"]}, seen  # training and evaluation

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    cell.locator("iframe").first.screenshot(path=ARTIFACTS / "03_tensorboard_frame.png")
    # the same frame is not the board of another run (03's TF 2 side-by-side run)
    other = lab.notebooks.parent / "runs" / "03_tf2_train_and_evaluate"
    with pytest.raises(AssertionError, match="shows ../runs/03_experiment, not") as caught:
        check_tensorboard_frame(cell, other, lab.notebooks, timeout=30)
    print("\nanother run's logdir:", caught.value)
    print(f"\nRun All of {NOTEBOOK} in JupyterLab: {ran:.0f} s, all checks {time.monotonic() - started:.0f} s; "
          f"TensorBoard shows {seen}")
    # the page's own screenshot is taken by the fixture: the frame in the notebook


def test_frame_check_fails_on_a_broken_tensorboard(page, lab):
    """The checks above on deliberately broken cells: they must fail, and say why."""
    lab.open(page, BROKEN)
    prompts = run_all_cells(page, timeout=180)
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), prompts
    cells = page.locator(CODE_CELLS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    empty = lab.notebooks.parent / "runs" / "empty"
    with pytest.raises(AssertionError, match="empty dashboard: .*No dashboards are active") as caught:
        check_tensorboard_frame(cells.nth(0), empty, lab.notebooks, timeout=60)
    print("\nan empty logdir:", caught.value)
    page.screenshot(path=ARTIFACTS / "broken_empty_logdir.png", full_page=True)

    with pytest.raises(AssertionError, match="no TensorBoard frame .* Could not find `tensorboard`") as caught:
        check_tensorboard_frame(cells.nth(1), empty, lab.notebooks, timeout=60)
    print("PATH without the environment's bin/:", caught.value)
    page.screenshot(path=ARTIFACTS / "broken_path.png", full_page=True)

    # a warning and the word "Error" on stderr are not errors; the exception is
    nb = save_notebook(page, lab.notebooks / BROKEN)
    assert saved_errors(nb) == [(3, "ValueError: deliberately broken")]
    errors = rendered_errors(page, nb)
    assert [i for i, _ in errors] == [3] and "ValueError: deliberately broken" in errors[0][1], errors
