"""``python -m helpers.audit PATH...``: what a TF 1.x codebase must change to leave TensorFlow 1.x, and 2.15.

Point it at files and folders (``.py`` and ``.ipynb``; folders are searched recursively, skipping hidden folders,
``__pycache__`` and virtual environments). For every use of a TF 1.x piece it prints where it is (``file:line``, or
``notebook.ipynb:cell N:line L`` with cells counted from 0 as nbformat does), the name as written and its canonical
TF 1.x name, what replaces it in TensorFlow 2.15 (naming ``helpers.<module>`` where this series re-creates it),
what replaces it in TensorFlow 2.21 with Keras 3, and the notebook and section of this series that teaches it. A
summary counts the uses per category. The replacements come from :mod:`helpers.port_map`, the same table notebook
09 shows.

It reads the code with :mod:`ast` and never runs or imports it (nor TensorFlow), so it follows what the code names,
not how the text looks: ``import tensorflow as tf``, ``import tensorflow.compat.v1 as tf``, ``from
tensorflow.contrib import learn as L`` then ``L.Experiment``, ``from tensorflow.contrib.learn import learn_runner``,
``from tensorflow.contrib.learn import *`` then a bare ``Experiment``, nested chains such as
``tf.contrib.learn.learn_runner.run``, ``slim = tf.contrib.slim``, imports from TF 1.x's internal modules
(``tensorflow.contrib.learn.python.learn...``), ``import tf_slim as slim``, ``getattr(tf, "Session")``, and this
series' ``helpers.tf1`` (and ``helpers.experiment``, ``helpers.hparams``, ... in a file inside this series'
checkout: a project's own ``helpers`` package is not taken for this series'); a function's parameter or local
variable of the same name hides an import, as in Python. ``import tensorflow.compat.v1 as tf`` is itself reported
(category ``compat_v1``): every ``tf.X`` in that file is TF 1.x's, and the names that TF 2 dropped are reported as
well. Notebooks: the code cells are read in order as one module; IPython magics and shell lines (``%...``, ``!...``,
``x = !...``, ``name?``) are skipped (the statement after ``%time``, ``%timeit -n1 ...`` or ``r = %time`` is read),
and cells under a ``%%`` cell magic other than ``%%time``/``%%timeit``/``%%capture``/``%%prun`` are not Python and
are skipped. Beyond names it finds the TF 1.x methods ``make_initializable_iterator()``,
``make_one_shot_iterator()``, ``export_savedmodel()``, the attributes
``output_shapes``/``output_types``/``output_classes``, the ``feed_dict=`` argument of ``Session.run``, the string
``'TF_CONFIG'``, and TF_CONFIG task types ('master', 'chief', 'worker', 'ps', 'evaluator') in cluster-spec and task
dicts (also in JSON strings), in ``TaskType.MASTER``, and in comparisons with a ``task_type``, a ``job_name`` or a
task's ``'type'`` (``job_name in ('ps', 'worker')``).

A line that does not parse (Python 2's ``print "x"``, IPython's ``if x: !ls``) is named as an error, with a hint
to run ``2to3`` where it looks like Python 2, and is read as ``pass``, so that the rest of the file is still read.
Files that are neither UTF-8 nor declare their coding are read as Latin-1.

Where ``tf_upgrade_v2`` fits. TensorFlow ships ``tf_upgrade_v2`` (``tf_upgrade_v2 --intree old/ --outtree new/``).
It rewrites the TF 1.x names that TF 2 renamed, mostly to ``tf.compat.v1.X`` (``tf.placeholder`` becomes
``tf.compat.v1.placeholder``), converts a few ``tf.contrib`` names that moved to core, and only reports the rest of
``tf.contrib`` as errors it cannot convert (Experiment, HParams, optimize_loss, ...). It follows names written as
``tf.X`` (it wants ``import tensorflow as tf``): ``from tensorflow.contrib.learn import learn_runner`` and
``slim.conv2d`` pass unnoticed, as they do in the post's example. Its output does not run until what it could not
convert is replaced, and ``tf.compat.v1`` code is still TF 1.x code: an Estimator, sessions, placeholders. Run this
audit before it, to see the whole job, or after it, to see what is left: it reads ``tf.compat.v1.placeholder`` as
``tf.placeholder`` and reports it as the graph-era piece it is, with its 2.15 and 2.21 meaning, and reports any other
``tf.compat.v1.X`` it does not know as category ``compat_v1``. It covers the high-level training API, the graph-era
pieces and ``tf.contrib``; renamed core ops (``tf.random_normal`` -> ``tf.random.normal``) are ``tf_upgrade_v2``'s
job.

Exit status: 0 when every file was read and nothing was found; 1 when anything was found or a file could not be read
or parsed in full (that file is named, with the line of its syntax error, and the audit goes on); 2 on a usage error
(a path that does not exist, no ``.py``/``.ipynb`` file to read, a bad option).

``--format json`` prints one JSON object (schema ``helpers.audit/1``; new keys may be added, none is removed or
changes meaning within that version)::

    {
      "schema": "helpers.audit/1",
      "files": [str, ...],                    # every file read, in order
      "findings": [                           # sorted by path, cell, line, col
        {"path": str, "cell": int | null,     # cell: index of the notebook cell (from 0); null for a .py file
         "line": int, "col": int,             # 1-based; in a notebook, the line within the cell
         "location": str,                     # "path:line" or "path:cell N:line L"
         "written": str,                      # the code as written: "slim.conv2d", "import tensorflow.contrib.slim"
         "canonical": str,                    # its TF 1.x name: "tf.contrib.slim.conv2d"
         "symbol": str,                       # the id of its entry in "symbols"
         "category": str,                     # one of summary.by_category's keys
         "kind": str}                         # import | name | attribute | method | keyword | string | task_type
      ],
      "symbols": {id: {"title": str, "category": str, "tf215": str, "tf221": str,
                       "notebook": str | null, "section": str | null, "guide": str | null}},
      "errors": [{"path": str, "cell": int | null, "line": int | null, "message": str}],
      "summary": {"files": int, "files_with_findings": int, "findings": int, "symbols": int, "errors": int,
                  "by_category": {category: int, ...}}   # every category, zeros included
    }

``--table`` prints the post's pieces and their replacements as a markdown table (notebook 09's table).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import json
import os
import re
import sys
import textwrap
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from helpers import port_map
from helpers.port_map import CATEGORIES, COMPAT_V1, KEYWORDS, METHODS, ROLES, Entry

__all__ = ["Finding", "ParseError", "Report", "audit", "audit_files", "audit_source", "find_files", "format_text",
           "main", "to_json"]

SCHEMA = "helpers.audit/1"
_CELL_MAGICS_WITH_PYTHON = {"time", "timeit", "capture", "prun"}
_IPYTHON_NAMES = {"get_ipython", "display", "In", "Out", "exit", "quit"}
_BUILTINS = set(dir(builtins)) | _IPYTHON_NAMES
_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", ".ipynb_checkpoints"}


@dataclass(frozen=True)
class Finding:
    path: str
    cell: int | None
    line: int
    col: int
    written: str
    canonical: str
    entry: Entry
    kind: str

    @property
    def location(self) -> str:
        return _location(self.path, self.cell, self.line)

    def sort_key(self):
        return self.path, -1 if self.cell is None else self.cell, self.line, self.col, self.written


@dataclass(frozen=True)
class ParseError:
    path: str
    cell: int | None
    line: int | None
    message: str

    @property
    def location(self) -> str:
        return _location(self.path, self.cell, self.line)


@dataclass
class Report:
    files: list[str]
    findings: list[Finding]
    errors: list[ParseError]

    def by_category(self) -> dict[str, int]:
        counts = Counter(f.entry.category for f in self.findings)
        return {category: counts.get(category, 0) for category in CATEGORIES}

    def symbols(self) -> list[Entry]:
        """The entries found, in the order of their first use."""
        seen: dict[str, Entry] = {}
        for finding in self.findings:
            seen.setdefault(finding.entry.id, finding.entry)
        return list(seen.values())

    @property
    def exit_code(self) -> int:
        return 1 if self.findings or self.errors else 0


def _location(path: str, cell: int | None, line: int | None) -> str:
    where = path if cell is None else f"{path}:cell {cell}"
    if line is None:
        return where
    return f"{where}:{line}" if cell is None else f"{where}:line {line}"


# ------------------------------------------------------------------------------------------------ reading the code


@dataclass(frozen=True)
class _Binding:
    path: str | None  # the dotted import path a name stands for; None: not an import (a local variable, ...)
    explicit_compat: bool = False  # bound by `from tensorflow.compat.v1... import name`


_LOCAL = _Binding(None)


class _Scope:
    def __init__(self, kind: str, names=()):
        self.kind = kind
        self.bindings: dict[str, _Binding] = dict.fromkeys(names, _LOCAL)


_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
                ast.DictComp, ast.GeneratorExp)


def _bound_names(nodes) -> set[str]:
    """Names that statements bind in their own scope (not inside nested functions, classes or comprehensions)."""
    names: set[str] = set()
    declared: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, _SCOPE_NODES):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            names.add(node.name)
        elif type(node).__name__ == "MatchMapping" and getattr(node, "rest", None):
            names.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return names - declared


def _arg_names(args: ast.arguments) -> list[str]:
    every = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs]
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return [a.arg for a in every]


def _chain(node) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None when the expression is not a plain dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _has_compat_v1(parts) -> bool:
    return any(parts[i:i + 2] == ["compat", "v1"] for i in range(len(parts) - 1))


_TASK_TYPE_NAMES = ("task_type", "job_name", "task_name")


def _names_a_task_type(node) -> bool:
    """`x.task_type`, `job_name`, `task["type"]`, `task.get("type")`: an expression that holds a task type."""
    parts = _chain(node)
    if parts is not None:
        return parts[-1].endswith(_TASK_TYPE_NAMES)
    key = None
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
          and node.args):
        key = node.args[0]
    return isinstance(key, ast.Constant) and key.value in ("type", *_TASK_TYPE_NAMES)


def _role_value(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ROLES:
        return node.value
    return None


class _Auditor(ast.NodeVisitor):
    """Visits one module (a file, or a notebook's code cells in order) and collects its findings."""

    def __init__(self, path: str, module_names: set[str], series_helpers: bool = True):
        self.path = path
        self.series_helpers = series_helpers  # whether `helpers` is this series' package (see _series_helpers)
        self.cell: int | None = None
        self.findings: list[Finding] = []
        self.scopes = [_Scope("module")]
        self.stars: list[str] = []  # import paths of `from X import *`
        self.module_names = module_names  # every name the module binds somewhere: not a star import's
        self.deferred: list[tuple[ast.AST, list[_Scope], int | None]] = []

    # -- reporting
    def _add(self, node, written: str, canonical: str, entry: Entry, kind: str) -> None:
        self.findings.append(Finding(self.path, self.cell, node.lineno, node.col_offset + 1, written, canonical,
                                     entry, kind))

    def _report(self, node, written: str, path: str, kind: str, explicit_compat: bool = False,
                min_parts: int = 0, catch_all: bool = True) -> bool:
        """Report ``path`` (a dotted import path) if the port map knows it; True when reported. ``min_parts``: the
        match must be longer than that many parts; ``catch_all``: whether a catch-all key (tf.contrib.*) counts."""
        canonical = self._canonical(path)
        if canonical is None:
            return False
        found = port_map.lookup(canonical)
        if found is not None and len(found.prefix.split(".")) > min_parts and (catch_all or not found.catch_all):
            self._add(node, written, canonical, found.entry, kind)
            return True
        if found is None and catch_all and (explicit_compat or canonical.startswith("tf.compat.v1.")):
            self._add(node, written, canonical, COMPAT_V1, kind)
            return True
        return False

    def _canonical(self, path: str) -> str | None:
        return port_map.canonical_module(path, series_helpers=self.series_helpers)

    # -- names
    def _binding(self, name: str) -> _Binding | None:
        innermost = self.scopes[-1]
        for scope in reversed(self.scopes):
            if scope.kind == "class" and scope is not innermost:
                continue
            if name in scope.bindings:
                return scope.bindings[name]
        return None

    def _bind(self, name: str, binding: _Binding = _LOCAL) -> None:
        self.scopes[-1].bindings[name] = binding

    def _star(self, node, parts: list[str], written: str) -> bool:
        """A name bound nowhere in the module and not a builtin comes from a star import."""
        if parts[0] in self.module_names or parts[0] in _BUILTINS:
            return False
        kind = "name" if len(parts) == 1 else "attribute"
        # A module that has the name comes before one whose catch-all would take any name; and a catch-all only
        # when one star import is the only place the name can come from (`from numpy import *` beside it could
        # have given `array`).
        for catch_all in (False, True) if len(set(self.stars)) == 1 else (False,):
            for module in reversed(self.stars):
                module_canonical = self._canonical(module)
                if module_canonical is not None and self._report(
                        node, written, ".".join([module, *parts]), kind, _has_compat_v1(module.split(".")),
                        min_parts=len(module_canonical.split(".")), catch_all=catch_all):
                    return True
        return False

    def _reference(self, node, parts: list[str]) -> bool:
        written = ".".join(parts)
        binding = self._binding(parts[0])
        if binding is None:
            return self._star(node, parts, written)
        if binding.path is None:
            return False
        path = ".".join([binding.path, *parts[1:]])
        if len(parts) > 2 and parts[-2] == "TaskType" and parts[-1].lower() in ROLES and self._canonical(path):
            self._role(node, parts[-1].lower(), written)  # tf.contrib.learn.TaskType.MASTER, RunConfig's TaskType
            return True
        return self._report(node, written, path, "name" if len(parts) == 1 else "attribute",
                            explicit_compat=binding.explicit_compat or _has_compat_v1(parts))

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._reference(node, [node.id])
        elif isinstance(node.ctx, ast.Store):
            self._bind(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts = _chain(node)
        reported = parts is not None and self._reference(node, parts)
        if not reported and node.attr in METHODS:
            written = ast.unparse(node)
            written = written if len(written) <= 60 else "..." + written[-57:]
            canonical = METHODS[node.attr]
            self._add(node, written, canonical, port_map.lookup(canonical).entry, "method")
        if parts is None:
            self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg in KEYWORDS and hasattr(node, "lineno"):
            canonical = KEYWORDS[node.arg]
            self._add(node, f"{node.arg}=", canonical, port_map.entry(canonical), "keyword")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func, args = node.func, node.args
        if (isinstance(func, ast.Name) and func.id == "getattr" and self._binding("getattr") is None
                and len(args) >= 2 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str)
                and args[1].value.isidentifier() and (parts := _chain(args[0])) is not None):
            self._reference(node, [*parts, args[1].value])  # getattr(tf, "Session") is tf.Session
        self.generic_visit(node)

    # -- imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, _Binding(alias.name))
            else:
                first = alias.name.split(".")[0]
                self._bind(first, _Binding(first))
            written = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
            if not self._report(node, written, alias.name, "import"):
                self._whole_compat_v1(node, written, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if node.level:  # a relative import: the project's own code
                if alias.name != "*":
                    self._bind(alias.asname or alias.name)
                continue
            explicit = _has_compat_v1(module.split("."))
            if alias.name == "*":
                self.stars.append(module)
                self._report(node, f"from {module} import *", module, "import", explicit)
                continue
            path = f"{module}.{alias.name}"
            self._bind(alias.asname or alias.name, _Binding(path, explicit))
            written = f"from {module} import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
            if not self._report(node, written, path, "import", explicit):
                self._whole_compat_v1(node, written, path)

    def _whole_compat_v1(self, node, written: str, path: str) -> None:
        """`import tensorflow.compat.v1 as tf` (what tf_upgrade_v2 leaves alone): the module's every tf.X is TF 1.x's,
        names that TF 2 kept included, so the import itself is reported; the names this map knows are reported too."""
        if self._canonical(path) == "tf" and _has_compat_v1(path.split(".")):
            self._add(node, written, "tf.compat.v1", COMPAT_V1, "import")

    # -- assignments: `slim = tf.contrib.slim` makes an alias, any other value a plain variable
    def _alias_of(self, value) -> _Binding:
        parts = _chain(value)
        if parts is None or parts[-1].isupper():  # FLAGS = tf.app.flags.FLAGS is a value, not a namespace
            return _LOCAL
        binding = self._binding(parts[0])
        if binding is None or binding.path is None:
            return _LOCAL
        path = ".".join([binding.path, *parts[1:]])
        if self._canonical(path) is None:
            return _LOCAL
        return _Binding(path, binding.explicit_compat or _has_compat_v1(parts))

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        alias = self._alias_of(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, alias)
            else:
                self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, self._alias_of(node.value) if node.value is not None else _LOCAL)
        else:
            self.visit(node.target)

    # -- scopes
    def _visit_arguments(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            self.visit(default)

    def visit_FunctionDef(self, node) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._visit_arguments(node.args)
        for arg in [*getattr(node.args, "posonlyargs", []), *node.args.args, *node.args.kwonlyargs,
                    node.args.vararg, node.args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)
        if node.returns is not None:
            self.visit(node.returns)
        self._bind(node.name)
        self.deferred.append((node, list(self.scopes), self.cell))  # the body runs later, when it is called

    visit_AsyncFunctionDef = visit_FunctionDef

    def _run_deferred(self) -> None:
        while self.deferred:
            node, scopes, cell = self.deferred.pop(0)
            saved, saved_cell = self.scopes, self.cell
            self.scopes = [*scopes, _Scope("function", [*_arg_names(node.args), *_bound_names(node.body)])]
            self.cell = cell
            for statement in node.body:
                self.visit(statement)
            self.scopes, self.cell = saved, saved_cell

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_arguments(node.args)
        self.scopes.append(_Scope("function", _arg_names(node.args)))
        self.visit(node.body)
        self.scopes.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(expr)
        self._bind(node.name)
        self.scopes.append(_Scope("class"))
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    def _visit_comprehension(self, node) -> None:
        first, *rest = node.generators
        self.visit(first.iter)  # evaluated in the enclosing scope
        targets = set()
        for generator in node.generators:
            targets |= {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
        self.scopes.append(_Scope("function", targets))
        for condition in first.ifs:
            self.visit(condition)
        for generator in rest:
            self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                self.visit(getattr(node, part))
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension

    # -- TF_CONFIG
    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str):
            return
        if node.value == "TF_CONFIG":
            self._add(node, "'TF_CONFIG'", "TF_CONFIG", port_map.entry("TF_CONFIG"), "string")
            return
        text = node.value.strip()
        if text.startswith("{") and len(text) < 100_000 and ('"cluster"' in text or '"task"' in text):
            try:
                value = json.loads(text)
            except ValueError:
                return
            for role in _roles_in_json(value):
                self._role(node, role, f"{role!r} in a TF_CONFIG JSON string")

    def _role(self, node, role: str, written: str | None = None) -> None:
        key = port_map.role_key(role)
        self._add(node, written or repr(role), key, port_map.entry(key), "task_type")

    def visit_Dict(self, node: ast.Dict) -> None:
        keys = [k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None for k in node.keys]
        if keys and all(k in ROLES for k in keys):  # a cluster spec: {"chief": [...], "worker": [...], "ps": [...]}
            for key_node in node.keys:
                self._role(key_node, key_node.value)
            for value in node.values:
                self.visit(value)
            return
        if "type" in keys and set(keys) <= {"type", "index", "trial"}:  # a task: {"type": "worker", "index": 0}
            value = node.values[keys.index("type")]
            if _role_value(value):
                self._role(value, value.value)
                for other in node.values:
                    if other is not value:
                        self.visit(other)
                return
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        """`config.task_type == 'master'`, `job_name in ('ps', 'worker')`, `task.get('type') != 'chief'`, ..."""
        operands = [node.left, *node.comparators]
        if any(_names_a_task_type(o) for o in operands):
            for operand in operands:
                values = operand.elts if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) else [operand]
                roles = [v for v in values if _role_value(v)]
                for value in roles:
                    self._role(value, value.value)
                if not roles:
                    self.visit(operand)
            return
        self.generic_visit(node)

    # -- whole modules
    def run(self, trees: list[tuple[int | None, ast.Module]]) -> list[Finding]:
        for cell, tree in trees:
            self.cell = cell
            for statement in tree.body:
                self.visit(statement)
        self._run_deferred()
        return self.findings


def _roles_in_json(value) -> list[str]:
    roles = []
    if isinstance(value, dict):
        cluster, task = value.get("cluster"), value.get("task")
        if isinstance(cluster, dict):
            roles += [k for k in cluster if k in ROLES]
        if isinstance(task, dict) and task.get("type") in ROLES:
            roles.append(task["type"])
    return roles


def _timed_statement(text: str) -> str | None:
    """The statement that `%time stmt` or `%timeit -n1 -r 3 stmt` runs; None for any other line."""
    magic, _, rest = text.partition(" ")
    if magic not in ("%time", "%timeit"):
        return None
    words = rest.split()
    while words and words[0].startswith("-"):  # %timeit's options: -n1, -n 1, -r3, -t, -c, -q, -o, -p3
        option = words.pop(0)
        if option in ("-n", "-r", "-p") and words:
            words.pop(0)
    return " ".join(words) if words else None


def _strip_magics(source: str) -> str | None:
    """A code cell's source with IPython magics and shell lines blanked (line numbers kept); None when the cell is
    not Python (a %%bash, %%writefile, ... cell)."""
    lines = source.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        name = first[2:].split()[0] if first[2:].split() else ""
        if name not in _CELL_MAGICS_WITH_PYTHON:
            return None
    kept = []
    for line in lines:
        stripped = line.strip()
        indent = line[:len(line) - len(line.lstrip())]
        rhs = stripped.split("=", 1)[1].lstrip() if "=" in stripped and "==" not in stripped else ""
        timed = _timed_statement(stripped)
        if timed is None and rhs and (timed := _timed_statement(rhs)) is not None:
            timed = stripped.split("=", 1)[0].rstrip() + " = " + timed  # r = %time f(): r = f()
        if timed:
            kept.append(indent + timed)  # IPython runs the statement after %time / %timeit: read it
            continue
        if (stripped.startswith(("%", "!")) or rhs.startswith(("%", "!"))
                or (stripped.endswith("?") and "#" not in stripped)):
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)


def _notebook_cells(text: str) -> list[tuple[int, str]]:
    notebook = json.loads(text)
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3
        cells = [c for sheet in notebook.get("worksheets", []) for c in sheet.get("cells", [])]
    code = []
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", cell.get("input", ""))
            if isinstance(source, list) and all(isinstance(line, str) for line in source):
                source = "".join(source)
            code.append((index, source if isinstance(source, str) else None))  # None: not text, reported
    return code


def _decode(data: bytes) -> str:
    """UTF-8, or Latin-1 for the old files that are neither UTF-8 nor declare their coding (the names this audit
    looks for are ASCII either way)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_PY2 = re.compile(r"^\s*(print\s+[^\s(=]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:|raise\s+\w+\s*,)", re.M)


def _parse(source, path: str, cell: int | None, errors: list[ParseError]) -> ast.Module | None:
    """Parse a file or a cell. A line that does not parse (Python 2's `print "x"`, IPython's `if x: !ls`) is named
    as an error and read as `pass`, so that the rest of the file is still audited (up to _MAX_SKIPPED lines)."""
    if isinstance(source, bytes):
        try:  # a coding line, a byte-order mark, or UTF-8
            source = source.decode(tokenize.detect_encoding(io.BytesIO(source).readline)[0])
        except (SyntaxError, LookupError, UnicodeDecodeError):
            source = _decode(source)
    lines = source.split("\n")
    first: SyntaxError | None = None
    skipped: list[int] = []
    while True:
        try:
            tree = ast.parse("\n".join(lines), filename=path)
            break
        except SyntaxError as error:
            first = first or error
            line = error.lineno
            if line is None or not 1 <= line <= len(lines) or line in skipped or len(skipped) >= _MAX_SKIPPED:
                tree = None
                break
            skipped.append(line)
            text = lines[line - 1]
            lines[line - 1] = text[:len(text) - len(text.lstrip())] + "pass"
        except ValueError as error:  # e.g. null bytes
            errors.append(ParseError(path, cell, None, f"cannot parse: {error}"))
            return None
    if first is not None:
        reason = first.msg or "invalid syntax"
        if _PY2.search(source):
            reason += " (Python 2 code? Convert a copy with 2to3 first, then audit the copy)"
        if tree is None:
            reason += "; the file was not read" if cell is None else "; the cell was not read"
        elif len(skipped) > 1:
            reason += f"; {len(skipped)} lines that do not parse were read as `pass`, the rest was read"
        else:
            reason += "; that line was read as `pass`, the rest was read"
        errors.append(ParseError(path, cell, first.lineno, f"{type(first).__name__}: {reason}"))
    return tree


_MAX_SKIPPED = 50


def audit_source(source: str | bytes, path: str = "<source>", notebook: bool = False,
                 series_helpers: bool = True) -> Report:
    """Audit one file's content (a .py file's text or bytes, or a notebook's JSON). ``series_helpers``: read
    ``helpers.experiment``, ``helpers.learn_runner``, ... as this series' re-creations of TF 1.x pieces."""
    errors: list[ParseError] = []
    trees: list[tuple[int | None, ast.Module]] = []
    if notebook:
        try:
            cells = _notebook_cells(_decode(source) if isinstance(source, bytes) else source)
        except (ValueError, AttributeError, TypeError) as error:
            line = getattr(error, "lineno", None)
            errors.append(ParseError(path, None, line, f"not a readable notebook: {error}"))
            cells = []
        for index, cell_source in cells:
            if cell_source is None:
                errors.append(ParseError(path, index, None, "the cell's source is not text"))
                continue
            code = _strip_magics(cell_source)
            if code is not None and (tree := _parse(code, path, index, errors)) is not None:
                trees.append((index, tree))
    elif (tree := _parse(source, path, None, errors)) is not None:
        trees.append((None, tree))
    module_names = set().union(*(_bound_names(tree.body) for _, tree in trees)) if trees else set()
    findings = _Auditor(path, module_names, series_helpers).run(trees)
    return Report([path], sorted(findings, key=Finding.sort_key), errors)


def _series_helpers(file: Path) -> bool:
    """Whether ``helpers`` in this file is this series' package: the nearest folder above it with a ``helpers``
    package or module is this series' checkout. A project's own ``helpers`` (a common name) is not read as the
    series' re-created Experiment, HParams, ...; ``helpers.tf1`` is read as TensorFlow 1.x in either case."""
    for folder in file.resolve().parents:
        if (folder / "helpers" / "__init__.py").is_file() or (folder / "helpers.py").is_file():
            return (folder / "helpers" / "port_map.py").is_file()
    return False


def _is_skipped_dir(path: Path) -> bool:
    return path.name.startswith(".") or path.name in _SKIP_DIRS or (path / "pyvenv.cfg").exists()


def find_files(paths) -> list[Path]:
    """The files to read: each file given, and the .py/.ipynb files under each folder (sorted). Raises
    FileNotFoundError for a path that does not exist."""
    files: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            for root, dirs, names in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not _is_skipped_dir(Path(root) / d))
                files += [Path(root) / n for n in sorted(names) if n.endswith((".py", ".ipynb"))]
        elif given.exists():
            files.append(given)
        else:
            raise FileNotFoundError(f"no such file or folder: {given}")
    return list(dict.fromkeys(files))


def audit(paths) -> Report:
    """Audit files and folders (see :func:`find_files`)."""
    return audit_files(find_files(paths))


def audit_files(files) -> Report:
    """Audit these files: notebooks by their .ipynb suffix, anything else as Python."""
    report = Report([], [], [])
    for file in map(Path, files):
        name = str(file)
        try:
            data = file.read_bytes()
        except OSError as error:
            report.files.append(name)
            report.errors.append(ParseError(name, None, None, f"cannot read: {error.strerror or error}"))
            continue
        one = audit_source(data, name, notebook=file.suffix == ".ipynb", series_helpers=_series_helpers(file))
        report.files.append(name)
        report.findings += one.findings
        report.errors += one.errors
    return report


# ------------------------------------------------------------------------------------------------ output


def to_json(report: Report) -> dict:
    """The report as the documented ``helpers.audit/1`` JSON object."""
    symbols = report.symbols()
    return {
        "schema": SCHEMA,
        "files": report.files,
        "findings": [{"path": f.path, "cell": f.cell, "line": f.line, "col": f.col, "location": f.location,
                      "written": f.written, "canonical": f.canonical, "symbol": f.entry.id,
                      "category": f.entry.category, "kind": f.kind} for f in report.findings],
        "symbols": {e.id: e.as_dict() for e in symbols},
        "errors": [{"path": e.path, "cell": e.cell, "line": e.line, "message": e.message} for e in report.errors],
        "summary": {"files": len(report.files), "files_with_findings": len({f.path for f in report.findings}),
                    "findings": len(report.findings), "symbols": len(symbols), "errors": len(report.errors),
                    "by_category": report.by_category()},
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_text(report: Report, width: int = 110) -> str:
    symbols = report.symbols()
    number = {e.id: i for i, e in enumerate(symbols, 1)}
    out = []
    for f in report.findings:
        same = f.written == f.canonical or f.kind in ("keyword", "task_type", "string")
        name = f.written if same else f"{f.written}  ({f.canonical})"
        out.append(f"{f.location}: {name}  [{f.entry.category} #{number[f.entry.id]}]")
    for e in report.errors:
        out.append(f"{e.location}: error: {e.message}")
    if symbols:
        out += ["", "What replaces each (#n above), and where this series teaches it:"]
        for e in symbols:
            out.append(f"#{number[e.id]} {e.title}  [{e.category}]")
            rows = [("TF 2.15", e.tf215), ("TF 2.21/Keras 3", e.tf221),
                    ("taught in", str(e.teach) if e.teach else "not taught in this series"),
                    ("guide", e.guide_url)]
            for label, text in rows:
                if text:
                    out.append(textwrap.fill(text, width, initial_indent=f"    {label + ':':<17}",
                                             subsequent_indent=" " * 21, break_on_hyphens=False,
                                             break_long_words=False))
    files_with = len({f.path for f in report.findings})
    out += ["", f"Summary: {_plural(len(report.findings), 'TF 1.x use')} of {_plural(len(symbols), 'piece')} in "
                f"{files_with} of {_plural(len(report.files), 'file')} read"
                + (f"; {_plural(len({e.path for e in report.errors}), 'file')} not read in full (errors above)"
                   if report.errors else "")]
    for category, count in report.by_category().items():
        if count:
            out.append(f"  {category:<16}{count:>5}  {CATEGORIES[category]}")
    if report.findings:
        out += ["", "tf_upgrade_v2 renames most tf1_api and graph names to tf.compat.v1; it does not port contrib,",
                "Estimators, hooks or TF_CONFIG, and this audit still reports what it renamed (see --help)."]
    return "\n".join(out)


def build_parser() -> argparse.ArgumentParser:
    notes = [p for p in __doc__.split("\n\n") if p.startswith(("Where ``tf_upgrade_v2``", "Exit status"))]
    parser = argparse.ArgumentParser(
        prog="python -m helpers.audit", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="What a TF 1.x codebase must change, to run on TF 2.15 and to leave it for TF 2.21 / Keras 3: "
                    "each use of a TF 1.x piece, what replaces it in each, and where this series teaches it.",
        epilog="\n\n".join(textwrap.fill(" ".join(p.replace("``", "").split()), 100) for p in notes)
        + "\n\nThe JSON schema (--format json) is in the docstring of helpers/audit.py.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help=".py and .ipynb files, or folders to search")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--table", action="store_true",
                        help="print the post's pieces and their TF 2.15 and TF 2.21 forms as a markdown table")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.table:
        print(port_map.post_table_markdown())
        if not args.paths:
            return 0
    if not args.paths:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: give at least one PATH (a .py or .ipynb file, or a folder)", file=sys.stderr)
        return 2
    try:
        files = find_files(args.paths)
    except FileNotFoundError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    if not files:
        print(f"{parser.prog}: error: no .py or .ipynb file in {', '.join(args.paths)}", file=sys.stderr)
        return 2
    report = audit_files(files)
    try:
        print(json.dumps(to_json(report), indent=2) if args.format == "json" else format_text(report))
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
