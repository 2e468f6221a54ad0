"""``python -m helpers.audit``: the port audit of TF 1.x code, and the port map it shares with notebook 09.

Fast: nothing here imports TensorFlow (one test checks that the audit does not either). The fixtures in
tests/fixtures/audit/ are small TF 1.x files written for these tests; the notebook and the broken files are written
by the tests themselves (a .ipynb under tests/ would be collected by nbval).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import audit, port_map
from helpers.port_map import CATEGORIES, ENTRIES

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "audit"
EXAMPLE = REPO / "examples" / "mnist_estimator_tf1.py"

# Every TF 1.x symbol of the post's complete example, read off the file by hand: (line, canonical TF 1.x name, text
# that line must contain). Lines 170-171 and 201-202 (mnist_data.train..., where mnist_data is a parameter), and
# tf.argmax, tf.cast, tf.reshape and tf.name_scope (the same in TF 2), are correctly absent.
POST_EXAMPLE = [
    (25, "tf.examples.tutorials.mnist.input_data", "import mnist_input_data as mnist_data"),
    (26, "tf.contrib.slim", "contrib import slim"),
    (27, "tf.contrib.learn.ModeKeys", "learn import ModeKeys"),
    (28, "tf.contrib.learn.learn_runner", "learn import learn_runner"),
    (31, "tf.logging.set_verbosity", "tf.logging.set_verbosity("),
    (31, "tf.logging.INFO", "(tf.logging.INFO)"),
    (34, "tf.app.flags.FLAGS", "FLAGS = tf.app.flags.FLAGS"),
    (35, "tf.app.flags.DEFINE_string", "tf.app.flags.DEFINE_string("),
    (37, "tf.app.flags.DEFINE_string", "tf.app.flags.DEFINE_string("),
    (45, "tf.contrib.training.HParams", "tf.contrib.training.HParams("),
    (53, "tf.contrib.learn.RunConfig", "tf.contrib.learn.RunConfig()"),
    (56, "tf.contrib.learn.learn_runner.run", "learn_runner.run("),
    (70, "tf.examples.tutorials.mnist.input_data.read_data_sets", "mnist_data.read_data_sets("),
    (74, "tf.contrib.learn.Experiment", "tf.contrib.learn.Experiment("),
    (90, "tf.estimator.Estimator", "tf.estimator.Estimator("),
    (99, "tf.contrib.learn.ModeKeys.TRAIN", "ModeKeys.TRAIN"),
    (107, "tf.contrib.learn.ModeKeys.INFER", "ModeKeys.INFER"),
    (108, "tf.losses.sparse_softmax_cross_entropy", "tf.losses.sparse_softmax_cross_entropy("),
    (111, "tf.estimator.EstimatorSpec", "tf.estimator.EstimatorSpec("),
    (117, "tf.contrib.layers.optimize_loss", "tf.contrib.layers.optimize_loss("),
    (119, "tf.contrib.framework.get_global_step", "tf.contrib.framework.get_global_step()"),
    (120, "tf.train.AdamOptimizer", "optimizer=tf.train.AdamOptimizer"),
    (127, "tf.metrics.accuracy", "tf.metrics.accuracy("),
    (132, "tf.variable_scope", "tf.variable_scope(scope)"),
    (133, "tf.contrib.slim.arg_scope", "slim.arg_scope("),
    (134, "tf.contrib.slim.conv2d", "[slim.conv2d,"),
    (134, "tf.contrib.slim.fully_connected", "slim.fully_connected]"),
    (135, "tf.contrib.layers.xavier_initializer", "tf.contrib.layers.xavier_initializer()"),
    (136, "tf.contrib.slim.conv2d", "slim.conv2d(inputs"),
    (137, "tf.contrib.slim.max_pool2d", "slim.max_pool2d("),
    (138, "tf.contrib.slim.conv2d", "slim.conv2d(net"),
    (139, "tf.contrib.slim.max_pool2d", "slim.max_pool2d("),
    (141, "tf.contrib.slim.fully_connected", 'slim.fully_connected(net, 256, scope="fn5")'),
    (142, "tf.contrib.slim.dropout", "slim.dropout("),
    (143, "tf.contrib.slim.fully_connected", 'slim.fully_connected(net, 256, scope="fn6")'),
    (144, "tf.contrib.slim.dropout", "slim.dropout("),
    (145, "tf.contrib.slim.fully_connected", "slim.fully_connected(net, 10"),
    (150, "tf.train.SessionRunHook", "(tf.train.SessionRunHook)"),
    (173, "tf.placeholder", "tf.placeholder(images.dtype"),
    (174, "tf.placeholder", "tf.placeholder(labels.dtype"),
    (176, "tf.contrib.data.Dataset.from_tensor_slices", "tf.contrib.data.Dataset.from_tensor_slices("),
    (180, "tf.data.Dataset.make_initializable_iterator", "dataset.make_initializable_iterator()"),
    (185, "tf.Session.run(feed_dict=...)", "feed_dict={"),
    (204, "tf.placeholder", "tf.placeholder(images.dtype"),
    (205, "tf.placeholder", "tf.placeholder(labels.dtype"),
    (207, "tf.contrib.data.Dataset.from_tensor_slices", "tf.contrib.data.Dataset.from_tensor_slices("),
    (209, "tf.data.Dataset.make_initializable_iterator", "dataset.make_initializable_iterator()"),
    (214, "tf.Session.run(feed_dict=...)", "feed_dict={"),
    (223, "tf.app.run", "tf.app.run(main=run_experiment)"),
]

# The five imports the example changed (its docstring lists them): with them put back it is the post's TF 1.x file.
TF1_IMPORTS = {
    "import helpers.tf1 as tf": "import tensorflow as tf",
    "from helpers.tf1 import mnist_input_data as mnist_data":
        "from tensorflow.examples.tutorials.mnist import input_data as mnist_data",
    "from helpers.tf1.contrib import slim": "from tensorflow.contrib import slim",
    "from helpers.tf1.contrib.learn import ModeKeys": "from tensorflow.contrib.learn import ModeKeys",
    "from helpers.tf1.contrib.learn import learn_runner": "from tensorflow.contrib.learn import learn_runner",
}


def found(report) -> list[tuple[int, str]]:
    return [(f.line, f.canonical) for f in report.findings]


def run_main(capsys, *argv) -> tuple[int, str, str]:
    code = audit.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def post_tf1_source() -> str:
    """The post's example with its TF 1.x imports, as the post wrote it."""
    lines = EXAMPLE.read_text().split("\n")
    replaced = [TF1_IMPORTS.get(line, line) for line in lines]
    assert sum(a != b for a, b in zip(lines, replaced, strict=True)) == len(TF1_IMPORTS)
    return "\n".join(replaced)


# ---------------------------------------------------------------------------------- the post's example


def test_the_post_example_every_tf1_symbol_with_its_line():
    lines = EXAMPLE.read_text().split("\n")
    for line, canonical, text in POST_EXAMPLE:  # the hand-written list agrees with the file
        assert text in lines[line - 1], (line, canonical, lines[line - 1])
    report = audit.audit([EXAMPLE])
    assert found(report) == [(line, canonical) for line, canonical, _ in POST_EXAMPLE]
    assert not report.errors and report.exit_code == 1


def test_the_post_example_in_its_original_tf1_form_gives_the_same_findings():
    # helpers.tf1 stands for tensorflow (compat.v1 + contrib): the audit reads both the same way
    original = audit.audit_source(post_tf1_source(), "mnist_estimator.py")
    assert found(original) == found(audit.audit([EXAMPLE]))
    assert [f.entry.id for f in original.findings] == [f.entry.id for f in audit.audit([EXAMPLE]).findings]


def test_what_is_left_after_tf_upgrade_v2():
    """The fixture is tf_upgrade_v2's own output on the post's TF 1.x file, line for line: the audit still finds
    every piece (tf.compat.v1.placeholder is a placeholder), one that moved category, and two new leftovers."""
    after = audit.audit([FIXTURES / "post_after_tf_upgrade_v2.py"])
    before = audit.audit_source(post_tf1_source(), "mnist_estimator.py")

    def by_line(report):
        lines: dict[int, list[str]] = {}
        for f in report.findings:
            lines.setdefault(f.line, []).append(f.entry.id)
        return lines

    old, new = by_line(before), by_line(after)
    # line 135: tf_upgrade_v2 turned contrib's xavier_initializer into tf.compat.v1.keras.initializers.VarianceScaling
    assert old.pop(135) == ["tf.contrib.layers.xavier_initializer"]
    assert new.pop(135) == ["tf.compat.v1.*"]
    # lines 168 and 199: tf.name_scope became tf.compat.v1.name_scope (TF 2's name_scope cannot re-enter a scope)
    assert new.pop(168) == new.pop(199) == ["tf.compat.v1.*"]
    assert new == old
    placeholders = [f for f in after.findings if f.line in (173, 174, 204, 205)]
    assert {(f.written, f.canonical, f.entry.category) for f in placeholders} == {
        ("tf.compat.v1.placeholder", "tf.placeholder", "graph")}
    iterator = next(f for f in after.findings if f.line == 180)
    assert (iterator.written, iterator.entry.id) == ("tf.compat.v1.data.make_initializable_iterator",
                                                     "tf.data.Dataset.make_initializable_iterator")
    hook = next(f for f in after.findings if f.line == 150)
    assert (hook.written, hook.entry.category) == ("tf.estimator.SessionRunHook", "hooks")
    # what tf_upgrade_v2 could not see, the from-imports, is still found: learn_runner.run, ModeKeys, slim
    assert {(56, "tf.contrib.learn.learn_runner.run"), (99, "tf.contrib.learn.ModeKeys.TRAIN"),
            (136, "tf.contrib.slim.conv2d"), (74, "tf.contrib.learn.Experiment")} <= set(found(after))


# ------------------------------------------------------------------------------ how names are followed


def test_aliases_are_followed_and_parameters_hide_imports():
    report = audit.audit([FIXTURES / "aliases.py"])
    assert found(report) == [
        (2, "tf.compat.v1"),  # import tensorflow.compat.v1 as tf: the whole module is TF 1.x code
        (3, "tf.contrib.learn"),  # from tensorflow.contrib import learn as L
        (4, "tf.contrib.training.HParams"),  # ... import HParams as HP
        (5, "tf.contrib.slim"),  # import tensorflow.contrib.slim as slim
        (6, "tf_slim"),  # import tf_slim as tfs
        (9, "tf.contrib.layers"),  # contrib_layers = real_tf.contrib.layers
        (10, "tf.app.flags.FLAGS"),
        (14, "tf.placeholder"),  # tf is tensorflow.compat.v1
        (15, "tf.contrib.slim.fully_connected"),  # FLAGS.scope is a flag's value, not reported
        (16, "tf_slim.dropout"),
        (18, "tf.contrib.layers.optimize_loss"),  # through the alias made on line 9
        (19, "tf.contrib.learn.Experiment"),  # L.Experiment
        (27, "tf.contrib.training.HParams"),  # HP(...)
    ]  # lines 22-24: `tf`, `slim` and `L` are a function's own names there
    assert {f.entry.category for f in report.findings if f.canonical.startswith("tf_slim")} == {"slim"}


def test_star_imports_give_their_names():
    report = audit.audit([FIXTURES / "star_imports.py"])
    assert found(report) == [
        (3, "tf.contrib.learn"), (4, "tf.contrib.training"),
        (8, "tf.contrib.learn.Estimator"),
        (9, "tf.contrib.learn.Experiment"),
        (13, "tf.contrib.learn.ModeKeys.INFER"),
        (18, "tf.contrib.training.HParams"),  # from the module that has it, not the later star's catch-all
    ]  # np.argmax and len are not a star import's
    assert [f.entry.id for f in report.findings][2:] == [
        "tf.contrib.learn.Estimator", "tf.contrib.learn.Experiment", "tf.contrib.learn.ModeKeys",
        "tf.contrib.training.HParams"]


def test_nested_chains_and_internal_module_paths():
    report = audit.audit([FIXTURES / "nested_chains.py"])
    assert found(report) == [
        (7, "tf.contrib.learn.learn_runner"),  # from tensorflow.contrib.learn.python.learn import learn_runner
        (8, "tf.estimator.export"),  # from tensorflow.python.estimator.export import export_lib
        (10, "tf.contrib.learn.learn_runner.run"),
        (11, "tf.contrib.learn.learn_runner.tune"),  # `import tensorflow`, no alias
        (12, "tf.contrib.learn.learn_runner.run"),
        (13, "tf.estimator.export.ServingInputReceiver"),
        (14, "tf.contrib.slim"),
        (15, "tf.contrib.slim.layers.conv2d"),  # slim = tf.contrib.slim on line 14
        (16, "tf.estimator.RunConfig"),
        (17, "tf.train.FeedFnHook"),
    ]
    entries = {f.line: f.entry.id for f in report.findings}
    assert entries[10] == entries[12] == "tf.contrib.learn.learn_runner"
    assert entries[11] == "tf.contrib.learn.learn_runner.tune"
    assert entries[17] == "tf.train.*Hook"  # a hook, not the tf.estimator catch-all


def test_graph_era_estimator_and_contrib_pieces_each_in_their_category():
    report = audit.audit([FIXTURES / "graph_era.py"])
    got = {(f.line, f.canonical): (f.entry.id, f.entry.category) for f in report.findings}
    expected = {
        (3, "tf.contrib.learn.make_export_strategy"): "contrib",
        (4, "tf.contrib.learn.RunConfig"): "contrib",
        (6, "tf.FIFOQueue"): "graph",
        (7, "tf.train.string_input_producer"): "graph",
        (8, "tf.train.shuffle_batch"): "graph",
        (9, "tf.train.batch"): "graph",
        (10, "tf.data.Iterator.from_structure"): "graph",
        (11, "tf.data.Dataset.make_one_shot_iterator"): "graph",
        (12, "tf.global_variables_initializer"): "graph",
        (13, "tf.Session"): "graph",
        (15, "tf.train.MonitoredSession"): "graph",
        (15, "tf.train.LoggingTensorHook"): "hooks",
        (16, "tf.train.StopAtStepHook"): "hooks",
        (16, "tf.train.CheckpointSaverHook"): "hooks",
        (17, "tf.feature_column.numeric_column"): "feature_columns",
        (17, "tf.contrib.layers.real_valued_column"): "feature_columns",
        (18, "tf.estimator.DNNClassifier"): "estimator",
        (19, "tf.estimator.LinearClassifier"): "estimator",
        (20, "tf.estimator.TrainSpec"): "estimator",
        (21, "tf.estimator.train_and_evaluate"): "estimator",
        (21, "tf.estimator.EvalSpec"): "estimator",
        (22, "tf.contrib.learn.make_export_strategy"): "contrib",
        (23, "tf.contrib.learn.RunConfig"): "contrib",
        (24, "tf.estimator.ModeKeys.PREDICT"): "estimator",
        (25, "tf.estimator.Estimator.export_savedmodel"): "estimator",
        (26, "tf.placeholder"): "graph",  # written tf.compat.v1.placeholder
        (27, "tf.some_future_name"): "compat_v1",  # an explicit tf.compat.v1 name the map does not know
    }
    assert {key: category for key, (_, category) in got.items()} == expected
    assert got[(18, "tf.estimator.DNNClassifier")][0] == got[(19, "tf.estimator.LinearClassifier")][0]
    assert len({got[k][0] for k in got if k[0] in (6, 7, 8, 9)}) == 1  # queues and input producers: one entry


def test_tf_config_string_and_task_types():
    report = audit.audit([FIXTURES / "tf_config.py"])
    assert [(f.line, f.canonical) for f in report.findings] == [
        (5, "TF_CONFIG task type 'chief'"), (5, "TF_CONFIG task type 'worker'"), (5, "TF_CONFIG task type 'ps'"),
        (6, "TF_CONFIG"), (6, "TF_CONFIG task type 'master'"),
        (7, "TF_CONFIG task type 'master'"), (7, "TF_CONFIG task type 'master'"),  # a JSON string's cluster and task
        (11, "TF_CONFIG task type 'evaluator'"),  # config.task_type == "evaluator"
    ]  # line 14: a dict with a "worker" key among others is not a cluster spec; line 15: prose
    assert {f.entry.category for f in report.findings} == {"tf_config"}
    master = port_map.entry(port_map.role_key("master"))
    assert "chief" in master.tf215 and "chief" in master.tf221


def test_clean_tf2_file_exits_0(capsys):
    code, out, _ = run_main(capsys, str(FIXTURES / "clean_tf2.py"))
    assert code == 0
    assert "Summary: 0 TF 1.x uses of 0 pieces in 0 of 1 file read" in out
    assert audit.audit([FIXTURES / "clean_tf2.py"]).findings == []


# ----------------------------------------------------------------------------------- notebooks, errors


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, source in cells]}))
    return path


def test_notebook_with_magics_shell_lines_and_a_broken_cell(tmp_path, capsys):
    notebook = write_notebook(tmp_path / "tf1.ipynb", [
        ("markdown", "# A TF 1.x notebook\n\n`tf.Session()` in prose is not code."),
        ("code", "%matplotlib inline\nimport tensorflow as tf\n!pip install tensorflow==1.15\n"
                 "from tensorflow.contrib import slim"),
        ("code", "files = !ls data\nimages = tf.placeholder(tf.float32, [None, 28, 28, 1])\n"
                 "%time net = slim.conv2d(images, 20, [5, 5])\nnet = slim.flatten(net)"),
        ("code", "%%bash\necho tf.Session()"),
        ("code", "def broken(:\n    pass"),
        ("code", "%%time\nwith tf.Session() as sess:\n    sess.run(net, feed_dict={images: None})\ntf.Session?"),
    ])
    report = audit.audit([notebook])
    name = str(notebook)
    assert [(f.location, f.canonical) for f in report.findings] == [
        (f"{name}:cell 1:line 4", "tf.contrib.slim"),
        (f"{name}:cell 2:line 2", "tf.placeholder"),  # tf imported in cell 1
        (f"{name}:cell 2:line 3", "tf.contrib.slim.conv2d"),  # the statement after %time
        (f"{name}:cell 2:line 4", "tf.contrib.slim.flatten"),
        (f"{name}:cell 5:line 2", "tf.Session"),  # after the broken cell; %%time's body is Python
        (f"{name}:cell 5:line 3", "tf.Session.run(feed_dict=...)"),
    ]  # the %%bash cell is not Python; `tf.Session?` is IPython help
    assert [(e.location, e.message.split(":")[0]) for e in report.errors] == [(f"{name}:cell 4:line 1", "SyntaxError")]
    code, out, _ = run_main(capsys, name)
    assert code == 1
    assert f"{name}:cell 2:line 2: tf.placeholder  [graph #" in out
    assert f"{name}:cell 4:line 1: error: SyntaxError" in out


def test_a_file_that_does_not_parse_is_named_and_the_audit_goes_on(tmp_path, capsys):
    shutil.copy(FIXTURES / "aliases.py", tmp_path / "a_good.py")
    (tmp_path / "b_python2.py").write_text('import tensorflow as tf\n\nprint "a Python 2 file"\nsess = tf.Session()\n')
    (tmp_path / "c_not_a_notebook.ipynb").write_text("{ this is not JSON")
    (tmp_path / "d_good.py").write_text("import tensorflow as tf\nsess = tf.Session()\n")
    code, out, _ = run_main(capsys, str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'b_python2.py'}:3: error: SyntaxError" in out
    assert f"{tmp_path / 'c_not_a_notebook.ipynb'}:1: error: not a readable notebook" in out
    assert f"{tmp_path / 'a_good.py'}:19: L.Experiment" in out  # before the broken files
    assert f"{tmp_path / 'd_good.py'}:2: tf.Session" in out  # and after them
    assert "2 files not read in full" in out
    # the Python 2 file: its print line is named, with the way out, and the rest of it is still read
    assert "Python 2 code? Convert a copy with 2to3 first" in out
    assert f"{tmp_path / 'b_python2.py'}:4: tf.Session" in out
    report = audit.audit([tmp_path])
    assert [(Path(e.path).name, e.line) for e in report.errors] == [("b_python2.py", 3), ("c_not_a_notebook.ipynb", 1)]
    assert len(report.files) == 4


def test_folders_are_searched_skipping_hidden_folders_and_virtual_environments(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text("import tensorflow as tf\ntf.Session()\n")
    for skipped in (".git", "venv", "__pycache__", ".ipynb_checkpoints"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.py").write_text("import tensorflow as tf\ntf.Session()\n")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "notes.txt").write_text("tf.Session()")
    assert audit.find_files([tmp_path]) == [tmp_path / "pkg" / "train.py"]


# ------------------------------------------------------------------------------- CLI: JSON, exit codes


def test_json_output_follows_its_documented_schema(tmp_path, capsys):
    (tmp_path / "broken.py").write_text("def f(:\n")
    code, out, _ = run_main(capsys, "--format", "json", str(EXAMPLE), str(tmp_path / "broken.py"))
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"schema", "files", "findings", "symbols", "errors", "summary"}
    assert data["schema"] == "helpers.audit/1" == audit.SCHEMA
    assert data["files"] == [str(EXAMPLE), str(tmp_path / "broken.py")]
    keys = {"path", "cell", "line", "col", "location", "written", "canonical", "symbol", "category", "kind"}
    for finding in data["findings"]:
        assert set(finding) == keys
        assert finding["path"] == str(EXAMPLE) and finding["cell"] is None
        assert finding["location"] == f"{EXAMPLE}:{finding['line']}"
        assert finding["col"] >= 1 and finding["category"] in CATEGORIES
        assert finding["kind"] in {"import", "name", "attribute", "method", "keyword", "string", "task_type"}
        assert data["symbols"][finding["symbol"]]["category"] == finding["category"]
    assert [(f["line"], f["canonical"]) for f in data["findings"]] == [(a, b) for a, b, _ in POST_EXAMPLE]
    for symbol in data["symbols"].values():
        assert set(symbol) == {"title", "category", "tf215", "tf221", "notebook", "section", "guide"}
    experiment = data["symbols"]["tf.contrib.learn.Experiment"]
    assert "helpers.experiment.Experiment" in experiment["tf215"] and "model.fit" in experiment["tf221"]
    assert experiment["notebook"] == "notebooks/03_experiment_and_tensorboard.ipynb"
    assert data["errors"] == [{"path": str(tmp_path / "broken.py"), "cell": None, "line": 1,
                               "message": data["errors"][0]["message"]}]
    summary = data["summary"]
    assert summary == {"files": 2, "files_with_findings": 1, "findings": len(POST_EXAMPLE),
                       "symbols": len(data["symbols"]), "errors": 1, "by_category": summary["by_category"]}
    assert list(summary["by_category"]) == list(CATEGORIES)
    assert sum(summary["by_category"].values()) == len(POST_EXAMPLE)


def test_exit_codes(tmp_path, capsys):
    assert run_main(capsys, str(EXAMPLE))[0] == 1
    assert run_main(capsys, str(FIXTURES / "clean_tf2.py"))[0] == 0
    code, _, err = run_main(capsys, str(tmp_path / "missing.py"))
    assert code == 2 and "no such file or folder" in err
    code, _, err = run_main(capsys)
    assert code == 2 and "give at least one PATH" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run_main(capsys, str(tmp_path / "empty"))
    assert code == 2 and "no .py or .ipynb file" in err
    with pytest.raises(SystemExit) as exit_info:
        audit.main(["--format", "xml", str(EXAMPLE)])
    assert exit_info.value.code == 2


def test_text_output_summary_and_replacements(capsys):
    code, out, _ = run_main(capsys, str(EXAMPLE))
    summary = out[out.index("Summary:"):]
    assert summary.splitlines()[0] == f"Summary: {len(POST_EXAMPLE)} TF 1.x uses of 23 pieces in 1 of 1 file read"
    counts = dict(re.findall(r"^  (\w+) +(\d+)", summary, re.MULTILINE))
    report = audit.audit([EXAMPLE])
    assert {k: int(v) for k, v in counts.items()} == {k: v for k, v in report.by_category().items() if v}
    # each piece once, with its replacements and where it is taught
    block = out[out.index("What replaces each"):out.index("Summary:")]
    experiment = block[block.index("Experiment  [contrib]"):]
    experiment = experiment[:experiment.index("\n#")]
    assert "helpers.experiment.Experiment" in experiment and "model.fit" in experiment
    assert 'notebooks/03_experiment_and_tensorboard.ipynb, section "The post\'s `experiment_fn`"' in experiment
    assert f"{EXAMPLE}:56: learn_runner.run  (tf.contrib.learn.learn_runner.run)  [contrib #" in out
    assert "tf_upgrade_v2" in out


def test_help_says_where_tf_upgrade_v2_fits(capsys):
    with pytest.raises(SystemExit) as exit_info:
        audit.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "tf_upgrade_v2" in out and "tf.compat.v1.placeholder" in out and "does not run until" in out
    assert "Exit status: 0" in out
    assert "tf_upgrade_v2" in audit.__doc__ and '"schema": "helpers.audit/1"' in audit.__doc__


def test_the_audit_imports_no_tensorflow():
    code = ("import contextlib, io, sys\nfrom helpers import audit\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    rc = audit.main(['examples/mnist_estimator_tf1.py'])\n"
            "print(rc, sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'tf_slim', 'numpy'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "1 []", result.stderr


# ---------------------------------------------------------------------------------------- the port map


def test_lookup_prefers_the_most_specific_key():
    def entry_id(name):
        match = port_map.lookup(name)
        return match and match.entry.id

    assert entry_id("tf.estimator.FeedFnHook") == "tf.train.*Hook"  # not the tf.estimator catch-all
    assert entry_id("tf.estimator.DNNClassifier") == "tf.estimator.*Classifier"
    assert entry_id("tf.estimator.Estimator.train") == "tf.estimator.Estimator"
    assert entry_id("tf.estimator.WhatEver") == "tf.estimator"
    assert entry_id("tf.contrib.learn.learn_runner.tune") == "tf.contrib.learn.learn_runner.tune"
    assert entry_id("tf.contrib.learn.learn_runner.run") == "tf.contrib.learn.learn_runner"
    assert entry_id("tf.contrib.layers.sparse_column_with_keys") == "tf.contrib.layers.*_column*"
    assert entry_id("tf.contrib.layers.conv2d") == "tf.contrib.layers"
    assert entry_id("tf.contrib.nn.foo") == "tf.contrib"
    assert entry_id("tf.compat.v1.placeholder") == entry_id("tf.placeholder") == "tf.placeholder"
    for same_in_tf2 in ("tf.reshape", "tf.data.Dataset.from_tensor_slices", "tf.train.Checkpoint", "tf.keras.Model",
                        "tf.summary.scalar", "tf.losses.mean_squared_error", "tf.metrics.mean_squared_error", "tf"):
        assert port_map.lookup(same_in_tf2) is None, same_in_tf2
    assert port_map.canonical_module("helpers.tf1.contrib.learn.Experiment") == "tf.contrib.learn.Experiment"
    assert port_map.canonical_module("tensorflow.compat.v1.train") == "tf.train"
    assert port_map.canonical_module("numpy.random") is None


def test_every_entry_is_complete_and_every_taught_notebook_exists():
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids))
    for e in ENTRIES:
        assert e.category in CATEGORIES and e.title and e.tf215 and e.tf221, e.id
        assert e.guide_url is None or e.guide_url.startswith("https://www.tensorflow.org/guide/"), e.id
        if e.teach is not None:
            assert (REPO / e.teach.path).is_file(), f"{e.id}: {e.teach.path} does not exist"
    # the coverage the audit promises: contrib, the Estimator family, graph-era pieces, TF_CONFIG
    for name in ("tf.contrib.learn.Experiment", "tf.contrib.learn.learn_runner.run",
                 "tf.contrib.learn.learn_runner.tune",
                 "tf.contrib.training.HParams", "tf.contrib.learn.RunConfig", "tf.contrib.layers.optimize_loss",
                 "tf.contrib.slim.conv2d", "tf_slim.conv2d", "tf.estimator.Estimator", "tf.estimator.EstimatorSpec",
                 "tf.estimator.ModeKeys", "tf.estimator.RunConfig", "tf.estimator.TrainSpec", "tf.estimator.EvalSpec",
                 "tf.estimator.train_and_evaluate", "tf.estimator.DNNClassifier", "tf.estimator.LinearRegressor",
                 "tf.train.SessionRunHook", "tf.train.LoggingTensorHook", "tf.contrib.learn.make_export_strategy",
                 "tf.feature_column.numeric_column", "tf.contrib.layers.real_valued_column", "tf.Session",
                 "tf.placeholder", "tf.FIFOQueue", "tf.train.string_input_producer", "tf.train.batch",
                 "tf.train.shuffle_batch", "tf.data.Dataset.make_initializable_iterator",
                 "tf.data.Iterator.from_structure",
                 "tf.train.MonitoredSession", "tf.global_variables_initializer", "TF_CONFIG",
                 *map(port_map.role_key, ("master", "chief", "worker", "ps", "evaluator"))):
        assert port_map.lookup(name) is not None, name


def _top_level_names(module: Path) -> set[str]:
    names = set()
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def test_the_helpers_the_map_names_exist():
    """Every helpers.<module>.<name> a TF 2.15 replacement names is defined there (read with ast, not imported)."""
    named = {m for e in ENTRIES for m in re.findall(r"helpers(?:\.\w+)+", e.tf215)}
    assert {"helpers.experiment.Experiment", "helpers.learn_runner.run", "helpers.hparams.HParams",
            "helpers.tf1.optimize_loss"} <= named
    for dotted in named:
        module, *attrs = dotted.split(".")[1:]
        path = REPO / "helpers" / f"{module}.py"
        assert path.is_file(), dotted
        if attrs:
            assert attrs[0] in _top_level_names(path), dotted


def test_the_post_table_for_notebook_09(capsys):
    rows = port_map.post_table()
    assert len(rows) == len(port_map.POST_PIECES) >= 15
    for row in rows:
        assert row["post"] and row["tf215"] and row["tf221"]
    by_entry = {row["entry"]: row for row in rows}
    assert by_entry["tf.contrib.learn.Experiment"]["tf215"] == port_map.entry("tf.contrib.learn.Experiment").tf215
    table = port_map.post_table_markdown().splitlines()
    assert len(table) == len(rows) + 2 and table[0].startswith("| the post (TF 1.x) | TF 2.15 | TF 2.21 / Keras 3 |")
    assert all(line.count(" | ") == 3 for line in table[:1] + table[2:])
    code, out, _ = run_main(capsys, "--table")
    assert code == 0 and out.strip() == port_map.post_table_markdown()


def _newer_python() -> str | None:
    """A Python 3.12+ without this project's packages (on PATH, or one pyenv installed), or None."""
    candidates = [shutil.which(f"python3.{minor}") for minor in (12, 13)]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.1[23]*/bin/python3"))
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                               capture_output=True, text=True)
        if probe.stdout.strip() == "True":
            return candidate
    return None


def test_the_audit_runs_on_a_python_without_tensorflow():
    """It needs only the standard library: it runs on the Python 3.12 that TF 2.15 does not install on."""
    python = _newer_python()
    if python is None:
        pytest.skip("no Python 3.12 or 3.13 here")
    result = subprocess.run([python, "-m", "helpers.audit", "--format", "json", str(EXAMPLE)], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert len(json.loads(result.stdout)["findings"]) == len(POST_EXAMPLE)


# ----------------------------------------------------------------------------- the notebooks' sections


def _sections(notebook: Path) -> dict[str, str]:
    """Heading text -> the text of that section (markdown and code) up to the next heading of the same or a higher
    level."""
    cells = json.loads(notebook.read_text())["cells"]
    lines: list[tuple[int, str, str]] = []  # (heading level or 0, heading text, line)
    for cell in cells:
        source = "".join(cell["source"])
        for line in source.splitlines():
            level = len(line) - len(line.lstrip("#")) if cell["cell_type"] == "markdown" else 0
            is_heading = 0 < level <= 6 and line[level:level + 1] == " "
            lines.append((level if is_heading else 0, line[level:].strip() if is_heading else "", line))
    sections = {}
    for i, (level, heading, _) in enumerate(lines):
        if level:
            end = next((j for j in range(i + 1, len(lines)) if 0 < lines[j][0] <= level), len(lines))
            sections[heading] = "\n".join(line for _, _, line in lines[i:end])
    return sections


def test_taught_sections_exist_and_mention_their_piece():
    """Each entry's notebook has its heading, and that section mentions the piece. Notebooks get restructured: when a
    heading moves or is renamed, update its Teach in helpers/port_map.py."""
    problems = []
    for e in ENTRIES:
        if e.teach is None:
            continue
        sections = _sections(REPO / e.teach.path)
        if e.teach.section not in sections:
            problems.append(f"{e.id}: no heading {e.teach.section!r} in {e.teach.path}")
        elif e.teach.mentions.casefold() not in sections[e.teach.section].casefold():
            problems.append(f"{e.id}: section {e.teach.section!r} of {e.teach.path} does not mention "
                            f"{e.teach.mentions!r}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------- what a TF 1.x codebase brings besides the post


def test_a_notebook_cell_that_is_not_text_is_named_and_the_notebook_still_read(tmp_path):
    cells = [{"cell_type": "code", "source": None}, {"cell_type": "code", "source": {"a": 1}},
             {"cell_type": "code", "source": "import tensorflow as tf\nsess = tf.Session()"}]
    (tmp_path / "odd.ipynb").write_text(json.dumps({"nbformat": 4, "cells": cells}))
    report = audit.audit([tmp_path / "odd.ipynb"])
    assert [(e.cell, e.message) for e in report.errors] == [(0, "the cell's source is not text"),
                                                          (1, "the cell's source is not text")]
    assert [(f.cell, f.canonical) for f in report.findings] == [(2, "tf.Session")]


def test_import_compat_v1_as_tf_is_tf1_code_and_its_tf1_only_names_are_found(tmp_path):
    """tf_upgrade_v2 leaves a file with `import tensorflow.compat.v1 as tf` alone; the audit does not."""
    (tmp_path / "v1.py").write_text(
        "import tensorflow.compat.v1 as tf\n"
        "f = tf.gfile.GFile('x'); cfg = tf.ConfigProto(); sv = tf.train.Supervisor(logdir='/tmp')\n"
        "x = tf.constant(1.0)\n")
    report = audit.audit([tmp_path / "v1.py"])
    assert found(report) == [(1, "tf.compat.v1"), (2, "tf.gfile.GFile"), (2, "tf.ConfigProto"),
                             (2, "tf.train.Supervisor")]  # tf.constant is TF 2's too: the import covers it
    assert report.findings[0].entry.category == "compat_v1" and report.exit_code == 1


def test_graph_era_and_distributed_pieces_beyond_the_post():
    source = """import tensorflow as tf
tf.train.Server(cluster, job_name='worker'); tf.train.replica_device_setter(cluster=cluster)
opt = tf.train.SyncReplicasOptimizer(tf.train.AdamOptimizer(0.1), replicas_to_aggregate=2)
reader = tf.train.NewCheckpointReader(path); tf.train.init_from_checkpoint(path, {'a/': 'a/'})
shapes = dataset.output_shapes; cell = tf.nn.rnn_cell.BasicLSTMCell(8); tf.add_check_numerics_ops()
est = tf.estimator.BoostedTreesClassifier(feature_columns, n_batches_per_layer=1)
ds = ds.apply(tf.contrib.data.batch_and_drop_remainder(32))
coordinator = tf.train.Coordinator(); isinstance(it, tf.data.Iterator); tf.train.ClusterSpec({})
"""
    report = audit.audit_source(source)
    ids = {f.canonical: f.entry.id for f in report.findings}
    assert ids["tf.train.SyncReplicasOptimizer"] == "tf.train.SyncReplicasOptimizer"  # not the Adam advice
    assert ids["tf.train.AdamOptimizer"] == "tf.train.*Optimizer"
    assert ids["tf.train.Server"] == ids["tf.train.replica_device_setter"] == "tf.train.Server"
    assert ids["tf.train.NewCheckpointReader"] == ids["tf.train.init_from_checkpoint"]
    assert ids["tf.data.Dataset.output_shapes"] == "tf.data.Dataset.output_shapes"
    assert "BoostedTrees" in ids["tf.estimator.BoostedTreesClassifier"]  # not the DNN advice
    assert "drop_remainder=True" in port_map.entry(ids["tf.contrib.data.batch_and_drop_remainder"]).tf215
    assert {"tf.nn.rnn_cell.BasicLSTMCell", "tf.add_check_numerics_ops"} <= set(ids)
    # TF 2 has these three: nothing to port
    assert not {"tf.train.Coordinator", "tf.data.Iterator", "tf.train.ClusterSpec"} & set(ids)


def test_task_types_are_found_however_the_code_compares_them():
    source = """import json, os
import tensorflow as tf
task = json.loads(os.environ.get('TF_CONFIG', '{}')).get('task', {})
if task.get('type') == 'master': pass
if job_name == 'ps': pass
if FLAGS.job_name in ('master', 'worker'): pass
if run_config.task_type in ['ps']: pass
if run_config.task_type == tf.contrib.learn.TaskType.MASTER: pass
cloud_ml_task = {'type': 'master', 'index': 0, 'trial': '1'}
if kind == 'worker': pass
"""
    report = audit.audit_source(source)
    roles = [(f.line, f.canonical) for f in report.findings if f.kind == "task_type"]
    role = port_map.role_key
    assert roles == [(4, role("master")), (5, role("ps")), (6, role("master")), (6, role("worker")),
                     (7, role("ps")), (8, role("master")), (9, role("master"))]  # `kind` is no task type


def test_getattr_star_imports_and_timed_statements(tmp_path):
    report = audit.audit_source("import tensorflow as tf\nsess = getattr(tf, 'Session')()\n")
    assert found(report) == [(2, "tf.Session")]
    # a catch-all only when the star import is the one place a name can come from
    report = audit.audit_source("from numpy import *\nfrom tensorflow.contrib.learn import *\n"
                                "x = array([1]); y = zeros(3); c = DNNClassifier([10])\n")
    assert found(report) == [(2, "tf.contrib.learn"), (3, "tf.contrib.learn.DNNClassifier")]
    lines = ["import tensorflow as tf\n", "%timeit -n1 -r 3 tf.placeholder(tf.float32)\n", "r = %time tf.Session()\n",
             "if r: !ls\n", "tf.train.Saver()"]
    cells = [{"cell_type": "code", "source": lines}]
    (tmp_path / "timed.ipynb").write_text(json.dumps({"nbformat": 4, "cells": cells}))
    report = audit.audit([tmp_path / "timed.ipynb"])
    assert found(report) == [(2, "tf.placeholder"), (3, "tf.Session"), (5, "tf.train.Saver")]


def test_internal_contrib_learn_modules_get_their_own_entries():
    source = """from tensorflow.contrib.learn.python.learn.estimators import model_fn as model_fn_lib, dnn
spec = model_fn_lib.ModelFnOps(mode=model_fn_lib.ModeKeys.TRAIN)
classifier = dnn.DNNClassifier(hidden_units=[10])
"""
    ids = {f.canonical: f.entry.id for f in audit.audit_source(source).findings}
    assert ids["tf.contrib.learn.ModelFnOps"] == "tf.contrib.learn.Estimator"
    assert ids["tf.contrib.learn.ModeKeys.TRAIN"] == "tf.contrib.learn.ModeKeys"
    assert ids["tf.contrib.learn.DNNClassifier"] == "tf.contrib.learn.*Classifier"


def test_a_projects_own_helpers_package_is_not_this_series(tmp_path):
    """`helpers` is a common package name: only this series' checkout makes helpers.experiment the Experiment."""
    code = "from helpers.experiment import Experiment\nfrom helpers import learn_runner\nexp = Experiment('a')\n"
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("")
    (tmp_path / "train.py").write_text(code)
    assert audit.audit([tmp_path / "train.py"]).findings == []
    inside = REPO / "tests" / "fixtures"  # a file inside this series' checkout
    assert audit._series_helpers(inside / "audit" / "aliases.py") and not audit._series_helpers(tmp_path / "x.py")
    assert found(audit.audit_source(code)) == [(1, "tf.contrib.learn.Experiment"),
                                               (2, "tf.contrib.learn.learn_runner"),
                                               (3, "tf.contrib.learn.Experiment")]


def test_files_that_are_not_utf8_are_read(tmp_path):
    (tmp_path / "latin.py").write_bytes("# caf\xe9, 2017\nimport tensorflow as tf\nx = tf.placeholder(tf.float32)\n"
                                        .encode("latin-1"))
    report = audit.audit([tmp_path / "latin.py"])
    assert found(report) == [(3, "tf.placeholder")] and report.errors == []
