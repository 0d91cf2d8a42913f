"""One rule per op: the first-order and create_graph gradients agree everywhere, edges included;
the fast and the general chain-rule loops agree to the bit; the rule's words render."""

from __future__ import annotations

import math
import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings

from autograd import Value, backward_steps, grad, rule_text
from autograd.extend import OPS, inputs_of

from ..conftest import import_or_fail
from .random_graphs import build, programs
from .test_ops_sympy import CASES


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)  # tells -0.0 from 0.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_order_and_create_graph_give_the_same_bits(name):
    make, _, domain = CASES[name]
    rng = random.Random(f"bits-{name}")
    for _ in range(40):
        xv = rng.uniform(0.1, 3.0) if domain == "positive" else rng.choice([-1, 1]) * rng.uniform(0.1, 3.0)
        yv = rng.choice([-1, 1]) * rng.uniform(0.1, 3.0)
        x, y = Value(xv), Value(yv)
        out = make(x, y)
        plain = grad(out, [x, y])
        built = grad(out, [x, y], create_graph=True)
        assert [_bits(float(g)) for g in built] == [_bits(g) for g in plain], (name, xv, yv)


# ---- the numerics table's edges, with create_graph ------------------------------------------
# (what, function, point, first derivative, second derivative) — the derivatives are PyTorch's
# float64 values at these points (checked against torch below); None: infinite, so create_graph
# must refuse and say so.
EDGES = [
    ("relu at 0", lambda v: v.relu(), 0.0, 0.0, 0.0),
    ("abs at 0", lambda v: abs(v), 0.0, 0.0, 0.0),
    ("leaky_relu at 0", lambda v: v.leaky_relu(0.1), 0.0, 0.1, 0.0),
    ("sqrt at 0", lambda v: v.sqrt(), 0.0, math.inf, None),
    ("x**0.5 at 0", lambda v: v**0.5, 0.0, math.inf, None),
    ("x**2 at 0", lambda v: v**2, 0.0, 0.0, 2.0),
    ("x**0 at 0", lambda v: v**0, 0.0, 0.0, 0.0),
    ("x**1 at 0", lambda v: v**1, 0.0, 1.0, 0.0),
    ("x**3 at 0", lambda v: v**3, 0.0, 0.0, 0.0),
    ("0**y at 2", lambda v: 0.0**v, 2.0, 0.0, 0.0),
    ("sigmoid(-1000)", lambda v: v.sigmoid(), -1000.0, 0.0, 0.0),
    ("tanh(1000)", lambda v: v.tanh(), 1000.0, 0.0, 0.0),
    ("softplus(-1000)", lambda v: v.softplus(), -1000.0, 0.0, 0.0),
]


@pytest.mark.parametrize(("what", "f", "x", "first", "second"), EDGES, ids=[e[0] for e in EDGES])
def test_edges_first_order_and_create_graph(what, f, x, first, second):
    v = Value(x)
    assert grad(f(v), [v]) == [first]
    if second is None:
        with pytest.raises(OverflowError, match=r"derivative is infinite here.*create_graph=True"):
            grad(f(v), [v], create_graph=True)
        return
    (built,) = grad(f(v), [v], create_graph=True)
    assert float(built) == first
    (again,) = grad(built, [v]) if isinstance(built, Value) else [0.0]
    assert again == second


def test_zero_to_a_value_power_under_create_graph():
    x, y = Value(0.0), Value(2.0)
    assert grad(x**y, [x, y]) == [0.0, 0.0]
    built = grad(x**y, [x, y], create_graph=True)  # raised log(0.0) before
    assert [float(g) for g in built] == [0.0, 0.0]
    assert grad(built[0], [x, y]) == [2.0, 0.0]  # d/dx of 2·x: the first derivative's graph is kept


_TORCH_EDGES = {
    "relu at 0": lambda torch, t: torch.relu(t),
    "abs at 0": lambda torch, t: torch.abs(t),
    "leaky_relu at 0": lambda torch, t: torch.nn.functional.leaky_relu(t, 0.1),
    "x**2 at 0": lambda torch, t: t**2,
    "x**0 at 0": lambda torch, t: t**0,
    "x**1 at 0": lambda torch, t: t**1,
    "x**3 at 0": lambda torch, t: t**3,
    "0**y at 2": lambda torch, t: torch.pow(torch.tensor(0.0, dtype=torch.float64), t),
    "sigmoid(-1000)": lambda torch, t: torch.sigmoid(t),
    "tanh(1000)": lambda torch, t: torch.tanh(t),
    "softplus(-1000)": lambda torch, t: torch.nn.functional.softplus(t),
    "sqrt at 0": lambda torch, t: torch.sqrt(t),
    "x**0.5 at 0": lambda torch, t: t**0.5,
}


@pytest.mark.parametrize(("what", "f", "x", "first", "second"), EDGES, ids=[e[0] for e in EDGES])
def test_the_edge_table_is_pytorchs(what, f, x, first, second):
    torch = import_or_fail("torch")
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (d1,) = torch.autograd.grad(_TORCH_EDGES[what](torch, t), t, create_graph=True)
    assert d1.item() == first
    if second is not None:
        d2 = torch.autograd.grad(d1, t, allow_unused=True)[0] if d1.requires_grad else None
        theirs = 0.0 if d2 is None else d2.item()
        if what == "0**y at 2":  # 0**y is 0 for every y > 0, so 0 is exact; PyTorch's formula
            assert math.isnan(theirs)  # multiplies by log(0) there and gives nan
        else:
            assert theirs == second


# ---- the fast loop and the general loop ------------------------------------------------------


def test_signed_zero_gradients_are_the_same_in_both_loops():
    x = Value(3.0)
    y = x * -0.0
    y.backward()
    fast = x.grad
    x.grad = 0.0
    backward_steps(y)
    assert _bits(fast) == _bits(x.grad) == _bits(0.0 + -0.0)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_plain_hooked_and_recorded_backward_give_the_same_bits(program):
    results = []
    for way in ("plain", "recorded", "hooked"):
        leaves, output, _ = build(program)
        if way == "recorded":
            backward_steps(output * -0.0 + output)  # a signed zero on every path
        else:
            if way == "hooked":
                output.register_hook(lambda g: None)
            (output * -0.0 + output).backward()
        results.append([_bits(leaf.grad) for leaf in leaves])
    assert results[0] == results[1] == results[2]


# ---- the rule in words -----------------------------------------------------------------------


def test_every_row_explains_each_of_its_derivatives():
    for make, _, _ in CASES.values():
        node = make(Value(0.8), Value(1.3))
        parents = len(node.parents)
        texts = [rule_text(node, k) for k in range(parents)]
        assert all(texts) and len(texts) == parents
    assert {make(Value(0.8), Value(1.3)).op.name for make, _, _ in CASES.values()} == set(OPS)


def test_rule_text_examples():
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    o = (x * w + b).tanh()
    assert rule_text(o, 0) == "1 − o² = 1 − 0.462117² = 0.786448"
    assert rule_text(x * w, 0) == "b = -3 (the other factor)"
    assert rule_text(x * w, 1) == "a = 0.5 (the other factor)"
    assert rule_text(x + w, 1) == "1"
    assert rule_text(x - w, 1) == "−1"
    assert rule_text(x / w, 1) == "−o/b = −(-0.166667)/(-3) = -0.0555556"
    assert rule_text(x**2, 0) == "b·a^(b−1) = 2·0.5^(2−1) = 1"
    assert rule_text(2**x, 0) == "o·ln(a) = 1.41421·ln(2) = 0.980258"
    assert rule_text(Value(0.0).sqrt(), 0) == "0.5/o = 0.5/0 = inf"
    assert rule_text(x.relu(), 0) == "1 if x > 0 else 0 = 1 if 0.5 > 0 else 0 = 1 (0 at 0, as in PyTorch)"
    s = Value.weighted_sum([w, b], [x, 4.0], x)
    assert [rule_text(s, k) for k in (0, 4)] == [
        "the other factor (1 for the bias) = 0.5",
        "the other factor (1 for the bias) = 1",
    ]
    assert rule_text(x * w, 0, number="{:.2f}".format) == "b = -3.00 (the other factor)"
    assert [type(i) for i in inputs_of(3 - x)] == [float, Value]


def test_rule_text_with_a_views_names():
    x, w, b = Value(0.5, label="x"), Value(-3.0, label="w"), Value(2.0, label="b")
    n = x * w + b
    o = n.tanh()
    names = {x: "x", w: "w[0,1]", n: "n8 (+)", o: "o"}
    assert rule_text(o, 0, names=names) == "1 − o² = 1 − 0.462117² = 0.786448"
    assert rule_text(x * w, 1, names=names) == "x = 0.5 (the other factor)"
    assert rule_text(x * 3, 0, names=names) == "3 (the other factor)"  # the kept number, no name
    assert rule_text(x / w, 1, names=names) == "−o/w[0,1] = −(-0.166667)/(-3) = -0.0555556"
    s = n.sqrt()
    assert rule_text(s, 0, names={s: "s (sqrt)"}) == "0.5/(s (sqrt)) = 0.5/0.707107 = 0.707107"


# ---- the rule's words compute the rule ---------------------------------------------------------


def _words_as_python(words: str) -> str:
    """A row's words for people ("1 − o²", "b·a^(b−1)", "o·ln(a)") as the Python they say."""
    import re

    text = words.replace("−", "-").replace("·", "*").replace("^", "**").replace("²", "**2")
    text = re.sub(r"\bln\(", "log(", text)
    return text


_WORD_FUNCTIONS = {
    "log": math.log,
    "sign": lambda x: (x > 0) - (x < 0),
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
}


def _words_that_disagree(name: str, words_of=lambda op, k: op.rules[k]) -> list[tuple[str, float, float]]:
    """(words, their arithmetic, the executable derivative) wherever they differ, at sample points
    of the ``CASES`` entry ``name``."""
    make, _, domain = CASES[name]
    rng = random.Random(f"words-{name}")
    wrong = []
    for _ in range(20):
        xv = rng.uniform(0.2, 3.0) if domain == "positive" else rng.choice([-1, 1]) * rng.uniform(0.2, 3.0)
        node = make(Value(xv), Value(rng.uniform(0.2, 3.0)))
        inputs = [float(i) for i in inputs_of(node)]
        names = {"o": node.data, **dict(zip(node.op.inputs, inputs)), **_WORD_FUNCTIONS}
        parents = [k for k, i in enumerate(inputs_of(node)) if isinstance(i, Value)]
        for position, k in enumerate(parents):
            words = words_of(node.op, k)
            said = eval(_words_as_python(words), {"__builtins__": {}}, names)  # noqa: S307
            if said != pytest.approx(node.local_grads[position], rel=1e-12):
                wrong.append((words, said, node.local_grads[position]))
    return wrong


@pytest.mark.parametrize("name", sorted(n for n in CASES if n != "dot"))
def test_each_rules_words_compute_its_derivative(name):
    # the words a player shows ("tanh: 1 − o²") are arithmetic: at sample points, that
    # arithmetic must give what the executable rule gives
    assert _words_that_disagree(name) == []


def test_the_weighted_sums_words_say_its_derivative():
    from autograd.extend import OPS

    dot = OPS["dot"]
    inputs = [2.0, 3.0, 4.0, 5.0, 6.0]  # w0, x0, w1, x1, bias
    assert [dot.derivatives[i](0.0, *inputs) for i in range(5)] == [3.0, 2.0, 5.0, 4.0, 1.0]
    assert all(dot.rules[i] == "the other factor (1 for the bias)" for i in range(5))


def test_wrong_words_are_caught():
    wrong = _words_that_disagree("sigmoid", lambda op, k: "o·(1 + o)")
    assert wrong and wrong[0][0] == "o·(1 + o)"
