"""Smoke test of benchmarks/bench.py: every workload runs on tiny sizes and the cross-engine check
bites. Timings are never asserted (speed lives only in the benchmark's own output)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("micrograd")

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench", None)


@pytest.fixture(scope="module")
def tiny_run(bench):
    return bench.run_benchmark(bench.TINY, log=lambda message: None)


def test_every_workload_runs_on_every_engine(bench, tiny_run):
    rows, memory, players = tiny_run
    pairs = {(r.workload, r.engine) for r in rows}
    for workload in ("moons step, op by op", "chain N=1e+01", "chain N=2e+03", "wide sum n=1e+02"):
        for engine in ("gradstep", "micrograd", "torch"):
            assert (workload, engine) in pairs
    assert ("moons step, gradstep nn default", "gradstep") in pairs
    assert [m.engine for m in memory] == ["gradstep", "micrograd", "torch"]
    assert [p.what for p in players] == [
        "network player, MLP(2, [2, 1])",
        "expression player, the lecture's neuron",
    ]
    assert all(p.page_bytes > 10_000 and len(p.seconds) == 1 for p in players)
    assert "| network player, MLP(2, [2, 1]) |" in bench.player_table(players)


def test_micrograd_recursion_is_reported_not_raised(bench, tiny_run):
    rows, *_ = tiny_run
    deep = {r.engine: r.samples for r in rows if r.workload == "chain N=2e+03"}
    assert deep["micrograd"].error == "RecursionError" and not deep["micrograd"].seconds
    assert not deep["gradstep"].error and deep["gradstep"].seconds


def test_gradstep_graph_is_freed_without_the_collector(bench, tiny_run):
    _, memory, _ = tiny_run
    gradstep = next(m for m in memory if m.engine == "gradstep")
    assert gradstep.after_forward > 0
    # nothing per node is left once the graph is dropped (CPython may keep a few freed tuples)
    assert gradstep.left_after_drop < 0.5 * gradstep.after_forward * gradstep.nodes


def test_table_and_targets_render(bench, tiny_run):
    rows, memory, players = tiny_run
    text = bench.table(rows, memory)
    assert "RecursionError" in text and "| gradstep |" in text
    assert all(isinstance(ok, bool) for _, _, ok in bench.targets(rows, memory, players))


def test_agreement_check_catches_a_different_number(bench):
    a = {"loss": 2.0, "grads": [1.0, 3.0]}
    bench.agree({"a": a, "b": {"loss": 2.0 + 1e-12, "grads": [1.0, 3.0]}}, "x")
    with pytest.raises(bench.Disagreement, match="b's grads\\[1\\]"):
        bench.agree({"a": {"grads": [1.0, 3.0]}, "b": {"grads": [1.0, 3.0 + 1e-6]}}, "x")
    with pytest.raises(bench.Disagreement, match="reports 1 grads"):
        bench.agree({"a": {"grads": [1.0, 3.0]}, "b": {"grads": [1.0]}}, "x")
    # a key is compared among the engines that report it, whichever engine comes first
    bench.agree({"floats": {"loss": 1.0}, "b": {"loss": 1.0, "grads": [5.0]}}, "x")
    with pytest.raises(bench.Disagreement, match="c's grads"):
        bench.agree({"floats": {"loss": 1.0}, "b": {"grads": [5.0]}, "c": {"grads": [6.0]}}, "x")


def test_step_check_compares_gradients_read_after_the_timer(bench):
    check = bench._check_steps("moons")
    same = {"loss": 1.0, "after": lambda: {"grads": [0.5]}}
    check({"a": same, "b": dict(same)})
    with pytest.raises(bench.Disagreement):
        check({"a": same, "b": {"loss": 1.0, "after": lambda: {"grads": [0.25]}}})


def test_engines_compute_the_same_moons_step(bench):
    moons = bench.make_moons(points=4)
    results = {}
    for engine in (bench.FLOATS, bench.GRADSTEP, bench.MICROGRAD, bench.TORCH):
        step = bench.moons_step_op_by_op(bench.OpByOpModel(engine, moons), moons)
        results[engine.name] = step()
    results["gradstep nn"] = bench.gradstep_nn_step(moons)()
    bench._check_steps("moons")(results)
    assert len(results["torch"]["after"]()["grads"]) == len(moons.flat) == 337


def test_pairwise_sum_adds_everything(bench):
    assert bench.pairwise_sum(list(range(1, 12))) == 66
    assert bench.pairwise_sum([7]) == 7


def test_the_tape_section_measures_the_per_sample_step_and_fit_side_by_side(bench, tiny_run):
    whats = [f.what for f in bench.TAPE_FIGURES]
    assert whats[:3] == [
        "one sample: plain-float forward",
        "one sample: traced step",
        "one sample: eager step",
    ]
    for name in ("traced", "eager"):
        first = next(f for f in bench.TAPE_FIGURES if f.what == f"nn.fit, 40 samples, first epoch, {name}")
        assert first.peak_bytes is not None and first.peak_bytes >= 0 and first.seconds  # a fresh process's
    text = bench.tape_table(bench.TAPE_FIGURES)
    assert "× the plain-float forward" in text and "nn.fit first epoch: traced" in text


def test_the_eager_plan_runs_only_the_eager_targets_rows(bench):
    import dataclasses

    plan = dataclasses.replace(bench.TINY, eager_only=True)
    rows, memory, players = bench.run_benchmark(plan, log=lambda message: None)
    assert {r.workload for r in rows} == {
        "moons forward, plain floats", "moons step, op by op", "moons step, gradstep nn default",
        "moons step, gradstep nn traced", "chain N=1e+01", "chain N=2e+03",
    }  # fmt: skip
    assert not players and [m.engine for m in memory] == ["gradstep", "micrograd", "torch"]
    names = [name for name, _, _ in bench.targets(rows, memory)]
    assert any(n.startswith("moons step op by op >= 15x") for n in names) and not bench.tape_table([])
