"""autograd.tape: a traced function gives the eager engine's numbers bit for bit, re-traces when a
guard turns, raises the engine's own errors, prints its Wengert list; jvp is forward mode."""

from __future__ import annotations

import math
import re
import struct

import pytest
from hypothesis import given, settings

from autograd import DomainError, Value, grad, no_grad
from autograd.tape import MAX_TAPES, jvp, trace
from tests.racing import race

from .random_graphs import build, programs, replay


def bits(x: float) -> bytes:
    return struct.pack("<d", x)  # tells 0.0 from -0.0, and every last bit


def lecture_leaves() -> tuple[Value, Value, Value]:
    return Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")


@settings(max_examples=150, deadline=None)
@given(programs)
def test_replayed_tape_equals_the_eager_engine_bit_for_bit(program):
    leaves, _, accepted = build(program)
    if not accepted:
        return
    x0, captured_values = leaves[0].data, [v.data for v in leaves[1:]]

    def fresh():
        return [Value(v) for v in captured_values]

    traced_leaves, eager_leaves = fresh(), fresh()
    step = trace(lambda x: replay(accepted, [x, *traced_leaves]))
    step(x0)  # the first call records (and is the eager engine itself)
    for v in traced_leaves:
        v.grad = 0.25  # leaves accumulate: start from something, as a training loop would
    out = step(x0)
    assert step.traces == 1
    eager_out = replay(accepted, [Value(x0), *eager_leaves])
    for v in eager_leaves:
        v.grad = 0.25
    eager_out.backward()
    assert bits(out) == bits(eager_out.data)
    assert [bits(v.grad) for v in traced_leaves] == [bits(v.grad) for v in eager_leaves]


def test_an_mlp_step_is_the_eager_step_bit_for_bit_and_reads_the_new_weights():
    import nn

    X, y = nn.data.moons(12, noise=0.1, seed=1)
    model, twin = nn.MLP(2, [6, 6, 1], seed=0), nn.MLP(2, [6, 6, 1], seed=0)
    flat = [v for row in X for v in row]

    def loss(*numbers):
        xs = [list(numbers[2 * i : 2 * i + 2]) for i in range(len(X))]
        return nn.losses.hinge([model(x) for x in xs], [2 * t - 1 for t in y]) + nn.losses.l2(
            model.parameters(), 1e-3
        )

    step = trace(loss)
    for _ in range(3):  # three SGD steps: each replay reads the weights the last one wrote
        model.zero_grad(), twin.zero_grad()
        traced = step(*flat)
        eager = nn.losses.hinge([twin(x) for x in X], [2 * t - 1 for t in y]) + nn.losses.l2(
            twin.parameters(), 1e-3
        )
        eager.backward()
        assert bits(traced) == bits(eager.data)
        for p, q in zip(model.parameters(), twin.parameters()):
            assert bits(p.grad) == bits(q.grad)
            p.data -= 0.1 * p.grad
            q.data -= 0.1 * q.grad
    assert step.traces == 1


def test_the_tape_of_the_lecture_neuron_reads_as_both_sweeps():
    w1, w2, b = lecture_leaves()

    def neuron(x1, x2):  # the parameters' names name the inputs in the printout
        n = x1 * w1 + x2 * w2 + b
        n.label = "n"
        o = n.tanh()
        o.label = "o"
        return o

    step = trace(neuron)
    assert step(2.0, 0.0) == pytest.approx(math.tanh(2 * -3 + 6.8813735870195432))
    assert str(step.tape).splitlines() == [
        "tape of neuron: 2 inputs, 3 captured leaves (w1, w2, b), 5 operations",
        "forward sweep",
        "  v0 = x1        # input 0",
        "  v1 = x2        # input 1",
        "  v2 = w1        # captured leaf: its .data when the tape runs",
        "  v3 = v0 * v2   # mul",
        "  v4 = w2        # captured leaf: its .data when the tape runs",
        "  v5 = v1 * v4   # mul",
        "  v6 = v3 + v5   # add",
        "  v7 = b         # captured leaf: its .data when the tape runs",
        "  v8 = v6 + v7   # add, n",
        "  v9 = tanh(v8)  # tanh, o",
        "reverse sweep",
        "  g9 = 1                # seed: d(v9)/d(v9)",
        "  g8 += (1 − v9²) · g9  # tanh: 1 − o²",
        "  g6 += g8              # add: 1",
        "  g7 += g8              # add: 1",
        "  g3 += g6              # add: 1",
        "  g5 += g6              # add: 1",
        "  g2 += v0 · g3         # mul: a (the other factor)",
        "  g4 += v1 · g5         # mul: a (the other factor)",
    ]
    compile(step.tape.source, "tape", "exec")  # the generated Python is Python


def test_a_guard_that_turns_traces_again_and_each_outcome_keeps_its_tape():
    w = Value(2.0, label="w")
    branch = []

    def f(x):
        if x > 0:
            branch.append("+")
            return x * w
        branch.append("-")
        return (x * w).tanh()

    step = trace(f)
    assert step(3.0) == 6.0 and step(-1.0) == pytest.approx(math.tanh(-2.0))
    assert step.traces == 2 and branch == ["+", "-"]
    assert step(5.0) == 10.0 and step(-0.5) == pytest.approx(math.tanh(-1.0))
    assert step.traces == 2 and branch == ["+", "-"]  # replayed, fn not called again
    assert {"(v0 > 0) is True" in str(tape) for tape in step.tapes} == {True, False}
    assert w.grad == pytest.approx(
        3.0 + 5.0 + (1 - math.tanh(-2.0) ** 2) * -1 + (1 - math.tanh(-1.0) ** 2) * -0.5
    )


def test_reading_a_number_into_python_is_a_guard_too():
    def f(x):
        scale = float(x) ** 2  # a plain number made from x: the tape must not keep it
        return x * scale

    step = trace(f)
    assert step(2.0) == 8.0 and step(3.0) == 27.0 and step(2.0) == 8.0
    assert step.traces == 2


def test_a_graph_that_changes_with_every_number_is_refused_clearly():
    def f(x):
        total = x
        for _ in range(int(x.data)):
            total = total * 1.5
        return total

    step = trace(f)
    for k in range(MAX_TAPES):
        step(float(k))
    with pytest.raises(RuntimeError, match=r"traced 32 times .* its graph changes with its data"):
        step(float(MAX_TAPES))


def test_a_value_computed_outside_the_function_is_refused():
    w = Value(3.0, label="w")
    h = w * 2  # computed once, outside: a replay could not recompute it from w's new data
    with pytest.raises(TypeError, match="computed outside it: on replay its number would be stale"):
        trace(lambda x: x * h)(1.0)


def test_errors_on_replay_are_the_engines_own():
    w = Value(1.0, label="w")
    step = trace(lambda x: (x * w).log())
    step(2.0)
    with pytest.raises(DomainError, match=r"log\(-2\.0\).*positive") as info:
        step(-2.0)
    assert "input node" not in str(info.value) or "w" in str(info.value)
    big = trace(lambda x: x * w * 1e300)
    big(1.0)
    before = w.grad
    with pytest.raises(OverflowError, match="not a finite number"):
        big(1e10)  # inf in the tape's own arithmetic: run eagerly, which says where
    assert w.grad == before  # the failed call changed no gradient


def test_inside_a_mode_the_engine_runs_itself():
    w = Value(2.0)
    step = trace(lambda x: x * w)
    step(1.0)
    with no_grad():  # as fn(1.0).backward() under no_grad: no graph, so nothing reaches w
        assert step(3.0) == 6.0
    assert w.grad == 1.0


def test_other_returned_values_come_back_as_numbers():
    w = Value(0.5)

    def f(x, y):
        out = x * w
        return (out - y) ** 2, [out]

    step = trace(f)
    assert step(2.0, 3.0) == (4.0, [1.0])
    assert step(4.0, 1.0) == (1.0, [2.0]) and step.traces == 1


def test_arguments_are_checked_like_any_number():
    step = trace(lambda x: x * 2)
    with pytest.raises(TypeError, match=r"argument 0.*str"):
        step("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        step(math.inf)
    with pytest.raises(TypeError, match="must return a Value"):
        trace(lambda x: 3.0)(1.0)
    with pytest.raises(TypeError, match="needs a function"):
        trace(3)  # type: ignore[arg-type]


def test_jvp_is_the_directional_derivative_of_reverse_mode_and_finite_differences():
    def f(x, y, z):
        return (x * y).tanh() + z.exp() / (x + 2)

    point, direction = [0.3, -1.2, 0.5], [1.0, -0.5, 2.0]
    out, derivative = jvp(f, point, direction)
    values = [Value(v) for v in point]
    gradient = grad(f(*values), values)
    assert out == pytest.approx(f(*[Value(v) for v in point]).data, rel=1e-15)
    assert derivative == pytest.approx(sum(g * d for g, d in zip(gradient, direction)), rel=1e-12)
    h = 1e-6

    def at(t):
        return f(*[Value(p + t * d) for p, d in zip(point, direction)]).data

    assert derivative == pytest.approx((at(h) - at(-h)) / (2 * h), rel=1e-6)
    with pytest.raises(ValueError, match="3 primals but 2 tangents"):
        jvp(f, point, [1.0, 0.0])


def test_n_forward_sweeps_give_what_one_reverse_sweep_gives():
    w = Value(0.7)

    def f(a, b, c, d):
        return (a * b + c * d * w).sigmoid()

    step = trace(f)
    point = [0.1, 0.2, -0.3, 0.4]
    forward_mode = [step.jvp(point, [1.0 if i == k else 0.0 for i in range(4)])[1] for k in range(4)]
    values = [Value(v) for v in point]
    assert forward_mode == pytest.approx(grad(f(*values), values), rel=1e-14)


def test_every_reverse_line_writes_its_rule_in_slot_names():
    w = Value(2.0, label="w")
    step = trace(lambda x: (x * w) ** 2 + (x * w).log() + w.sqrt() + abs(w) + (w - x).tanh() + x / w)
    step(3.0)
    reverse = str(step.tape).split("reverse sweep\n")[1].splitlines()
    codes = [line.split("#")[0].strip() for line in reverse]
    assert not any("+=  ·" in code or "+= ·" in code for code in codes)  # no rule left out
    assert "g2 += (2.0·v2^(2.0−1)) · g3" in codes  # pow's b·a^(b−1), b the kept 2.0
    assert any(code.startswith("g4 += (1/v4) · ") for code in codes)  # log's 1/x
    assert any(re.fullmatch(r"g\d+ \+= \(1 − v(\d+)²\) · g\1", code) for code in codes)  # tanh's 1 − o²
    assert any(code.startswith("g1 += sign(v1) · ") for code in codes)  # abs


def test_threads_may_share_a_traced_function():
    # before the lock: "list.remove(x): x not in list" when two threads reordered the tapes at once
    w = Value(2.0, label="w")

    def f(x):
        return x * w if x > 0 else (x * w).tanh()

    step = trace(f)
    errors: list[str] = []
    wrong: list[float] = []

    def run(sign: float) -> None:
        try:
            for i in range(3000):
                x = sign * (1 + i % 3)
                out = step(x)
                if out != (x * 2.0 if x > 0 else math.tanh(x * 2.0)):
                    wrong.append(x)
        except Exception as error:  # noqa: BLE001 - any error in a thread is the failure
            errors.append(repr(error))

    race(run, [(s,) for s in (1.0, -1.0, 1.0, -1.0)])
    assert errors == [] and wrong == []
    assert 2 <= len(step.tapes) <= 4  # one per guard outcome (a race may trace one outcome twice)


def test_the_bit_for_bit_property_catches_a_reordered_sum(monkeypatch):
    """A mutation check of the property above: a tape that adds a node's gradient contributions
    in another order than backward() does is wrong in some last bit, and the property finds it."""
    from hypothesis import find
    from hypothesis import settings as search_settings

    import autograd.tape.code as code

    in_order = code._sum_into

    def reordered(lines, target, start, terms):
        in_order(lines, target, start, terms[::-1])

    monkeypatch.setattr(code, "_sum_into", reordered)

    def differs(program) -> bool:
        leaves, _, accepted = build(program)
        if not accepted:
            return False
        captured = [v.data for v in leaves[1:]]
        traced_leaves, eager_leaves = [Value(v) for v in captured], [Value(v) for v in captured]
        step = trace(lambda x: replay(accepted, [x, *traced_leaves]))
        step(leaves[0].data)
        for v in (*traced_leaves, *eager_leaves):
            v.grad = 0.25
        step(leaves[0].data)
        replay(accepted, [Value(leaves[0].data), *eager_leaves]).backward()
        return [bits(v.grad) for v in traced_leaves] != [bits(v.grad) for v in eager_leaves]

    search = search_settings(max_examples=3000, deadline=None, database=None, derandomize=True)
    assert find(programs, differs, settings=search)
