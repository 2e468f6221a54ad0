"""A workshop on a real JupyterHub (hub/jupyterhub_config.py), as two learners in Chromium.

`make hub` on a temporary hub root and free high ports, with two learners created by the documented admin command
(`python -m hub.add_learners`, unique names, removed with their homes at the end even when a check failed). Both
log in through the hub's login page, open their own copy of notebook 03 and Run All at the same time; each one's
inline TensorBoard loads through /user/<name>/proxy/<port>/ and shows that learner's own run. Then the refusals,
each asserted: B opening A's TensorBoard through the proxy, B opening A's server, B reading A's runs/ from a kernel
and from a shell, and requests without a login to either learner's proxy (and to the proxy's API). Last, stopping the
hub leaves no process of it or of the learners and no listening port behind. The instructor's room view is on
(SERIES_ROOM_DIR, passed on by the hub): both learners' check cells record their status there.

Needs root (system users), npm (configurable-http-proxy) and Chromium: skipped without them, except in CI
(``CI=true``), where it fails.
"""

from __future__ import annotations

import csv
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from conftest import REPO
from test_browser import (
    CHROMIUM_ARGS,
    CODE_CELLS,
    NO_BROWSER,
    NOTEBOOK,
    PROMPTS,
    check_tensorboard_frame,
    find_chromium,
    free_port,
    kernel_status,
    show,
    unavailable,
)

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.notebook]

ARTIFACTS = REPO / "test-artifacts" / "hub"
COURSE = "tf-highlevel-mnist"


@dataclass
class Hub:
    url: str
    root: Path
    proc: subprocess.Popen
    ports: dict[str, int]
    learners: dict[str, str]  # name: password
    log: Path
    room: Path  # SERIES_ROOM_DIR of every learner's kernel
    pids: set[int] = field(default_factory=set)  # every process seen of the hub (and its proxy), for the end check
    seen_ports: set[int] = field(default_factory=set)  # learners' servers and boards

    def note_processes(self) -> None:
        uids = {pwd.getpwnam(name).pw_uid for name in self.learners}
        try:
            tree = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            tree = []
        for p in tree + [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in uids]:
            self.pids.add(p.pid)
        for conn in psutil.net_connections(kind="inet"):
            if conn.status == psutil.CONN_LISTEN and conn.pid in self.pids:
                self.seen_ports.add(conn.laddr.port)


def hub_prerequisites() -> str:
    if os.geteuid() != 0:
        unavailable("the hub test creates system users: run it as root (CI does)")
    for tool in ("useradd", "userdel", "chpasswd", "runuser"):
        if shutil.which(tool) is None:
            unavailable(f"no {tool}: the hub test creates system users (Debian: apt-get install passwd util-linux)")
    if shutil.which("npm") is None:
        unavailable("no npm: `make hub` installs configurable-http-proxy with it (Debian: apt-get install npm)")
    chromium = find_chromium()
    if chromium is None:
        unavailable(NO_BROWSER)
    return chromium


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"`make hub` did not answer on {url}:\n"
                                     f"{log.read_text(errors='replace')[-3000:]}") from None
            time.sleep(0.5)


def add_learners(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hub.add_learners", "--hub-root", str(root), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    chromium = hub_prerequisites()
    root = tmp_path_factory.mktemp("hub")
    tag = secrets.token_hex(3)
    names = [f"hubt{tag}a", f"hubt{tag}b"]
    hub = room = None
    try:
        made = add_learners(root, *names)
        assert made.returncode == 0, made.stdout + made.stderr
        with open(root / "learners.csv") as f:
            learners = {row["name"]: row["password"] for row in csv.DictReader(f)}
        assert sorted(learners) == names, learners
        ports = {"HUB_PORT": free_port(), "HUB_API_PORT": free_port(), "HUB_PROXY_API_PORT": free_port()}
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
        # the instructor's room view, set up as WORKSHOP.md says: a folder learners may write to but not list
        room = Path(tempfile.mkdtemp(prefix="hub-room-"))
        room.chmod(0o1733)
        env.update({k: str(v) for k, v in ports.items()}, TMPDIR=str(root), SERIES_ROOM_DIR=str(room))
        log = root / "hub.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(["make", "-s", "hub", f"HUB_ROOT={root}", f"HUB_PORT={ports['HUB_PORT']}"],
                                    cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        hub = Hub(f"http://127.0.0.1:{ports['HUB_PORT']}", root, proc, ports, learners, log, room)
        wait_for(f"{hub.url}/hub/api", proc, log, timeout=600)  # `make hub` first installs JupyterHub and the proxy
        hub.note_processes()
        hub.chromium = chromium
        yield hub
    finally:
        try:
            if hub is not None:
                stop_hub(hub)
        finally:
            if room is not None:
                shutil.rmtree(room, ignore_errors=True)
            removed = add_learners(root, "--remove", *names)
            leftover = [n for n in names if Path(f"/home/{n}").exists() or _user_exists(n)]
            assert removed.returncode == 0 and not leftover, (removed.stdout + removed.stderr, leftover)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def stop_hub(hub: Hub) -> float:
    """SIGTERM to `make hub`'s process group, as Ctrl-C in its terminal: JupyterHub stops every learner's server and
    its proxy, then exits. Returns the seconds it took."""
    started = time.monotonic()
    hub.note_processes()
    try:
        os.killpg(hub.proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        hub.proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(hub.proc.pid, signal.SIGKILL)
        hub.proc.wait(timeout=10)
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in hub.pids) and time.monotonic() < deadline:
        time.sleep(0.5)
    return time.monotonic() - started


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def browser(hub):
    from playwright.sync_api import sync_playwright

    args = CHROMIUM_ARGS + ["--no-sandbox"]  # root: Chromium's sandbox refuses it
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=hub.chromium, args=args)
        yield chromium
        chromium.close()


# --------------------------------------------------------------------------------------------------------
# A learner in the browser
# --------------------------------------------------------------------------------------------------------
def log_in(browser, hub: Hub, name: str):
    """A fresh browser context, logged in through the hub's login page; returns (context, page)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(hub.learners[name])
    page.locator("#login_submit").click()
    page.wait_for_url(re.compile(r"/(hub/(home|spawn|spawn-pending)|user/)"), timeout=60_000)
    assert "/hub/login" not in page.url, f"{name} could not log in: {page.url}"
    return context, page


def open_notebook(page, hub: Hub, name: str) -> None:
    """The learner's own copy of notebook 03 (their server is started on the way)."""
    page.goto(f"{hub.url}/user/{name}/lab/tree/{NOTEBOOK}?reset", timeout=300_000)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=300_000)
    kernel_status(page, "Idle").wait_for(timeout=300_000)


STATE = """(selector) => ({
    queued: window.__cellsQueued,
    prompts: [...document.querySelectorAll(selector)].map(p => p.textContent.trim()),
    idle: [...document.querySelectorAll('.jp-StatusBar-TextItem')]
        .some(item => /\\| Idle$/.test(item.textContent.trim())),
})"""


def start_run_all(page) -> None:
    """Run > Run All Cells, without waiting (both learners run at once)."""
    page.evaluate("""(selector) => {
        window.__cellsQueued = false;
        const queued = () => [...document.querySelectorAll(selector)].some(p => p.textContent.includes('*'));
        new MutationObserver(() => { window.__cellsQueued ||= queued(); })
            .observe(document.body, {subtree: true, childList: true, characterData: true});
    }""", PROMPTS)
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Run", exact=True).click()
    page.locator(".lm-Menu").get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()


ROLES = {"kernel": "ipykernel_launcher", "tensorboard": "tensorboard", "server": "jupyterhub-singleuser"}


class Usage:
    """What each learner's kernel, TensorBoard and server use: peak RSS (sampled every second) and CPU seconds
    (user + system, at the last sample) - for WORKSHOP.md's server size."""

    def __init__(self, names):
        self.uids = {pwd.getpwnam(name).pw_uid: name for name in names}
        self.rss, self.cpu = {}, {}

    def sample(self) -> None:
        for p in psutil.process_iter(["uids", "cmdline", "memory_info", "cpu_times"]):
            name = self.uids.get(p.info["uids"].real) if p.info["uids"] else None
            role = next((r for r, word in ROLES.items() if any(word in part for part in p.info["cmdline"] or [])),
                        None)
            if name is None or role is None or p.info["memory_info"] is None:
                continue
            key = (name, role, p.pid)
            self.rss[key] = max(self.rss.get(key, 0), p.info["memory_info"].rss)
            self.cpu[key] = p.info["cpu_times"].user + p.info["cpu_times"].system

    def report(self) -> str:
        lines = []
        for name in sorted(set(self.uids.values())):
            for role in ROLES:
                keys = [k for k in self.rss if k[0] == name and k[1] == role]
                rss = sum(self.rss[k] for k in keys) / 2**20
                cpu = sum(self.cpu[k] for k in keys)
                lines.append(f"{name} {role}: peak RSS {rss:.0f} MiB, {cpu:.1f} CPU s ({len(keys)} process(es))")
        return "\n".join(lines)


def wait_run_all(pages: dict, timeout: float, usage: Usage | None = None) -> dict[str, list[str]]:
    """Until every page's cells have run and its kernel is idle (twice, a second apart); their prompts."""
    deadline, done, prompts = time.monotonic() + timeout, dict.fromkeys(pages, 0), {}
    while min(done.values()) < 2:
        if usage is not None:
            usage.sample()
        if time.monotonic() > deadline:
            raise AssertionError(f"Run All did not finish in {timeout:.0f} s: "
                                 f"{ {n: p.evaluate(STATE, PROMPTS) for n, p in pages.items()} }")
        time.sleep(1)
        for name, page in pages.items():
            if done[name] >= 2:
                continue
            now = page.evaluate(STATE, PROMPTS)
            ok = now["queued"] and now["idle"] and not any("*" in p for p in now["prompts"])
            done[name] = done[name] + 1 if ok else 0
            prompts[name] = now["prompts"]
    return prompts


def run_in_kernel(page, code: str, timeout: float = 60) -> str:
    """Add a cell at the end of the open notebook, run it, return its output text."""
    cells = page.locator(CODE_CELLS)
    count = cells.count()
    last = cells.nth(count - 1)
    show(last)
    last.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new cell below, in edit mode
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    cell = cells.nth(count)  # the new one
    output = cell.locator(".jp-OutputArea-output")
    output.first.wait_for(timeout=timeout * 1000)
    return " ".join(output.all_text_contents())


def get(url: str, cookies: str | None = None) -> tuple[int, str, str]:
    """(status, Location, body) of one request, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookies} if cookies else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.headers.get("Location", ""), response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location", ""), e.read(2000).decode(errors="replace")


# --------------------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------------------
def test_two_learners_on_the_hub(hub, browser):
    a, b = sorted(hub.learners)
    started = time.monotonic()
    contexts, pages = {}, {}
    try:
        for name in (a, b):
            contexts[name], pages[name] = log_in(browser, hub, name)
        for name in (a, b):
            open_notebook(pages[name], hub, name)
        for name in (a, b):
            start_run_all(pages[name])
        usage = Usage(hub.learners)
        prompts = wait_run_all(pages, timeout=900, usage=usage)
        ran = time.monotonic() - started
        hub.note_processes()

        boards = {}
        for name in (a, b):
            home = Path(pwd.getpwnam(name).pw_dir)
            assert oct(home.stat().st_mode & 0o777) == "0o700", f"{home} is readable by others"
            not_run = [p for p in prompts[name] if not re.fullmatch(r"\[\d+\]:", p)]
            assert not not_run, f"{name}: cells that did not run: {not_run}"
            page = pages[name]
            cells = page.locator(CODE_CELLS)
            board = [i for i in range(cells.count()) if "%tensorboard" in (cells.nth(i).locator(
                ".jp-InputArea-editor").text_content() or "")]
            assert len(board) == 1, board
            cell = cells.nth(board[0])
            notebooks = home / COURSE / "notebooks"
            seen = check_tensorboard_frame(cell, home / COURSE / "runs" / "03_experiment", notebooks)
            assert seen["cards"] == {"loss": [".", "eval"], "accuracy": ["eval"]}, seen
            src = cell.locator("iframe").first.get_attribute("src")
            match = re.search(rf"/user/{name}/proxy/(\d+)/", src or "")
            assert match, f"{name}'s TensorBoard frame does not load through the hub's proxy: {src}"
            boards[name] = int(match.group(1))
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            cell.locator("iframe").first.screenshot(path=ARTIFACTS / f"tensorboard_{name[-1]}.png")
        usage.sample()
        hub.note_processes()
        print(f"\nRun All of {NOTEBOOK} by two learners at once: {ran:.0f} s; what each used:\n{usage.report()}")

        # the room view: each learner's check cells recorded their status (nothing answered: not started)
        from helpers.room import read_room

        seen_room = read_room(hub.room).get(NOTEBOOK.removesuffix(".ipynb"), {})
        assert sorted(seen_room) == [a, b], f"the room view shows {sorted(seen_room)} for {NOTEBOOK}"
        statuses = {e["status"] for entries in seen_room.values() for e in entries.values()}
        assert statuses == {"not started"} and all(len(entries) >= 2 for entries in seen_room.values()), seen_room
        shown = subprocess.run([sys.executable, "-m", "helpers.room", str(hub.room), "--once"], cwd=REPO,
                               capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0 and a in shown.stdout and b in shown.stdout, shown.stdout + shown.stderr
        print(shown.stdout)

        # --- nobody gets in where they don't belong ---------------------------------------------------------
        page_b = pages[b]
        refusals = {}
        # B opens A's TensorBoard through the proxy: the hub refuses B access to A's server
        response = page_b.goto(f"{hub.url}/user/{a}/proxy/{boards[a]}/data/runs")
        body = page_b.content()
        refusals["B -> A's TensorBoard"] = response.status
        assert response.status == 403 and "03_experiment" not in body and '"eval"' not in body, (response.status,
                                                                                                 body[:500])
        # ... while B's own board answers B through the same proxy
        own = contexts[b].request.get(f"{hub.url}/user/{b}/proxy/{boards[b]}/data/runs")
        assert own.status == 200 and "eval" in own.json(), (own.status, own.text()[:300])
        # B opens A's server: the lab and its contents API
        for path in ("lab", "api/contents/03_experiment_and_tensorboard.ipynb?content=0"):
            response = page_b.goto(f"{hub.url}/user/{a}/{path}")
            refusals[f"B -> A's server /{path.split('?')[0]}"] = response.status
            assert response.status == 403, (path, response.status, page_b.url)
        # B reads A's runs/ from a kernel (B's own notebook) and from a shell as B
        checkpoint = Path(pwd.getpwnam(a).pw_dir) / COURSE / "runs" / "03_experiment" / "checkpoint"
        assert checkpoint.is_file(), checkpoint
        open_notebook(page_b, hub, b)
        said = run_in_kernel(page_b, (
            f"try:\n    print('read', len(open({str(checkpoint)!r}).read()), 'characters')\n"
            "except OSError as e:\n    print('refused:', type(e).__name__)"))
        refusals["B's kernel reads A's runs/"] = said.strip()
        assert "refused: PermissionError" in said, said
        shell = subprocess.run(["runuser", "-u", b, "--", "ls", str(checkpoint.parent)], capture_output=True,
                               text=True, timeout=30)
        refusals["B's shell lists A's runs/"] = shell.stderr.strip()
        assert shell.returncode != 0 and "Permission denied" in shell.stderr, shell
        # no login: either learner's proxy sends the request to the hub's login, never to the board
        for name in (a, b):
            status, location, body = get(f"{hub.url}/user/{name}/proxy/{boards[name]}/data/runs")
            refusals[f"no login -> {name[-1]}'s TensorBoard"] = f"{status} {location.split('?')[0]}"
            assert status in (302, 403) and "eval" not in body, (status, location, body[:300])
            assert status == 403 or "/hub/" in location, location
            with urllib.request.urlopen(f"{hub.url}/user/{name}/proxy/{boards[name]}/", timeout=30) as response:
                landed, body = response.url, response.read().decode(errors="replace")  # redirects followed
            assert "/hub/login" in landed and 'name="password"' in body, (landed, body[:300])
        # ... nor does the proxy's own API answer without its token
        status, _, _ = get(f"http://127.0.0.1:{hub.ports['HUB_PROXY_API_PORT']}/api/routes")
        refusals["no token -> proxy API"] = status
        assert status == 403, status
        print(f"\nRun All of {NOTEBOOK} by two learners at once on the hub: {ran:.0f} s; refusals: {refusals}")
    finally:
        for name, context in contexts.items():
            try:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                pages[name].screenshot(path=ARTIFACTS / f"learner_{name[-1]}.png", full_page=True)
            except Exception:
                pass
            context.close()


def test_stopping_the_hub_leaves_nothing_behind(hub):
    hub.note_processes()
    ports = set(hub.ports.values()) | hub.seen_ports
    took = stop_hub(hub)
    uids = {pwd.getpwnam(name).pw_uid for name in hub.learners}
    left = [p for p in psutil.process_iter(["pid", "uids", "cmdline"])
            if p.info["pid"] in hub.pids or (p.info["uids"] and p.info["uids"].real in uids)]
    left = [(p.pid, " ".join(p.info["cmdline"] or [])[:100]) for p in left if _alive(p.pid)]
    assert not left, f"processes left after the hub stopped: {left}"
    listening = sorted({c.laddr.port for c in psutil.net_connections(kind="inet")
                        if c.status == psutil.CONN_LISTEN and c.laddr.port in ports})
    assert not listening, f"ports still listening after the hub stopped: {listening} (of {sorted(ports)})"
    print(f"\nthe hub stopped in {took:.1f} s; {len(hub.pids)} processes and the ports {sorted(ports)} are gone")
