"""Figures of the mechanisms the series teaches, drawn with matplotlib from recorded runs where possible.

- :func:`overview` - the post's overview: Dataset -> input_fn -> Estimator (model_fn, params, config) ->
  Experiment -> learn_runner, and what flows between them (notebook 00).
- :func:`call_sequence` - one ``Estimator.train`` call as a sequence of the calls a recording saw (notebook 02).
- :func:`train_and_evaluate_timeline` - training steps, checkpoints and evaluations against time and global
  step, read from a run's event files (notebook 03).
- :func:`cluster_diagram` - a localhost cluster's processes (chief, workers, ps, evaluator, the launcher), the
  schedule each ran and what flows between them (notebook 06).
"""

from __future__ import annotations

#: Fill colours of :func:`overview`: what TensorFlow 2.15 ships vs what this project re-creates from tf.contrib.
REAL_TF_COLOUR = "#dbe9f6"
RECREATED_COLOUR = "#fde3c8"


def overview(figsize=(12, 6.4)):
    """The post's overview as boxes and arrows: Dataset -> input_fn (+ IteratorInitializerHook) -> Estimator
    (model_fn, params=HParams, config=RunConfig) -> Experiment -> learn_runner.run, with what flows between them
    (features/labels, EstimatorSpec, checkpoints and event files in model_dir -> TensorBoard, predictions).

    Blue boxes are real TensorFlow 2.15, orange ones the project's re-creations of tf.contrib (``helpers``); each
    box names the notebook that teaches it. Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 62)
    ax.axis("off")

    def box(x, y, w, h, title, body, notebook, recreated=False):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.3,rounding_size=1.0", linewidth=1.2,
                                    facecolor=RECREATED_COLOUR if recreated else REAL_TF_COLOUR,
                                    edgecolor="#b35900" if recreated else "#2b5d8a"))
        ax.text(x + w / 2, y + h - 1.0, title, ha="center", va="top", fontsize=10.5, fontweight="bold",
                family="monospace")
        ax.text(x + w / 2, y + h - 4.2, body, ha="center", va="top", fontsize=8, linespacing=1.3)
        ax.text(x + w - 0.4, y + 0.4, notebook, ha="right", va="bottom", fontsize=7.5, color="#555555",
                style="italic")

    def arrow(start, end, label="", at=None, ha="center"):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, linewidth=1.3,
                                     color="#333333", shrinkA=1, shrinkB=1))
        if label:
            x, y = at or ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            ax.text(x, y, label, ha=ha, va="center", fontsize=8, color="#222222", linespacing=1.2, style="italic",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8})

    # the training chain, left to right (y 25..42)
    box(1, 25, 16, 17, "Dataset", "tf.data.Dataset\n.from_tensor_slices(\n  placeholders)\n.repeat()\n"
        ".shuffle(10000)\n.batch(128)", "notebook 01")
    box(26, 25, 18, 17, "input_fn", "initializable iterator:\nget_next() ->\n(features, labels)\n"
        "+ IteratorInitializerHook\nfeeds the numpy arrays\n(after_create_session)", "notebook 01")
    box(53, 25, 20, 17, "Estimator", "Estimator(model_fn,\n  params=HParams,\n  config=RunConfig)\n"
        "model_fn(features, labels,\n  mode, params)\n-> EstimatorSpec", "notebook 02")
    box(81, 25, 18, 17, "Experiment", "Experiment(estimator,\ntrain/eval input_fns,\ntrain_monitors,\neval_hooks,"
        "\ntrain_steps,\nmin_eval_frequency)", "notebook 03", recreated=True)
    # what runs the chain (y 48..60)
    box(55, 48, 44, 12, "learn_runner.run", "(experiment_fn, run_config, schedule, hparams):\ncalls "
        "experiment_fn(run_config, hparams) -> Experiment,\nthen runs its schedule, e.g. 'train_and_evaluate'",
        "notebook 03", recreated=True)
    box(31, 48, 15, 12, "HParams", "learning_rate,\nbatch_size,\ndropout_rate, ...", "notebook 02", recreated=True)
    # what training leaves behind, and what uses it (y 2..17)
    box(53, 2, 20, 15, "model_dir", "checkpoints\n(model.ckpt-N.*)\nevent files\n(events.out.tfevents.*)",
        "notebooks 02-04")
    box(81, 2, 18, 15, "TensorBoard", "loss, accuracy,\nglobal_step/sec,\nthe graph", "notebook 03")
    box(26, 2, 18, 15, "predictions", "estimator.predict()\n-> classes, probabilities;\nexport_saved_model()\n"
        "-> SavedModel", "notebook 04")

    arrow((17.4, 33.5), (25.6, 33.5), "Dataset")
    arrow((44.4, 33.5), (52.6, 33.5), "features,\nlabels\n(tensors)")
    arrow((80.6, 33.5), (73.4, 33.5), "train(),\nevaluate()")
    arrow((88, 47.6), (88, 42.4), "builds, runs", at=(88, 45))
    arrow((46.4, 54), (54.6, 54), "hparams")
    arrow((68, 24.6), (68, 17.4), "checkpoints,\nevent files", at=(68, 21))
    arrow((58, 17.4), (58, 24.6), "restore", at=(58, 21))
    arrow((73.4, 9.5), (80.6, 9.5), "reads")
    arrow((54, 24.6), (44.4, 17.4), "predict():\nPREDICT\nEstimatorSpec", at=(48.5, 21))
    ax.text(1, 17, "One model_fn builds a TRAIN, EVAL or\nPREDICT graph at every call; its\n"
            "EstimatorSpec says what that mode\nreturns (loss, train_op, metrics,\npredictions). "
            "Training writes model_dir;\neach new graph restores the variables\nfrom it, by name.",
            fontsize=8, va="top", color="#333333", linespacing=1.3)

    ax.legend(handles=[Patch(facecolor=REAL_TF_COLOUR, edgecolor="#2b5d8a", label="real TensorFlow 2.15"),
                       Patch(facecolor=RECREATED_COLOUR, edgecolor="#b35900",
                             label="tf.contrib, gone since TF 2.0:\nre-created in helpers/")],
              loc="upper left", bbox_to_anchor=(0.0, 0.99), fontsize=8.5, frameon=False)
    ax.set_title("The post's overview: Dataset, Estimator and Experiment, and what flows between them",
                 fontsize=11, loc="left")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------------------
# call_sequence (notebook 02): one Estimator.train call, recorded and drawn as a sequence diagram.
# A log is a list of strings "<call> [<detail>]" in the order the calls happened, e.g. "input_fn",
# "model_fn train", "begin", "before_run", "before_save 2" - RecordingHook (helpers.hooks) writes the hook methods'
# names into the same list.

#: The lanes of the diagram, left to right.
SEQUENCE_LANES = ("Estimator", "input_fn", "model_fn", "session + hooks", "checkpoint")
_HOOK_CALLS = {"begin", "after_create_session", "before_run", "after_run", "end"}


def recording_saver_listener(log: list):
    """A ``tf.estimator.CheckpointSaverListener`` that appends ``"before_save <step>"`` and ``"after_save <step>"``
    to ``log`` each time the Estimator's CheckpointSaverHook writes a checkpoint."""
    import tensorflow as tf

    class RecordingSaverListener(tf.estimator.CheckpointSaverListener):
        def before_save(self, session, global_step_value):
            log.append(f"before_save {global_step_value}")

        def after_save(self, session, global_step_value):
            log.append(f"after_save {global_step_value}")

    return RecordingSaverListener()


def record_train(model_fn, input_fn, params, config, max_steps: int, hooks=()) -> list:
    """Run ``Estimator.train`` once with every call recorded into one list, and return that list.

    The input_fn and the model_fn are wrapped to log their calls, a ``RecordingHook`` logs the hook methods and
    a ``CheckpointSaverListener`` the checkpoint saves; the Estimator's own entry and exit are logged around it.
    """
    import tensorflow as tf

    from helpers.hooks import RecordingHook

    log = []

    def recorded_input_fn():
        log.append("input_fn")
        return input_fn()

    def recorded_model_fn(features, labels, mode, params):
        log.append(f"model_fn {mode}")
        return model_fn(features, labels, mode, params)

    estimator = tf.estimator.Estimator(recorded_model_fn, params=params, config=config)
    log.append(f"train max_steps={max_steps}")
    estimator.train(recorded_input_fn, hooks=[*hooks, RecordingHook(log)], max_steps=max_steps,
                    saving_listeners=[recording_saver_listener(log)])
    log.append("return")
    return log


def sequence_rows(log) -> list[tuple[str, str, str]]:
    """The rows of the sequence diagram, top to bottom, as ``(from_lane, to_lane, label)``.

    A before_save/after_save pair becomes one "save" row; each before_run/after_run pair is one step, and runs of
    consecutive steps with nothing in between are folded into one row ("steps 3-49 (x47)").
    """
    est, inp, mfn, hooks, ckpt = SEQUENCE_LANES
    rows, step, pending = [], 0, None  # pending: (first step, last step) of plain steps not yet written

    def flush():
        nonlocal pending
        if pending:
            first, last = pending
            what = f"step {first}" if first == last else f"steps {first}-{last} (×{last - first + 1})"
            rows.append((est, hooks, f"{what}: before_run → session.run(train_op) → after_run"))
            pending = None

    entries = [str(entry).split(" ", 1) + [""] for entry in log]
    i = 0
    while i < len(entries):
        name, detail = entries[i][0], entries[i][1]
        if name == "before_run":
            step += 1
            j = i + 1
            if j < len(entries) and entries[j][0] == "after_run":  # a plain step: fold it with its neighbours
                pending = (pending[0] if pending else step, step)
                i = j + 1
                continue
            flush()
            rows.append((est, hooks, f"step {step}: before_run → session.run(train_op)"))
        elif name == "after_run":
            flush()
            rows.append((est, hooks, f"step {step}: after_run"))
        elif name == "before_save":
            flush()
            if i + 1 < len(entries) and entries[i + 1][0] == "after_save":
                i += 1
            rows.append((hooks, ckpt, f"save model.ckpt-{detail} (before_save, after_save)"))
        elif name == "after_save":
            flush()
            rows.append((hooks, ckpt, f"after_save {detail}"))
        elif name in _HOOK_CALLS:
            flush()
            rows.append((est, hooks, f"{name}()"))
        elif name == "input_fn":
            flush()
            rows.append((est, inp, "input_fn() → features, labels"))
        elif name == "model_fn":
            flush()
            rows.append((est, mfn, f"model_fn(features, labels, mode={detail}) → EstimatorSpec"))
        elif name == "train":
            rows.append((est, est, f"train({detail})"))
        elif name == "return":
            flush()
            rows.append((est, est, "train returns"))
        else:
            flush()
            rows.append((est, est, " ".join(part for part in (name, detail) if part)))
        i += 1
    flush()
    return rows


def call_sequence(log, title: str = "One Estimator.train call, as recorded"):
    """Draw a recorded ``log`` (see :func:`record_train`) as a sequence diagram: one lane per party, time downwards,
    one arrow per call in recorded order. Returns the figure."""
    import matplotlib.pyplot as plt

    rows = sequence_rows(log)
    x = {lane: 2.4 * i for i, lane in enumerate(SEQUENCE_LANES)}
    height = 0.42 * len(rows) + 1.3
    fig, ax = plt.subplots(figsize=(10.5, height))
    top, bottom = 0.0, -(len(rows) + 0.2)
    for lane, lx in x.items():
        ax.plot([lx, lx], [bottom, top], color="0.75", linestyle="--", linewidth=1, zorder=0)
        ax.text(lx, top + 0.45, lane, ha="center", va="center", fontsize=9, fontweight="bold",
                bbox={"boxstyle": "round,pad=0.35", "facecolor": "#e8eef7", "edgecolor": "#4a6fa5"})
    colours = {"input_fn": "#2a7f62", "model_fn": "#8a4fbf", "session + hooks": "#c0392b", "checkpoint": "#d98c00"}
    left = x[SEQUENCE_LANES[0]] - 1.3
    phases = {"build the graph": [n for n, r in enumerate(rows, 1) if r[1] in ("input_fn", "model_fn")
                                  or r[2] == "begin()"],
              "training loop": [n for n, r in enumerate(rows, 1) if r[2].startswith("step")]}
    for (phase, members), shade in zip(phases.items(), ("#eef3fb", "#fbefee"), strict=True):
        if members:
            ax.axhspan(-max(members) - 0.45, -min(members) + 0.45, color=shade, zorder=-1)
            ax.text(left + 0.05, -(min(members) + max(members)) / 2, phase, rotation=90, ha="left", va="center",
                    fontsize=7.5, color="0.35")
    for n, (src, dst, label) in enumerate(rows, start=1):
        y = -n
        colour = colours.get(dst, "0.2")
        ax.text(x[SEQUENCE_LANES[0]] - 0.8, y, f"{n}", ha="right", va="center", fontsize=7, color="0.5")
        if src == dst:
            ax.text(x[src] - 0.55, y, label, ha="left", va="center", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "0.4"})
            continue
        ax.annotate("", xy=(x[dst], y), xytext=(x[src], y),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.2})
        if dst == SEQUENCE_LANES[3] and src == SEQUENCE_LANES[0]:  # the session lane's long labels end at it
            ax.text(x[dst] - 0.1, y + 0.12, label, ha="right", va="bottom", fontsize=7.5, color=colour)
        else:
            ax.text(x[src] + 0.1, y + 0.12, label, ha="left", va="bottom", fontsize=7.5, color=colour)
    ax.set_xlim(left, x[SEQUENCE_LANES[-1]] + 1.3)
    ax.set_ylim(bottom - 0.3, top + 0.9)
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def train_and_evaluate_timeline(model_dir, title: str | None = None, figsize=(12, 6)):
    """A ``train_and_evaluate`` run on a time line, from its event files (:func:`helpers.tensorboard.read_timeline`).

    Top: the global step against seconds since the run started - start-up (graph and session), training, each
    checkpoint save (the ``SessionLog.CHECKPOINT`` events) and each evaluation of that checkpoint (from its save to
    the moment ``eval/`` got its metrics), shaded. Bottom, on the same time axis: every ``global_step/sec`` sample
    drawn over the interval it measured; the intervals that contain an evaluation are red - their rate drops,
    because training waited for the evaluation. Returns the figure.
    """
    import matplotlib.pyplot as plt

    from helpers.tensorboard import read_timeline

    timeline = read_timeline(model_dir)
    fig, (ax_step, ax_rate) = plt.subplots(2, 1, figsize=figsize, sharex=True, height_ratios=(3, 2))
    for ax in (ax_step, ax_rate):
        for i, (start, end) in enumerate(timeline["startup"]):
            ax.axvspan(start, end, color="#999999", alpha=0.25, lw=0, label="start-up: build graph, start session"
                       if i == 0 and ax is ax_step else None)
        for i, evaluation in enumerate(timeline["evaluations"]):
            ax.axvspan(evaluation["start"], evaluation["end"], color="C3", alpha=0.25, lw=0,
                       label="evaluation (whole test split)" if i == 0 and ax is ax_step else None)
    seconds, steps = timeline["progress"].T
    ax_step.plot(seconds, steps, ".-", color="C0", ms=3, lw=1, label="training (events written)")
    if len(timeline["checkpoints"]):
        ax_step.plot(*timeline["checkpoints"].T, "D", color="C2", ms=6, label="checkpoint saved")
    last = max([seconds.max() if len(seconds) else 0] + [e["end"] for e in timeline["evaluations"]])
    for evaluation in timeline["evaluations"]:
        accuracy = evaluation["metrics"].get("accuracy")
        text = f"eval @ {evaluation['step']}" + (f"\naccuracy {accuracy:.3f}" if accuracy is not None else "")
        at_the_end = evaluation["end"] > 0.9 * last  # write it to the left, inside the axes
        ax_step.annotate(text, (evaluation["start"] if at_the_end else evaluation["end"], evaluation["step"]),
                         xytext=(-6 if at_the_end else 4, -8), textcoords="offset points", fontsize=8, color="C3",
                         va="top", ha="right" if at_the_end else "left")
    ax_step.set(ylabel="global step", title=title or "train_and_evaluate, from the event files")
    ax_step.legend(fontsize=8, loc="upper left")
    for rate in timeline["rates"]:
        slowed = bool(rate["evaluations"])
        ax_rate.hlines(rate["rate"], rate["start"], rate["end"], color="C3" if slowed else "C0", lw=3 if slowed else 2)
    ax_rate.plot([], [], color="C0", lw=2, label="global_step/sec over the interval it measured")
    ax_rate.plot([], [], color="C3", lw=3, label="... an interval that contains an evaluation")
    top_rate = max([r["rate"] for r in timeline["rates"]], default=1.0)
    ax_rate.set(xlabel="seconds since the run started", ylabel="steps / s", ylim=(0, 1.4 * top_rate))
    ax_rate.legend(fontsize=8, loc="upper left", ncol=2)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------------------
# cluster_diagram (notebook 06): the processes of a localhost cluster, their schedules and what flows between them.

#: The schedule learn_runner picks for each task type when none is given (helpers.learn_runner.default_schedule).
CLUSTER_SCHEDULES = {"chief": "train_and_evaluate", "worker": "train", "ps": "run_std_server",
                     "evaluator": "continuous_eval"}
_CLUSTER_ROLES = {
    "chief": "own TF server; initialises the\nvariables, trains, writes\ncheckpoints and summaries",
    "worker": "own TF server (started by\ntrain(), as TF 1.x); trains\nthe same variables",
    "ps": "holds the variables (weights,\nglobal_step); never returns:\nthe launcher stops it",
    "evaluator": "outside the cluster spec;\nevaluates each new checkpoint,\nstops at one >= train_steps",
}


def cluster_diagram(cluster_spec=None, schedules=None, title: str | None = None, figsize=(12, 6.6)):
    """A localhost cluster as boxes and arrows: the chief and workers on top, the parameter server(s) in the middle,
    model_dir and the evaluator below, the launcher on the left.

    ``cluster_spec`` (``{"chief": ["localhost:port"], ...}``, e.g. ``Cluster.cluster_spec`` of a run) names the
    addresses; ``schedules`` (``{"chief:0": "train_and_evaluate", ...}``, e.g. ``Cluster.schedules()``, read from the
    tasks' logs) the schedule each process ran - learn_runner's defaults where not given. Arrows: the trainers read
    the variables from the ps and send it their updates, each on its own (asynchronous); the chief writes
    checkpoints into model_dir; the evaluator reads them and writes its metrics to ``eval_continuous/``.
    Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    spec = cluster_spec or {"chief": ["localhost:port"], "worker": ["localhost:port"], "ps": ["localhost:port"]}
    schedules = dict(schedules or {})
    trainers = [("chief", i, a) for i, a in enumerate(spec.get("chief", []))]
    trainers += [("worker", i, a) for i, a in enumerate(spec.get("worker", []))]
    servers = [("ps", i, a) for i, a in enumerate(spec.get("ps", []))]

    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 64)
    ax.axis("off")
    colours = {"chief": "#dbe9f6", "worker": "#dbe9f6", "ps": "#e4f2dc", "evaluator": "#fde3c8", "dir": "#eeeeee"}

    def box(x, y, w, h, kind, title_text, body):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.3,rounding_size=1.0", linewidth=1.2,
                                    facecolor=colours[kind], edgecolor="#444444"))
        ax.text(x + w / 2, y + h - 1.0, title_text, ha="center", va="top", fontsize=10, fontweight="bold",
                family="monospace")
        ax.text(x + w / 2, y + h - 4.0, body, ha="center", va="top", fontsize=8, linespacing=1.3)

    def arrow(start, end, label="", at=None, style="-|>", colour="#333333", ls="-"):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, linewidth=1.2, color=colour,
                                     linestyle=ls, shrinkA=1, shrinkB=1))
        if label:
            x, y = at or ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            ax.text(x, y, label, ha="center", va="center", fontsize=7.5, style="italic", color="#222222",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})

    def schedule_of(kind, index):
        return schedules.get(f"{kind}:{index}", CLUSTER_SCHEDULES[kind])

    left, right = 24.0, 99.0  # the launcher takes the left strip
    # the trainers, on top
    width = min(24.0, (right - left) / max(1, len(trainers)) - 3)
    trainer_centres = []
    for n, (kind, index, address) in enumerate(trainers):
        x = left + n * (right - left) / len(trainers) + ((right - left) / len(trainers) - width) / 2
        box(x, 44, width, 18, kind, f"{kind}:{index}", f"{address}\nschedule: {schedule_of(kind, index)}\n\n"
            + _CLUSTER_ROLES[kind])
        trainer_centres.append(x + width / 2)
    # the parameter servers, in the middle
    ps_width = 26.0
    ps_centres = []
    for n, (kind, index, address) in enumerate(servers):
        x = left + (n + 0.5) * (right - left) / len(servers) - ps_width / 2
        box(x, 22, ps_width, 15.5, "ps", f"ps:{index}", f"{address}\nschedule: {schedule_of(kind, index)}\n\n"
            + _CLUSTER_ROLES["ps"])
        ps_centres.append(x + ps_width / 2)
    for n, tx in enumerate(trainer_centres):
        for px in ps_centres:
            spread = (n - (len(trainer_centres) - 1) / 2) * 5.0  # each trainer's arrows meet the ps apart
            arrow((tx - 1.2, 43.6), (px + spread - 1.2, 37.9), style="<|-")
            arrow((tx + 1.2, 43.6), (px + spread + 1.2, 37.9))
    if trainer_centres and ps_centres:
        ax.text(ps_centres[-1] + ps_width / 2 + 2, 30, "each trainer, on its own (asynchronous):\n"
                "\u2191 reads the variables from the ps\n\u2193 sends it its updates", ha="left", va="center",
                fontsize=7.5, style="italic", color="#222222")
    # model_dir and the evaluator, below
    box(left + 2, 1, 30, 15, "dir", "model_dir", "checkpoints model.ckpt-N\nevent files (training)\n"
        "eval_continuous/ (metrics)\nlogs/<task>.log (launcher)")
    evaluator = "evaluator:0"
    evaluator_role = _CLUSTER_ROLES["evaluator"].split("\n", 1)[1]  # "not in the cluster spec" is said above
    box(right - 32, 1, 32, 15, "evaluator", evaluator, "not in the cluster spec\nschedule: "
        f"{schedules.get(evaluator, CLUSTER_SCHEDULES['evaluator'])}\n\n{evaluator_role}")
    if trainer_centres:
        chief_x = trainer_centres[0]
        ax.add_patch(FancyArrowPatch((chief_x - 9, 43.6), (left + 12, 16.4), arrowstyle="-|>", mutation_scale=12,
                                     linewidth=1.2, color="#2b5d8a", connectionstyle="arc3,rad=0.25"))
        ax.text(left + 4.5, 31, "chief: checkpoints\nevery N steps,\nsummaries", fontsize=7.5, style="italic",
                color="#2b5d8a", ha="left", va="center")
    arrow((left + 32.6, 10.5), (right - 32.6, 10.5), colour="#b35900")
    arrow((right - 32.6, 5.5), (left + 32.6, 5.5), colour="#b35900")
    middle = (left + 32.6 + right - 32.6) / 2
    ax.text(middle, 11.5, "reads each new checkpoint", ha="center", va="bottom", fontsize=7.5, style="italic")
    ax.text(middle, 4.5, "writes its metrics", ha="center", va="top", fontsize=7.5, style="italic")
    # the launcher, on the left
    box(0.5, 1, 18, 61, "dir", "launcher", "helpers.cluster.Cluster\n(in this kernel)\n\n"
        "picks free ports,\nstarts one process per\ntask, each with its\nTF_CONFIG:\n"
        "{cluster: spec,\n task: {type, index}}\n\nwrites logs/<task>.log,\nshows the status,\n"
        "stops the ps when\nchief, workers and\nevaluator are done,\nstops everything on\nan error or interrupt")
    ax.plot([19.2, 19.2], [2, 61], color="#888888", lw=1, ls=":")
    ax.set_title(title or "One Experiment, four processes: what each task runs and what flows between them",
                 fontsize=11, loc="left")
    fig.tight_layout()
    return fig
