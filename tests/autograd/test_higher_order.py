"""Gradients of gradients (create_graph, grad, hessian, hvp), hooks and anomaly reports."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings

from autograd import (
    AnomalyError,
    GradcheckError,
    Value,
    backward,
    detect_anomaly,
    grad,
    gradcheck,
    hessian,
    hvp,
)

from ..conftest import import_or_fail
from .random_graphs import build, programs, replay
from .test_ops_sympy import CASES

sp = import_or_fail("sympy")
torch = import_or_fail("torch")
x_, y_ = sp.symbols("x y", real=True)

def _numeric(expression):
    """lambdify, with the kinks' DiracDelta terms dropped: the tests sample away from 0."""
    smooth = expression.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    heaviside = {"Heaviside": lambda v, *_: 1.0 if v > 0 else 0.0}
    return sp.lambdify((x_, y_), smooth, [heaviside, "math"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_and_third_derivatives_match_sympy(name):
    make, expression, domain = CASES[name]
    rng = random.Random(f"higher-{name}")
    symbols = (x_, y_)
    second = [[_numeric(sp.diff(expression, a, b)) for b in symbols] for a in symbols]
    third_xxx = _numeric(sp.diff(expression, x_, 3))
    for _ in range(12):
        xv = rng.uniform(0.2, 2.5) if domain == "positive" else rng.choice([-1, 1]) * rng.uniform(0.2, 2.5)
        yv = rng.choice([-1, 1]) * rng.uniform(0.2, 2.5)
        h = hessian(make, [xv, yv])
        for i in range(2):
            for j in range(2):
                expected = float(second[i][j](xv, yv))
                assert h[i][j] == pytest.approx(expected, rel=1e-9, abs=1e-10), (name, i, j, xv, yv)
        d3 = grad(grad(grad(lambda x, y=yv: make(x, Value(y)))))(xv)
        assert d3.data == pytest.approx(float(third_xxx(xv, yv)), rel=1e-8, abs=1e-10), (name, xv, yv)


def test_the_issue_example_tanh_times_cube():
    x = 0.7
    t = math.tanh(x)
    s = 1 - t * t
    exact = -2 * t * s * x**3 + 6 * s * x**2 + 6 * t * x
    result = grad(grad(lambda v: v.tanh() * v**3))(Value(x))
    assert isinstance(result, Value)
    assert result.data == pytest.approx(exact, rel=1e-13)


def test_grad_leaves_dot_grad_untouched_and_returns_zero_for_unused_inputs():
    x, unused = Value(2.0), Value(5.0)
    x.grad = 7.0
    y = x * x
    assert grad(y, [x, unused]) == [4.0, 0.0]
    assert x.grad == 7.0 and y.grad == 0.0


def test_grad_errors_name_the_problem():
    with pytest.raises(TypeError, match="input 1 must be a Value, got float"):
        grad(Value(1.0) * 2, [Value(1.0), 3.0])
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        grad(lambda x: 3.0)(1.0)


def test_backward_create_graph_makes_gradients_values():
    x = Value(1.5)
    y = x**3
    backward(y, create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(6.75)
    (second,) = grad(x.grad, [x])
    assert second == pytest.approx(9.0)


def _torch_tensors(values):
    return [torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for v in values]


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_double_backward_matches_pytorch_on_random_graphs(program):
    leaves, output, accepted = build(program)
    first = grad(output, leaves, create_graph=True)
    total = sum((g for g in first if isinstance(g, Value)), Value(0.0))
    second = grad(total, leaves)
    tensors = _torch_tensors(leaves)
    out_t = replay(accepted, tensors)
    first_t = torch.autograd.grad(out_t, tensors, create_graph=True, allow_unused=True)
    used = [g for g in first_t if g is not None and g.requires_grad]
    if not used:
        assert all(s == 0.0 for s in second)
        return
    second_t = torch.autograd.grad(sum(used), tensors, allow_unused=True)
    for mine, theirs in zip(second, second_t):
        want = 0.0 if theirs is None else theirs.item()
        assert mine == pytest.approx(want, rel=1e-7, abs=1e-8)


def test_hessian_matches_pytorch():
    def f(a, b, c):
        return (a * b).tanh() * c.exp() + a**3 / c.softplus() + Value.weighted_sum([a, b], [c, c]).sigmoid()

    point = [0.4, -1.1, 0.8]
    mine = hessian(f, point)

    def f_torch(t):
        a, b, c = t[0], t[1], t[2]
        functional = torch.nn.functional
        return (
            torch.tanh(a * b) * torch.exp(c)
            + a**3 / functional.softplus(c)
            + torch.sigmoid(a * c + b * c)
        )

    theirs = torch.autograd.functional.hessian(f_torch, torch.tensor(point, dtype=torch.float64))
    for i in range(3):
        for j in range(3):
            assert mine[i][j] == pytest.approx(theirs[i, j].item(), rel=1e-9, abs=1e-12)


def test_hvp_equals_hessian_times_vector():
    def f(a, b):
        return a.exp() * b**2 + (a * b).tanh()

    point, v = [0.3, -0.9], [2.0, -1.0]
    h = hessian(f, point)
    expected = [h[0][0] * v[0] + h[0][1] * v[1], h[1][0] * v[0] + h[1][1] * v[1]]
    assert hvp(f, point, v) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="v has 1 entries but there are 2 inputs"):
        hvp(f, point, [1.0])


def test_newton_method_finds_a_minimum_in_a_few_steps():
    def f(x):
        return (x - 2.0) ** 4 + (x - 2.0) ** 2 + x.exp() * 0.01

    d1, d2 = grad(f), grad(grad(f))
    x = 0.0
    for _ in range(20):
        x -= d1(x).data / d2(x).data
    assert abs(d1(x).data) < 1e-10


def test_gradcheck_order_two_passes_and_fails_where_it_should(monkeypatch):
    assert gradcheck(lambda a, b: (a * b).tanh() * a.exp() + b**2.5, [0.5, 1.2], order=2)
    from autograd.extend import OPS

    def forgets_the_graph(out, x):  # the right number, but float() cuts it from the graph
        return 1.0 - float(out) * float(out)

    wrong = OPS["tanh"]._replace(derivatives=(forgets_the_graph,))
    monkeypatch.setitem(OPS, "tanh", wrong)  # Value.tanh runs the table's row
    with pytest.raises(GradcheckError, match="second derivative"):
        gradcheck(lambda a: a.tanh() * a, [0.5], order=2)


# ---- hooks --------------------------------------------------------------------------------


def test_hooks_fire_once_per_backward_per_node_in_backward_order():
    x = Value(2.0, label="x")
    a = x * 3
    b = a.tanh()
    c = b + a
    calls = []
    for node, name in ((x, "x"), (a, "a"), (b, "b"), (c, "c")):
        node.register_hook(lambda g, name=name: calls.append((name, g)))
    c.backward()
    assert [name for name, _ in calls] == ["c", "b", "a", "x"]
    assert dict(calls)["x"] == pytest.approx(x.grad)
    c.backward()
    assert len(calls) == 8  # once more each, and the leaf hook saw only this pass's gradient
    assert calls[-1][1] == pytest.approx(calls[3][1])


def test_hook_can_replace_a_gradient_and_removal_works():
    x = Value(1.0)
    y = x * 2
    z = y * 3
    handle = y.register_hook(lambda g: g * 0.5)
    z.backward()
    assert x.grad == 3.0  # 3 * 0.5 * 2
    handle.remove()
    handle.remove()
    x.grad = 0.0
    z.backward()
    assert x.grad == 6.0
    with pytest.raises(TypeError, match="callable"):
        x.register_hook(3)


# ---- anomaly reports ------------------------------------------------------------------------


def test_detect_anomaly_names_the_op_and_the_user_line():
    x = Value(0.0, label="x")
    with detect_anomaly():
        y = x.sqrt()  # the line the report must name
        z = y * 2
        with pytest.raises(AnomalyError) as caught:
            z.backward()
    message = str(caught.value)
    assert "backward through sqrt" in message and "inf" in message
    assert "test_higher_order.py" in message and "y = x.sqrt()" in message


def test_without_detect_anomaly_inf_flows_like_pytorch():
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_gradient_graphs_can_be_drawn_and_stepped_through():
    from autograd import backward_steps, draw_dot

    x = Value(0.7, label="x")
    (dy_dx,) = grad(x.tanh() * x**3, [x], create_graph=True)
    source = draw_dot(dy_dx).source
    assert "tanh" in source and "x" in source
    steps = backward_steps(dy_dx)  # backpropagating the gradient gives the second derivative
    t = math.tanh(0.7)
    s = 1 - t * t
    exact = -2 * t * s * 0.7**3 + 6 * s * 0.7**2 + 6 * t * 0.7
    assert dict((v.label, g) for v, g in steps.leaf_grads())["x"] == pytest.approx(exact, rel=1e-12)
