"""The training-throughput benchmarks (benchmarks/*.py, helpers in benchmarks/_measure.py): every side they time
trains, and every script prints its ratio lines from the right sides. Kept light: the real sides run for 2 steps of
16 images; the scripts' own runs use stand-in rates (a real run of all of them takes minutes, XLA's compilations
alone tens of seconds), except the graph's FLOP count and the step profile, which are cheap and run for real."""

from __future__ import annotations

import argparse
import importlib
import math
import re

import pytest
from conftest import REPO

RATIO = re.compile(r"^ratio (.+): (\d+\.\d\d)  \(median of (\d+) round", re.M)
TINY = argparse.Namespace(steps=2, warmup=1, rounds=1, batch_size=16)


@pytest.fixture(scope="module")
def bench():
    """Import benchmarks/NAME.py as a module. TF_XLA_FLAGS, which benchmarks/_measure.py sets for XLA on the CPU,
    is restored afterwards so that later tests' subprocesses (notebook kernels) do not inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(REPO / "benchmarks"))
        patch.setenv("TF_XLA_FLAGS", "--tf_xla_cpu_global_jit")
        yield importlib.import_module


@pytest.fixture()
def stand_in_rates(bench, monkeypatch):
    """Replace the timed sides by fixed rates that tell the sides apart, so a ratio shows which sides it divides."""
    m = bench("_measure")

    def rate(wall):  # in CPU time each side runs at half its wall-clock rate, except bare: at a quarter
        return m.Rate(wall, wall / 2)

    def estimator(args, *, pipeline=True, prefetch=0, xla=False, hooks=(), model=m.model_fn):
        for hook in hooks:  # benchmarks/xla_cpu.py reads the count of XLA's ops from its probe
            hook.count = 3 if xla else 0
        if model is not m.model_fn:  # benchmarks/estimator_overhead.py's one-weight model: 0.5 ms per step
            return rate(2000.0)
        return rate(20.0 if xla else 10.0 if prefetch else 9.0 if pipeline else 12.0)

    monkeypatch.setattr(m, "estimator_rate", estimator)
    monkeypatch.setattr(m, "keras_rate", lambda args, jit_compile=False: rate(5.0 if jit_compile else 8.0))
    monkeypatch.setattr(m, "bare_rate", lambda args: m.Rate(16.0, 4.0))
    monkeypatch.setattr(bench("flop_rate"), "matmul_rate", lambda size, count: rate(50.0))
    monkeypatch.setattr(bench("estimator_overhead"), "bare_one_weight_rate", lambda args: rate(4000.0))  # 0.25 ms


def ratios(text: str) -> dict[str, float]:
    found = {label: float(value) for label, value, rounds in RATIO.findall(text)}
    assert all(value > 0 and math.isfinite(value) for value in found.values()), text
    return found


def test_alternate_runs_sides_a_b_b_a_and_ratios_are_per_round(bench):
    m = bench("_measure")
    calls = []
    rates = iter(m.Rate(wall, 1.0) for wall in [10.0, 5.0, 7.0, 14.0, 1.0, 2.0, 2.0, 1.0])
    results = m.alternate({"A": lambda: calls.append("A") or next(rates),
                           "B": lambda: calls.append("B") or next(rates)}, rounds=2)
    assert calls == ["A", "B", "B", "A"] * 2
    assert [[r.wall for r in runs] for runs in results["A"]] == [[10.0, 14.0], [1.0, 1.0]]
    assert [[r.wall for r in runs] for runs in results["B"]] == [[5.0, 7.0], [2.0, 2.0]]
    assert m.round_ratios(results, "A", "B") == [2.0, 0.5]
    assert m.round_ratios(results, "A", "B", timed_by="cpu") == [1.0, 1.0]
    clocks = [(0.0, 0.0), (1.0, 0.5), (1.5, 1.0), (2.0, 2.5)]  # (wall, CPU) seconds at the end of steps 1-4
    assert m.steady_rate(clocks, warmup=2) == pytest.approx((2 / 1.0, 2 / 2.0))  # steps 3 and 4
    with pytest.raises(ValueError):
        m.steady_rate(clocks[:2], warmup=2)


def test_the_goal_verdict_reads_the_median_and_the_spread(bench, capsys):
    m = bench("_measure")
    assert m.print_ratio("x / y", [0.9, 1.2, 1.1], goal=1.0) == 1.1
    assert m.print_ratio("x / y", [0.9, 0.92, 0.8], goal=0.95) == 0.9
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("range 0.90-1.20)   goal >= 1.0: met (the rounds' range straddles it)")
    assert lines[1].endswith("range 0.80-0.92)   goal >= 0.95: MISSED")


def test_every_timed_side_trains_the_posts_network(bench):
    m = bench("_measure")
    for rate in (m.estimator_rate(TINY), m.estimator_rate(TINY, pipeline=False), m.keras_rate(TINY),
                 m.bare_rate(TINY)):
        assert all(value > 0 and math.isfinite(value) for value in rate), rate
    assert m.keras_model().count_params() == m.POST_PARAMETERS == m.training_graph(16)[2]


@pytest.mark.parametrize("script, extra, expected", [
    ("estimator_vs_keras", [], {"Estimator / Keras fit": 9 / 8}),
    ("input_pipeline", ["--prefetch"], {"pipeline / constant batch": 9 / 12,
                                        "pipeline + prefetch(1) / constant batch": 10 / 12}),
    ("estimator_overhead", [], {"Estimator / bare tf.function": 12 / 16}),
    ("xla_cpu", [], {"Estimator XLA / without": 20 / 9, "Keras jit_compile / without": 5 / 8}),
])
def test_scripts_print_their_ratios(bench, stand_in_rates, capsys, script, extra, expected):
    bench(script).main(["--steps", "2", "--warmup", "1", "--rounds", "2", *extra])
    out = capsys.readouterr().out
    assert ratios(out) == {label: round(value, 2) for label, value in expected.items()}, out
    cpu = [float(x) for x in re.findall(r"^  in CPU time .*: (\d+\.\d\d)  \(", out, re.M)]
    in_cpu_time = {"Estimator / bare tf.function": 12 / 2 / 4.0}  # bare's stand-in runs at a quarter in CPU time
    assert cpu == [round(in_cpu_time.get(label, value), 2) for label, value in expected.items()], out
    assert re.search(r"load .* at start", out) and re.search(r"load .* at end", out), out
    if script == "xla_cpu":
        assert "_XlaRun ops the session ran: 3 with ON_1, 0 with the flag alone" in out, out
    if script == "estimator_overhead":  # 0.5 - 0.25 ms, of the Estimator's 1000 / 12 ms step on the post's network
        assert "Estimator 0.50 ms per step, bare tf.function 0.25 ms: +0.25 ms, +0.3% of the" in out, out


def test_flop_rate_counts_the_training_graph(bench, stand_in_rates, capsys):
    figures = bench("flop_rate").main(["--steps", "2", "--warmup", "1", "--rounds", "1"])
    out = capsys.readouterr().out
    # the post's network: 3.6 MFLOP forward per image, about 3 x that per training image (issue 11: ~10.8)
    assert 10.0e6 < figures["flops_per_image"] < 11.5e6, out
    assert re.search(r"3 x forward pass \(rule of thumb\) +10\.\d\d M", out), out
    # tf.gradients builds the gradient of the images too (GATE_OP groups it with conv1's filter gradient); the
    # session never runs it, and the count leaves it out: 3 x forward less one conv1 (2 x 24 x 24 x 20 x 5 x 5 FLOP)
    assert "Grappler drops conv1's Conv2DBackpropInput" in out, out
    forward = float(re.search(r"forward pass (\d+\.\d\d) M", out).group(1)) * 1e6
    assert figures["flops_per_image"] == pytest.approx(3 * forward - 2 * 24 * 24 * 20 * 5 * 5, rel=0.005)
    training = 9.0 * 128 * figures["flops_per_image"] / 1e9  # the stand-in rate, the default batch
    assert ratios(out) == {"training FLOP rate / matmul FLOP rate": round(training / 50.0, 2)}, out
    assert re.search(r"^  \d+ timed matmuls per run", out, re.M), out


def test_step_profile_prints_the_top_ops(bench, capsys):
    figures = bench("step_profile").main(["--steps", "2", "--warmup", "1", "--every", "1", "--top", "5",
                                          "--batch_size", "16"])
    out = capsys.readouterr().out
    # oneDNN's kernels (TensorFlow's default) are named _MklNative...
    row = r"^  (_MklNative)?Conv2DBackprop(Filter|Input) +conv[13], backward +\d+\.\d\d +\d+\.\d%$"
    assert re.search(row, out, re.M), out
    assert len(re.findall(r"^  \S.* \d+\.\d\d +\d+\.\d%$", out, re.M)) == 6, "5 rows and 'all other ops'"
    assert sum(figures["shares"].values()) == pytest.approx(1.0)
    assert {"forward", "backward", "input pipeline", "Adam update"} <= set(figures["shares"])



def test_onednn_compares_fresh_processes_that_really_use_the_kernels_asked_for(bench, capsys, monkeypatch):
    onednn = bench("onednn")
    tiny = argparse.Namespace(**vars(TINY), processes=2)
    onednn.child(tiny)  # what a child prints: it trains, here in this process (oneDNN on: helpers.notebook.setup)
    printed = capsys.readouterr().out
    assert printed.startswith("RATE ") and printed.rstrip().endswith("ONEDNN True"), printed
    started = []

    class Child:  # stands in for subprocess.Popen: prints what the real child printed, as its TensorFlow would
        returncode = 0

        def __init__(self, command, env, **kwargs):
            started.append((command, env["TF_ENABLE_ONEDNN_OPTS"]))
            self.out = printed if env["TF_ENABLE_ONEDNN_OPTS"] == "1" else printed.replace("True", "False")

        def communicate(self):
            return self.out, ""

    monkeypatch.setattr(bench("_measure").subprocess, "Popen", Child)
    on, off = onednn.side_rate(tiny, onednn=True), onednn.side_rate(tiny, onednn=False)
    assert on == off and all(value > 0 and math.isfinite(value) for value in on), on
    assert [variable for _, variable in started] == ["1", "1", "0", "0"]  # --processes 2: two children per run
    assert all("--child" in command and command[command.index("--steps") + 1] == "2" for command, _ in started)

    monkeypatch.setattr(Child, "communicate", lambda self: (printed, ""))  # a child whose TensorFlow ignored it
    with pytest.raises(RuntimeError, match="asked for TF_ENABLE_ONEDNN_OPTS=0, but TensorFlow reports oneDNN on"):
        onednn.side_rate(tiny, onednn=False)

    monkeypatch.setattr(onednn, "side_rate", lambda args, on: bench("_measure").Rate(9.0 if on else 4.0, 2.0))
    onednn.main(["--steps", "2", "--warmup", "1", "--rounds", "2", "--processes", "2"])
    assert ratios(capsys.readouterr().out) == {"oneDNN / Eigen": 2.25}


def test_the_suite_benchmark_runs_each_side_with_its_own_makefiles_xdist_flags(bench, tmp_path):
    suite = bench("test_suite")
    assert suite.make_test_flags(REPO) == ["-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder"]
    (tmp_path / "Makefile").write_text("PYTEST_ARGS ?=\nXDIST ?= -n 2 --dist loadgroup\ntest:\n\techo\n")
    assert suite.make_test_flags(tmp_path) == ["-n", "2", "--dist", "loadgroup"]  # an older commit's
