# JupyterHub configuration for a workshop of the series on one machine: `make hub` starts it
# (`jupyterhub -f hub/jupyterhub_config.py`, run as root from the hub's state folder).
#
# - Every learner is a real system user (created by `python -m hub.add_learners NAME ...`), and their server is a
#   process of that user (LocalProcessSpawner): the kernel, TensorBoard and every file they write belong to them,
#   and their home folder is theirs alone (mode 700) - a learner cannot read another's notebooks or runs/.
# - Each learner works in their own copy of the notebooks, ~/tf-highlevel-mnist/notebooks (add_learners copies
#   them), so the notebooks' ../runs/ is ~/tf-highlevel-mnist/runs.
# - The kernel is the series' environment (.venv of this repository, TensorFlow 2.15): the server is that
#   environment's jupyterhub-singleuser, and its bin/ is first on PATH, so `tensorboard` is the pinned one.
# - TensorBoard shows inline through the learner's own server: the hub sets JUPYTERHUB_SERVICE_PREFIX
#   (/user/NAME/), helpers.tensorboard.prepare_tensorboard turns it into TENSORBOARD_PROXY_URL
#   (/user/NAME/proxy/%PORT%/), and jupyter-server-proxy forwards that path to the board. The proxy sits behind
#   the learner's server, so it lets in only that learner (the hub's login), never another one.
#
# Passwords: JupyterHub's default PAMAuthenticator - each learner logs in with their system user's own password,
# which add_learners generates and hands to the instructor (hub state folder, learners.csv, readable by root only).
# Why not one shared password (jupyterhub's SharedPasswordAuthenticator, or DummyAuthenticator)? With it, anyone who
# knows the password can log in as *any* learner - the hub cannot tell them apart, so "B cannot open A's server"
# would hold only as long as B does not type A's name. NativeAuthenticator (learners sign up and choose their own
# password) avoids that too, but is a separate package with a sign-up and an approval step that costs time at the
# start of a workshop. Per-learner passwords on a slip of paper cost nothing and need nothing more installed.
#
# Settings from the environment (all optional; `make hub` passes them on):
#   HUB_ROOT           the hub's state folder: database, cookie secret, proxy token, learners.txt (default: cwd)
#   HUB_IP, HUB_PORT   where learners connect (default 0.0.0.0:8000)
#   HUB_API_PORT       the hub's own port, for the proxy and the servers (default 8081, on 127.0.0.1)
#   HUB_PROXY_API_PORT configurable-http-proxy's API port (default 8001, on 127.0.0.1)
#   HUB_ENV            the environment of the learners' servers and kernels (default: the one running the hub)
#   SERIES_ROOM_DIR    the room view's folder, passed on to every learner's kernel (default: unset, no room view)
#   HUB_PROXY_COMMAND  configurable-http-proxy (default: hub/node_modules/.bin/configurable-http-proxy, npm-installed
#                      by `make hub`)
import os
import pwd
import signal
import sys
from pathlib import Path

import psutil

c = get_config()  # noqa: F821 - JupyterHub defines it when it reads this file

REPO = Path(__file__).resolve().parent.parent
# The series' environment as the learners run it: .venv, or hub/env when .venv's Python is out of their reach
# (hub/public_env.py; `make hub` sets HUB_ENV)
ENV_BIN = Path(os.environ.get("HUB_ENV", Path(sys.executable).parent.parent)) / "bin"
ROOT = Path(os.environ.get("HUB_ROOT", os.getcwd())).resolve()
COURSE = "tf-highlevel-mnist"  # the folder in each learner's home: notebooks/ and runs/

# --- where it listens --------------------------------------------------------------------------------------
c.JupyterHub.ip = os.environ.get("HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(os.environ.get("HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [os.environ.get(
    "HUB_PROXY_COMMAND", str(REPO / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"))]
# A stopped hub stops the proxy and every learner's server with it (the defaults, stated: `make hub`, Ctrl-C, and
# nothing is left running - post_stop_hook below also ends the kernels' TensorBoards)
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.cleanup_servers = True

# --- state, kept in the hub's folder, not in the repository -----------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(ROOT / "jupyterhub.pid")

# --- who may log in: the learners add_learners created, with their own passwords --------------------------------
c.JupyterHub.authenticator_class = "pam"
learners_file = ROOT / "learners.txt"
c.Authenticator.allowed_users = set(learners_file.read_text().split()) if learners_file.exists() else set()
c.PAMAuthenticator.open_sessions = False  # no login session per server (containers often lack systemd-logind)

# --- each learner's server ---------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = f"~/{COURSE}/notebooks"
c.Spawner.default_url = "/lab/tree/00_start_here.ipynb"
c.Spawner.ip = "127.0.0.1"
c.Spawner.http_timeout = 120  # the first start of a server imports a lot on a small machine
c.Spawner.start_timeout = 120


def _home(spawner) -> str:
    return pwd.getpwnam(spawner.user.name).pw_dir


c.Spawner.environment = {
    # the environment's bin first, as `make lab` does: its python is the kernel, its tensorboard the board
    "PATH": f"{ENV_BIN}:/usr/local/bin:/usr/bin:/bin",
    # a temporary folder of the learner's own: TensorBoard keeps its list of running boards there (TMPDIR/
    # .tensorboard-info), which learners must not share
    "TMPDIR": lambda spawner: os.path.join(_home(spawner), ".tmp"),
    "MPLCONFIGDIR": lambda spawner: os.path.join(_home(spawner), ".cache", "matplotlib"),
}
# The instructor's room view (WORKSHOP.md, "The room view"), when `make hub` runs with SERIES_ROOM_DIR set: every
# learner's check cells record their status there. Off by default.
if os.environ.get("SERIES_ROOM_DIR"):
    c.Spawner.environment["SERIES_ROOM_DIR"] = os.environ["SERIES_ROOM_DIR"]


def pre_spawn_hook(spawner) -> None:
    """The learner's temporary folder exists, theirs alone, before their server starts."""
    user = pwd.getpwnam(spawner.user.name)
    tmp = Path(user.pw_dir) / ".tmp"
    tmp.mkdir(mode=0o700, exist_ok=True)
    os.chown(tmp, user.pw_uid, user.pw_gid)


def post_stop_hook(spawner) -> None:
    """End whatever the learner's server left running: kernels and, above all, the TensorBoards that %tensorboard
    started (they outlive the kernel). Only processes of that learner's own system user."""
    try:
        uid = pwd.getpwnam(spawner.user.name).pw_uid
    except KeyError:
        return
    left = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]
    for process in left:
        try:
            process.send_signal(signal.SIGTERM)
        except psutil.Error:
            pass
    _, left = psutil.wait_procs(left, timeout=10)
    for process in left:
        try:
            process.kill()
        except psutil.Error:
            pass


c.Spawner.pre_spawn_hook = pre_spawn_hook
c.Spawner.post_stop_hook = post_stop_hook
