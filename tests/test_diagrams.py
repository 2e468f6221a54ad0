"""helpers.diagrams: the mechanism figures draw what they claim to."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
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
