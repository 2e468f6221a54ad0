"""helpers.diagrams: the mechanism figures draw what they claim to."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from helpers import diagrams  # noqa: E402


def figure_texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def test_overview_draws_the_posts_pieces_and_what_flows_between_them():
    fig = diagrams.overview()
    try:
        text = figure_texts(fig)
        titles = [t.get_text() for t in fig.findobj(Text) if t.get_fontweight() == "bold"]
        assert titles == ["Dataset", "input_fn", "Estimator", "Experiment", "learn_runner.run", "HParams",
                          "model_dir", "TensorBoard", "predictions"]
        for flow in ("features,\nlabels", "EstimatorSpec", "checkpoints,\nevent files", "train(),\nevaluate()",
                     "IteratorInitializerHook", "params=HParams", "config=RunConfig", "min_eval_frequency",
                     "(experiment_fn, run_config, schedule, hparams)", ".repeat()\n.shuffle(10000)\n.batch(128)"):
            assert flow in text, flow
        for notebook in ("notebook 01", "notebook 02", "notebook 03", "notebook 04"):
            assert notebook in text
        # the re-created tf.contrib pieces are the orange boxes, and only they
        boxes = [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]
        assert len(boxes) == len(titles)
        recreated = {title for title, patch in zip(titles, boxes, strict=True)
                     if matplotlib.colors.same_color(patch.get_facecolor(), diagrams.RECREATED_COLOUR)}
        assert recreated == {"Experiment", "learn_runner.run", "HParams"}
        assert "re-created in helpers/" in text and "real TensorFlow 2.15" in text
    finally:
        plt.close(fig)


# --- call_sequence (notebook 02) ------------------------------------------------------------------------------

def _recorded_train(tmp_path, max_steps=3, save_every=2):
    from helpers.data import Mnist, load_mnist
    from helpers.inputs import get_train_inputs
    from helpers.model import model_fn
    from helpers.notebook import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    full = load_mnist("sample", verbose=False)
    mnist = Mnist(full.train_images[:64], full.train_labels[:64], full.test_images[:8], full.test_labels[:8],
                  source="sample")
    input_fn, input_hook = get_train_inputs(16, mnist, seed=1)
    config = tf.estimator.RunConfig(model_dir=str(tmp_path / "model"), save_checkpoints_steps=save_every,
                                    tf_random_seed=1)
    return diagrams.record_train(model_fn, input_fn, {"learning_rate": 0.001, "dropout_rate": 0.5}, config,
                                 max_steps=max_steps, hooks=[input_hook])


def test_record_train_logs_the_calls_of_one_train_call_in_order(tmp_path):
    log = _recorded_train(tmp_path)
    assert log[0] == "train max_steps=3" and log[-1] == "return"
    order = [log.index(name) for name in ("input_fn", "model_fn train", "begin", "after_create_session")]
    assert order == sorted(order), log
    assert log.count("input_fn") == log.count("model_fn train") == 1
    steps = [entry for entry in log if entry in ("before_run", "after_run")]
    assert steps == ["before_run", "after_run"] * 3, log
    saves = [entry for entry in log if entry.startswith(("before_save", "after_save"))]
    assert saves == ["before_save 0", "after_save 0", "before_save 2", "after_save 2", "before_save 3", "after_save 3"]
    assert log.index("after_save 2") < log.index("before_run", log.index("after_save 2"))  # mid-run, before step 3
    assert log.index("after_save 3") > max(i for i, entry in enumerate(log) if entry == "after_run")  # at the end

    # A second call on the same model_dir finds max_steps reached in the checkpoint and returns at once.
    assert _recorded_train(tmp_path) == ["train max_steps=3", "return"]


def test_sequence_rows_fold_plain_steps_and_keep_the_recorded_order():
    log = ["train max_steps=60", "input_fn", "model_fn train", "begin", "before_save 0", "after_save 0",
           "after_create_session", *["before_run", "after_run"] * 49, "before_run", "before_save 50", "after_save 50",
           "after_run", *["before_run", "after_run"] * 10, "before_save 60", "after_save 60", "end", "return"]
    labels = [label for _, _, label in diagrams.sequence_rows(log)]
    assert labels == [
        "train(max_steps=60)", "input_fn() → features, labels",
        "model_fn(features, labels, mode=train) → EstimatorSpec", "begin()",
        "save model.ckpt-0 (before_save, after_save)", "after_create_session()",
        "steps 1-49 (×49): before_run → session.run(train_op) → after_run",
        "step 50: before_run → session.run(train_op)", "save model.ckpt-50 (before_save, after_save)",
        "step 50: after_run", "steps 51-60 (×10): before_run → session.run(train_op) → after_run",
        "save model.ckpt-60 (before_save, after_save)", "end()", "train returns"]
    lanes = {label: (src, dst) for src, dst, label in diagrams.sequence_rows(log)}
    assert lanes["begin()"] == ("Estimator", "session + hooks")
    assert lanes["save model.ckpt-50 (before_save, after_save)"] == ("session + hooks", "checkpoint")


def test_call_sequence_draws_every_row_with_its_lanes(tmp_path):
    log = _recorded_train(tmp_path, max_steps=3, save_every=2)
    fig = diagrams.call_sequence(log, title="recorded")
    try:
        text = figure_texts(fig)
        for lane in diagrams.SEQUENCE_LANES:
            assert lane in text
        rows = diagrams.sequence_rows(log)
        positions = [text.index(label) for _, _, label in rows]
        assert positions == sorted(positions), "rows drawn out of recorded order"
        assert "build the graph" in text and "training loop" in text
    finally:
        plt.close(fig)


# --- train_and_evaluate_timeline (notebook 03) ------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_train_and_evaluate_run(tmp_path_factory):
    """A real learn_runner train_and_evaluate run of the post's model: 6 steps, checkpoints and evaluations at 3 and 6,
    a global_step/sec sample every 2 steps."""
    import numpy as np

    from helpers.notebook import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    from helpers import learn_runner
    from helpers.data import Mnist, load_mnist
    from helpers.train import default_hparams, make_experiment_fn

    full = load_mnist("sample", verbose=False)
    pick = np.random.default_rng(0).permutation(len(full.test_images))[:200]
    tiny = Mnist(full.train_images[pick], full.train_labels[pick], full.test_images[pick[:50]],
                 full.test_labels[pick[:50]], source="sample")
    model_dir = tmp_path_factory.mktemp("timeline_run")
    run_config = tf.estimator.RunConfig(model_dir=str(model_dir), tf_random_seed=1, log_step_count_steps=2)
    learn_runner.run(make_experiment_fn(tiny, progress=False), run_config=run_config, schedule="train_and_evaluate",
                     hparams=default_hparams(train_steps=6, min_eval_frequency=3, batch_size=32))
    return model_dir


def test_read_timeline_finds_the_checkpoints_the_evaluations_and_the_intervals_they_slowed(tiny_train_and_evaluate_run):
    from helpers.tensorboard import read_scalars, read_timeline

    timeline = read_timeline(tiny_train_and_evaluate_run)
    assert timeline["checkpoints"][:, 1].tolist() == [0, 3, 6]  # the save at session start, then every 3 steps
    evaluations = timeline["evaluations"]
    assert [e["step"] for e in evaluations] == [3, 6] == read_scalars(tiny_train_and_evaluate_run)["eval"]["accuracy"][
        0].tolist()
    saves = dict(zip(timeline["checkpoints"][:, 1], timeline["checkpoints"][:, 0], strict=True))
    for evaluation in evaluations:  # an evaluation starts when its checkpoint was saved and ends with its metrics
        assert evaluation["start"] == saves[evaluation["step"]] < evaluation["end"]
        assert {"accuracy", "loss"} <= set(evaluation["metrics"]) and 0 <= evaluation["metrics"]["accuracy"] <= 1
    seconds, steps = timeline["progress"].T
    assert (seconds >= 0).all() and steps.max() == 6 and (timeline["progress"][:, 0] == sorted(seconds)).all()
    [(start, first_step)] = timeline["startup"]  # one training session: graph and session before the first step
    assert start == 0 < first_step < saves[3]
    rates = timeline["rates"]
    assert rates and all(r["rate"] > 0 and r["start"] < r["end"] and r["first_step"] < r["step"] for r in rates)
    slowed = [r for r in rates if r["evaluations"]]
    assert [r["evaluations"] for r in slowed] == [[3]]  # the final evaluation comes after the last sample
    assert slowed[0]["first_step"] <= 3 <= slowed[0]["step"]
    assert slowed[0]["start"] <= evaluations[0]["start"] and evaluations[0]["end"] <= slowed[0]["end"]


def test_train_and_evaluate_timeline_draws_steps_checkpoints_evaluations_and_rates(tiny_train_and_evaluate_run):
    from matplotlib.collections import LineCollection

    fig = diagrams.train_and_evaluate_timeline(tiny_train_and_evaluate_run, title="tiny run")
    try:
        ax_step, ax_rate = fig.axes
        text = figure_texts(fig)
        for needed in ("tiny run", "eval @ 3", "eval @ 6", "accuracy", "checkpoint saved", "start-up",
                       "evaluation (whole test split)", "global step", "steps / s", "seconds since the run started"):
            assert needed in text, needed
        [diamonds] = [line for line in ax_step.get_lines() if line.get_marker() == "D"]
        assert diamonds.get_ydata().tolist() == [0, 3, 6]
        red = [c for c in ax_rate.collections if isinstance(c, LineCollection)
               and matplotlib.colors.same_color(c.get_color()[0], "C3")]
        assert len(red) == 1  # the one interval that contains the evaluation at step 3
    finally:
        plt.close(fig)
