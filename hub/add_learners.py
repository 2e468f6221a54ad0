"""Create one system user per learner for the workshop hub (hub/jupyterhub_config.py), as root.

    python -m hub.add_learners --hub-root hub/state ada grace alan     # names on the command line
    python -m hub.add_learners --hub-root hub/state --file names.txt   # or one name a line in a file
    python -m hub.add_learners --hub-root hub/state --remove ada       # userdel -r: the user and their home

For each name: a system user of that name with a home folder only they can read (mode 700), a password of its
own (PAM: the hub's login), and their own copy of the series' notebooks in ~/tf-highlevel-mnist/notebooks (its
../runs/ is where their training runs go). The names go into HUB_ROOT/learners.txt (who may log in) and the
passwords into HUB_ROOT/learners.csv (readable by root only): print it, cut it into slips, hand them out.
An existing user keeps their files and password unless --reset is given.
"""

from __future__ import annotations

import argparse
import csv
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE = "tf-highlevel-mnist"
# a login name that useradd takes everywhere and that is safe in a URL (/user/NAME/)
NAME = re.compile(r"[a-z_][a-z0-9_-]{0,30}")
WORDS = ("tensor", "graph", "batch", "epoch", "layer", "logit", "kernel", "shard", "queue", "scalar", "metric",
         "digit", "pixel", "dense", "relu", "adam", "step", "board", "model", "input")


def new_password() -> str:
    """Three words and a number: easy to copy from a slip of paper, about 40 bits."""
    return "-".join(secrets.choice(WORDS) for _ in range(3)) + f"-{secrets.randbelow(1000):03d}"


def read_names(names: list[str], file: str | None) -> list[str]:
    if file:
        names = names + [line.split("#")[0].strip() for line in Path(file).read_text().splitlines()]
    names = [n.lower() for n in names if n]
    bad = [n for n in names if not NAME.fullmatch(n)]
    if bad:
        raise SystemExit(f"not usable as a login name (lower-case letters, digits, - and _, at most 31): {bad}")
    return list(dict.fromkeys(names))


def copy_notebooks(user: pwd.struct_passwd, reset: bool) -> Path:
    """~/tf-highlevel-mnist/notebooks: the learner's own copy, owned by them."""
    course = Path(user.pw_dir) / COURSE
    target = course / "notebooks"
    if reset and course.exists():
        shutil.rmtree(course)
    if not target.exists():
        shutil.copytree(REPO / "notebooks", target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for folder, dirs, files in os.walk(course):
        for name in [folder, *(os.path.join(folder, f) for f in dirs + files)]:
            os.chown(name, user.pw_uid, user.pw_gid)
    return target


def add(name: str, reset: bool) -> str | None:
    """Create (or keep) the user; returns the new password, or None for an existing user kept as it was."""
    try:
        pwd.getpwnam(name)
        exists = True
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name], check=True)
        exists = False
    user = pwd.getpwnam(name)
    os.chmod(user.pw_dir, 0o700)  # nobody else reads their notebooks or runs/ (useradd's HOME_MODE varies)
    copy_notebooks(user, reset)
    if exists and not reset:
        return None
    password = new_password()
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return password


def remove(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    subprocess.run(["pkill", "--signal", "KILL", "--uid", name], check=False)  # only that user's processes
    subprocess.run(["userdel", "--remove", name], check=True, stderr=subprocess.DEVNULL)


def update_lists(root: Path, added: dict[str, str | None], removed: list[str]) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    names_file, passwords_file = root / "learners.txt", root / "learners.csv"
    names = names_file.read_text().split() if names_file.exists() else []
    names = [n for n in dict.fromkeys(names + list(added)) if n not in removed]
    names_file.write_text("".join(f"{n}\n" for n in names))
    passwords = {}
    if passwords_file.exists():
        passwords = {row[0]: row[1] for row in csv.reader(passwords_file.open()) if len(row) == 2 and row[0] != "name"}
    passwords.update({n: p for n, p in added.items() if p is not None})
    fd = os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "password"])
        writer.writerows([n, passwords[n]] for n in names if n in passwords)
    os.chmod(passwords_file, 0o600)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.add_learners", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="learners' login names")
    parser.add_argument("--file", help="a file of names, one a line (# starts a comment)")
    parser.add_argument("--hub-root", default=os.environ.get("HUB_ROOT", str(REPO / "hub" / "state")),
                        help="the hub's state folder (make hub's HUB_ROOT; default hub/state)")
    parser.add_argument("--reset", action="store_true",
                        help="existing learners too: a fresh copy of the notebooks (their runs/ deleted) and a new "
                             "password")
    parser.add_argument("--remove", action="store_true", help="delete these users and their home folders")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("run it as root (it creates system users): sudo .venv/bin/python -m hub.add_learners ...")
    names = read_names(args.names, args.file)
    if not names:
        parser.error("no names given")
    root = Path(args.hub_root).resolve()
    if args.remove:
        for name in names:
            remove(name)
        update_lists(root, {}, names)
        print(f"removed {len(names)} learner(s): {' '.join(names)}")
        return 0
    added = {name: add(name, args.reset) for name in names}
    update_lists(root, added, [])
    width = max(len(n) for n in names)
    for name, password in added.items():
        print(f"{name:<{width}}  {password or '(existing user: password unchanged)'}")
    print(f"{len(names)} learner(s) in {root / 'learners.txt'}; passwords in {root / 'learners.csv'} (root only). "
          "A running hub reads the list when it starts: restart it after adding learners.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
