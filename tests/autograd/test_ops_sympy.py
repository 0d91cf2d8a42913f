"""Every row of the op table against sympy's symbolic derivative, at many points."""

from __future__ import annotations

import random

import pytest

from autograd import Value
from autograd.extend import OPS, inputs_of
from tests.conftest import import_or_fail

sp = import_or_fail("sympy")
x_, y_ = sp.symbols("x y", real=True)

# name of the row -> (gradstep expression, sympy expression, sampler of (x, y))
C = 1.7  # a constant operand
SLOPE = 0.05


def _away_from_zero(rng: random.Random, low: float = 0.2, high: float = 3.0) -> float:
    return rng.choice([-1, 1]) * rng.uniform(low, high)


CASES = {
    "add": (lambda x, y: x + y, x_ + y_, "any"),
    "sub": (lambda x, y: x - y, x_ - y_, "any"),
    "mul": (lambda x, y: x * y, x_ * y_, "any"),
    "div": (lambda x, y: x / y, x_ / y_, "any"),
    "pow": (lambda x, y: x**y, x_**y_, "positive"),
    "add_c": (lambda x, y: x + C, x_ + C, "any"),
    "sub_c": (lambda x, y: x - C, x_ - C, "any"),
    "rsub_c": (lambda x, y: C - x, C - x_, "any"),
    "mul_c": (lambda x, y: x * C, x_ * C, "any"),
    "div_c": (lambda x, y: x / C, x_ / C, "any"),
    "rdiv_c": (lambda x, y: C / x, C / x_, "any"),
    "pow_c": (lambda x, y: x**C, x_**C, "positive"),
    "rpow_c": (lambda x, y: C**x, C**x_, "any"),
    "leaky_relu": (lambda x, y: x.leaky_relu(SLOPE), sp.Piecewise((x_, x_ > 0), (SLOPE * x_, True)), "any"),
    "neg": (lambda x, y: -x, -x_, "any"),
    "abs": (lambda x, y: abs(x), sp.Abs(x_), "any"),
    "exp": (lambda x, y: x.exp(), sp.exp(x_), "any"),
    "log": (lambda x, y: x.log(), sp.log(x_), "positive"),
    "sqrt": (lambda x, y: x.sqrt(), sp.sqrt(x_), "positive"),
    "tanh": (lambda x, y: x.tanh(), sp.tanh(x_), "any"),
    "sigmoid": (lambda x, y: x.sigmoid(), 1 / (1 + sp.exp(-x_)), "any"),
    "relu": (lambda x, y: x.relu(), sp.Max(0, x_), "any"),
    "softplus": (lambda x, y: x.softplus(), sp.log(1 + sp.exp(x_)), "any"),
    "dot": (
        lambda x, y: Value.weighted_sum([x, y], [y, x], x),
        2 * x_ * y_ + x_,
        "any",
    ),
}


def test_every_row_has_a_sympy_case_for_each_way_its_inputs_can_be_numbers():
    # (row, which inputs are plain numbers): x * y, x * 3 and 3 - x all use a row differently
    def usage(make):
        node = make(Value(0.5), Value(0.7))
        return node.op.name, tuple(not isinstance(x, Value) for x in inputs_of(node))

    covered = {usage(make) for make, _, _ in CASES.values()}
    assert {name for name, _ in covered} == set(OPS)
    for name in ("add", "sub", "mul", "div", "pow"):  # each binary row: both Values, a number second
        assert {(name, (False, False)), (name, (False, True))} <= covered, name
    for name in ("sub", "div", "pow"):  # and first, where the order matters
        assert (name, (True, False)) in covered, name


@pytest.mark.parametrize("name", sorted(CASES))
def test_row_matches_sympy(name):
    make, expression, domain = CASES[name]
    d_dx = sp.lambdify((x_, y_), sp.diff(expression, x_), "math")
    d_dy = sp.lambdify((x_, y_), sp.diff(expression, y_), "math")
    value_of = sp.lambdify((x_, y_), expression, "math")
    rng = random.Random(name)
    for _ in range(40):
        if domain == "positive":
            xv, yv = rng.uniform(0.1, 3.0), _away_from_zero(rng)
        else:
            xv, yv = _away_from_zero(rng), _away_from_zero(rng)
        x, y = Value(xv), Value(yv)
        out = make(x, y)
        out.backward()
        assert out.data == pytest.approx(float(value_of(xv, yv)), rel=1e-12, abs=1e-12), (name, xv, yv)
        assert x.grad == pytest.approx(float(d_dx(xv, yv)), rel=1e-10, abs=1e-12), (name, xv, yv)
        assert y.grad == pytest.approx(float(d_dy(xv, yv)), rel=1e-10, abs=1e-12), (name, xv, yv)
