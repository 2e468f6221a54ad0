"""The instructor's room view: who is where on which exercise, during a workshop.

Off by default. A workshop turns it on by giving every learner's kernel the environment variable
``SERIES_ROOM_DIR`` (a folder every learner may write to, e.g. ``/srv/room``; on this series' hub:
``sudo SERIES_ROOM_DIR=/srv/room make hub``, which hub/jupyterhub_config.py passes on to every learner's server;
on another hub, add the key to its ``c.Spawner.environment``). Then every check cell
(:func:`helpers.exercises.check` and :func:`helpers.exercises.check_answer`) records, per exercise, the
learner's status - and nothing else:

- the learner's user name (``JUPYTERHUB_USER``, else the system user), the notebook's name, the exercise's name;
- its status: ``not started`` (the answer cell is still empty), ``trying`` (checked and not right yet) or
  ``correct``; the number of attempts (check runs with an answer); the last hint's *mistake name* (a short label
  of the hint, such as ``in PREDICT mode labels is None``); the time of the last check.

No code, no answer, no output, no hint text beyond that label. One small JSON file per learner and notebook
(``<user>--<notebook>.json``), replaced atomically, so thirty learners writing at once never mix. A folder that
is missing or unwritable never fails the learner's cell: the check prints its verdict as always and the room
view stays silent (:data:`LAST_ERROR` keeps the reason, for the instructor).

The instructor reads the folder with ``python -m helpers.room /srv/room`` (a table per notebook, learners x
exercises, and a summary line per exercise: how many done, how many stuck, the most common mistake), refreshed
every few seconds (``--watch 10``) or printed once (``--once``); ``--html room.html`` also writes a page that
reloads itself, ``--serve 8050`` serves it. Stdlib only.
"""

from __future__ import annotations

import argparse
import getpass
import html
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

#: The environment variable that turns the room view on: the folder the status files go to.
ENV = "SERIES_ROOM_DIR"
#: The keys of a status file, and of each exercise's entry in it: everything the room view records.
FILE_KEYS = ("user", "notebook", "exercises")
ENTRY_KEYS = ("status", "attempts", "mistake", "time")
STATUSES = ("not started", "trying", "correct")
#: Why the latest recording failed (None when it worked or the room view is off); never shown to the learner.
LAST_ERROR: str | None = None


def room_dir() -> Path | None:
    """The folder named by ``SERIES_ROOM_DIR``, or None when the room view is off."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser() if value else None


def learner() -> str:
    """The learner's name: the hub's user name, else the system user's."""
    name = os.environ.get("JUPYTERHUB_USER", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no name for this uid (a container): the uid will do
            name = f"uid{os.getuid()}"
    return name


def notebook() -> str:
    """The notebook this kernel runs, from the path Jupyter gives the kernel (``JPY_SESSION_NAME``), without
    ``.ipynb``; ``"?"`` outside Jupyter."""
    path = os.environ.get("JPY_SESSION_NAME", "").strip()
    if not path:
        return "?"
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.removesuffix(".ipynb") or "?"


def mistake_name(hint: str) -> str:
    """A short label for a hint, the same for every learner who gets it: its first clause, at most eight words,
    with numbers and quoted or bracketed values left out (``"your network has 3 dropout layer(s); ..."`` ->
    ``"your network has N dropout layer(s)"``)."""
    text = str(hint).strip().splitlines()[0] if str(hint).strip() else ""
    text = re.sub(r"(?<!\w)'[^'\n]*?'(?!\w)|\"[^\"]*\"|`[^`]*`|\[[^\]]*\]|\{[^}]*\}| \([^)]*\)", " …", text)
    text = re.sub(r"(?<![\w.])\d+(\.\d+)?(e-?\d+)?%?(?!\w)", "N", text)
    text = re.split(r"[:;]\s|\.\s|\.$| - |, (?:not|so|but|and|which|then|use|pass|return)\b", text)[0]
    text = " ".join(text.split()[:8]).strip(" ,.…")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].strip(" ,.…")
    return text or "hint"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80] or "_"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(exercise: str, verdict: str, mistake: str | None = None, *, directory: Path | str | None = None,
           user: str | None = None, notebook_name: str | None = None) -> bool:
    """Record one check's verdict (``"correct!"``, ``"not yet"`` or ``"not answered yet"``) when the room view is
    on. Returns whether it wrote; never raises, never prints."""
    global LAST_ERROR
    try:
        folder = Path(directory) if directory is not None else room_dir()
        if folder is None:
            return False
        user = user or learner()
        notebook_name = notebook_name or notebook()
        status = {"correct!": "correct", "not yet": "trying"}.get(verdict, "not started")
        path = folder / f"{_safe(user)}--{_safe(notebook_name)}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
                raise ValueError("not a status file")
        except (OSError, ValueError):
            data = {"exercises": {}}
        old = data["exercises"].get(exercise)
        attempts = old.get("attempts", 0) if isinstance(old, dict) else 0
        attempts = (attempts if isinstance(attempts, int) else 0) + (status != "not started")
        entries = {name: {key: entry.get(key) for key in ENTRY_KEYS}
                   for name, entry in data["exercises"].items() if isinstance(entry, dict)}
        entries[exercise] = {"status": status, "attempts": attempts,
                             "mistake": (mistake or "hint") if status == "trying" else None, "time": _now()}
        data = {"user": user, "notebook": notebook_name, "exercises": entries}
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{_safe(user)}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1)
            os.chmod(tmp, 0o644)  # the instructor reads it; it holds nothing but the status
            os.replace(tmp, path)  # atomic: a reader sees the old file or the new one, never half of one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        LAST_ERROR = None
        return True
    except Exception as error:  # the learner's cell must never fail because of the room view
        LAST_ERROR = f"{type(error).__name__}: {error}"
        return False


# --- reading the room --------------------------------------------------------------------------------------------

def read_room(folder: Path | str) -> dict[str, dict[str, dict]]:
    """``{notebook: {user: {exercise: entry}}}`` from every status file in ``folder`` (unreadable ones skipped)."""
    room: dict[str, dict[str, dict]] = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            user, nb, entries = str(data["user"]), str(data["notebook"]), data["exercises"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(entries, dict):
            room.setdefault(nb, {})[user] = {str(k): v for k, v in entries.items() if isinstance(v, dict)}
    return room


def notebook_exercises(notebooks: Path | str) -> dict[str, list[str]]:
    """The exercises each notebook checks (the names its check cells pass), so the ones nobody reached show too."""
    found: dict[str, list[str]] = {}
    pattern = re.compile(r"""check(?:_answer)?\(\s*["']([^"']+)["']""")
    for path in sorted(Path(notebooks).glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        names: list[str] = []
        for cell in cells:
            if cell.get("cell_type") == "code":
                source = "".join(cell.get("source", []))
                names += [n for n in pattern.findall(source) if n not in names]
        if names:
            found[path.stem] = names
    return found


def _natural(text: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def cell(entry: dict | None) -> str:
    """One learner's status on one exercise, as the table shows it (a status it does not know: not started)."""
    if not entry or entry.get("status") not in ("trying", "correct"):
        return "-"
    if entry.get("status") == "correct":
        return "correct"
    return f"trying ({entry.get('attempts', 0)})"


def summarize(users: dict[str, dict], exercises: list[str]) -> dict[str, dict]:
    """Per exercise: how many are done, how many stuck (trying), how many not started, the most common mistake."""
    summary = {}
    for exercise in exercises:
        entries = [users[u].get(exercise) or {} for u in users]
        statuses = Counter(e.get("status", "not started") for e in entries)
        mistakes = Counter(e.get("mistake") for e in entries if e.get("status") == "trying" and e.get("mistake"))
        common = mistakes.most_common(1)
        summary[exercise] = {"done": statuses["correct"], "stuck": statuses["trying"],
                             "not started": len(entries) - statuses["correct"] - statuses["trying"],
                             "mistake": common[0][0] if common else None,
                             "mistake count": common[0][1] if common else 0}
    return summary


def tables(folder: Path | str, learners: list[str] = (), notebooks: Path | str | None = None,
           only: str | None = None) -> list[tuple[str, list[str], list[list[str]], dict[str, dict]]]:
    """``[(notebook, header, rows, summary)]``: the room, one table per notebook with at least one record."""
    room = read_room(folder)
    known = notebook_exercises(notebooks) if notebooks else {}
    out = []
    for nb in sorted(room, key=_natural):
        if only and not nb.startswith(only):
            continue
        users = {name: {} for name in learners}
        users.update(room[nb])
        seen = [e for entries in room[nb].values() for e in entries]
        exercises = list(known.get(nb, []))
        exercises += sorted({e for e in seen if e not in exercises}, key=_natural)
        header = ["learner", *exercises]
        rows = [[user, *(cell(users[user].get(e)) for e in exercises)] for user in sorted(users)]
        out.append((nb, header, rows, summarize(users, exercises)))
    return out


def summary_line(exercise: str, s: dict, learners: int) -> str:
    line = f"{exercise}: {s['done']}/{learners} done, {s['stuck']} stuck, {s['not started']} not started"
    if s["mistake"]:
        line += f"; most common mistake: {s['mistake']} ({s['mistake count']})"
    return line


def empty_room(folder: Path | str) -> str:
    """Why the room shows nothing: the folder is missing, cannot be read by the instructor, or has no record yet."""
    folder = Path(folder)
    if not folder.exists():
        return f"no such folder: {folder} (make it as WORKSHOP.md says, and give its name to the hub)"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    try:
        next(folder.iterdir(), None)
    except PermissionError:
        return (f"cannot list {folder}: you are not allowed to read it (run this as the folder's owner, or as root; "
                "the learners may write to it but not list it)")
    return "no status recorded yet (is SERIES_ROOM_DIR set in the learners' kernels? has anyone run a check cell?)"


def _learners(n: int) -> str:
    return f"{n} learner{'' if n == 1 else 's'}"


def render_text(folder: Path | str, **kwargs) -> str:
    """The room as plain-text tables with a summary line per exercise."""
    parts = [f"Room {folder} - {datetime.now().strftime('%H:%M:%S')}"]
    found = tables(folder, **kwargs)
    if not found:
        parts.append(empty_room(folder))
    for nb, header, rows, summary in found:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        parts += ["", f"== {nb} ({_learners(len(rows))})",
                  "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
        parts += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
        parts += [summary_line(e, s, len(rows)) for e, s in summary.items()]
    return "\n".join(parts) + "\n"


def render_html(folder: Path | str, refresh: int = 10, **kwargs) -> str:
    """The same as a small page that reloads itself every ``refresh`` seconds."""
    colours = {"correct": "#c8f0c8", "-": "#fff"}
    body = []
    for nb, header, rows, summary in tables(folder, **kwargs):
        body.append(f"<h2>{html.escape(nb)}</h2><table><tr>"
                    + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
        for row in rows:
            body.append("<tr>" + f"<th>{html.escape(row[0])}</th>" + "".join(
                f'<td style="background:{colours.get(c, "#ffe0a0")}">{html.escape(c)}</td>' for c in row[1:]) + "</tr>")
        body.append("</table><ul>" + "".join(f"<li>{html.escape(summary_line(e, s, len(rows)))}</li>"
                                              for e, s in summary.items()) + "</ul>")
    return (f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="{int(refresh)}">'
            f"<title>Room</title><style>td,th{{border:1px solid #ccc;padding:2px 6px}}"
            f"table{{border-collapse:collapse}}</style><p>{html.escape(str(folder))} - "
            f"{datetime.now().strftime('%H:%M:%S')}</p>"
            + ("".join(body) or f"<p>{html.escape(empty_room(folder))}</p>"))


def serve(folder: Path | str, port: int = 0, host: str = "127.0.0.1", refresh: int = 10, **kwargs):
    """Serve the room as a page that reloads itself, read afresh at every request, in a background thread; returns
    the server (``server.server_address`` has the port; ``server.shutdown()`` stops it)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server name
            body = render_html(folder, refresh=refresh, **kwargs).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: the terminal shows the table
            pass

    server = ThreadingHTTPServer((host, port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.room", description="Show the workshop's room: learners "
                                     "x exercises, and per exercise how many are done, stuck, and the most common "
                                     "mistake. Reads the folder the learners' SERIES_ROOM_DIR names.")
    parser.add_argument("folder", nargs="?", default=os.environ.get(ENV), help=f"the room's folder (default: ${ENV})")
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--watch", type=float, default=10, metavar="N", help="refresh every N seconds (default 10)")
    when.add_argument("--once", action="store_true", help="print the room once and stop")
    parser.add_argument("--learners", type=Path, help="a file of user names, one a line (hub/state/learners.txt "
                                                      "on this series' hub): learners who have not checked anything "
                                                      "yet show as not started")
    parser.add_argument("--notebook", help="only the notebook(s) whose name starts with this, e.g. 03")
    parser.add_argument("--notebooks", type=Path, default=Path(__file__).resolve().parent.parent / "notebooks",
                        help="where to find each notebook's exercises (default: the series' notebooks/)")
    parser.add_argument("--html", type=Path, help="also write the room to this HTML page (it reloads itself)")
    parser.add_argument("--serve", type=int, metavar="PORT", help="also serve that page on 127.0.0.1:PORT (--bind "
                                                                  "to choose the address)")
    parser.add_argument("--bind", default="127.0.0.1", help="the address --serve listens on (default 127.0.0.1)")
    args = parser.parse_args(argv)
    if not args.folder:
        parser.error(f"name the room's folder, or set {ENV}")
    learners = []
    if args.learners:
        # lower-cased, as hub.add_learners makes the user names (and Linux user names are)
        learners = [line.split("#")[0].strip().lower() for line in args.learners.read_text().splitlines()]
        learners = [name for name in learners if name]
    kwargs = {"learners": learners, "notebooks": args.notebooks if args.notebooks.is_dir() else None,
              "only": args.notebook}
    if args.serve is not None:
        server = serve(args.folder, args.serve, args.bind, refresh=max(1, int(args.watch)), **kwargs)
        print(f"The room's page: http://{args.bind}:{server.server_address[1]}/", file=sys.stderr)
    while True:
        text = render_text(args.folder, **kwargs)
        if args.html:
            args.html.write_text(render_html(args.folder, refresh=max(1, int(args.watch)), **kwargs), encoding="utf-8")
        if not args.once and sys.stdout.isatty():
            sys.stdout.write("\033[H\033[2J")  # clear the terminal: the table stays in place
        sys.stdout.write(text)
        sys.stdout.flush()
        if args.once:
            return 0
        try:
            time.sleep(args.watch)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
