"""Bad input raises errors that name the problem; edge values follow the documented policy."""

from __future__ import annotations

import math

import pytest

from autograd import DomainError, Value
from tests.conftest import import_or_fail

# ---- type errors name the type ---------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "named"),
    [("1.0", "str"), (None, "NoneType"), ([1.0], "list"), (True, "bool"), (1 + 2j, "complex")],
)
def test_value_rejects_non_numbers(bad, named):
    with pytest.raises(TypeError, match=named):
        Value(bad)


def test_value_of_a_value_says_what_to_do():
    with pytest.raises(TypeError, match="detach"):
        Value(Value(1.0))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_value_rejects_non_finite_data(bad):
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label.*int"):
        Value(1.0, label=3)


@pytest.mark.parametrize(
    "expression",
    [
        lambda v: v + "a",
        lambda v: "a" + v,
        lambda v: v * None,
        lambda v: v - [1],
        lambda v: v / "2",
        lambda v: v ** "2",
        lambda v: "2" ** v,
        lambda v: v * True,
    ],
)
def test_operators_reject_non_numbers_naming_the_type(expression):
    with pytest.raises(TypeError, match="unsupported operand|can't multiply|Value"):
        expression(Value(2.0))


def test_ints_and_other_real_numbers_are_accepted():
    from fractions import Fraction

    assert (Value(2) * Fraction(1, 2)).data == 1.0
    assert isinstance(Value(3).data, float)


# ---- domain errors name the op and the input ---------------------------------------------

DOMAIN_CASES = [
    ("log(0)", lambda: Value(0.0).log(), DomainError, r"log\(0\.0\)"),
    ("log(-1)", lambda: Value(-1.0).log(), DomainError, r"log\(-1\.0\)"),
    ("sqrt(-1)", lambda: Value(-1.0).sqrt(), DomainError, r"sqrt\(-1\.0\)"),
    ("0 ** -1", lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow\(0\.0, -1\.0\)"),
    ("(-8) ** 0.5", lambda: Value(-8.0) ** 0.5, DomainError, r"pow\(-8\.0, 0\.5\)"),
    ("1 / 0", lambda: Value(1.0) / 0, ZeroDivisionError, r"div\(1\.0, 0\.0\)"),
    ("1 / Value(0)", lambda: 1 / Value(0.0), ZeroDivisionError, r"div\(1\.0, 0\.0\)"),
    ("V / V(0)", lambda: Value(2.0) / Value(0.0), ZeroDivisionError, r"div\(2\.0, 0\.0\)"),
    ("(-2) ** V", lambda: Value(-2.0) ** Value(2.0), DomainError, r"pow\(-2\.0\).*exponent"),
    ("2 ** V(-1) base", lambda: (-2.0) ** Value(2.0), DomainError, r"pow\(-2\.0\)"),
    ("exp(1000)", lambda: Value(1000.0).exp(), OverflowError, r"exp\(1000\.0\)"),
    ("10 ** 400", lambda: Value(10.0) ** 400, OverflowError, r"pow\(10\.0, 400\.0\)"),
    ("1e200 * 1e200", lambda: Value(1e200) * Value(1e200), OverflowError, r"mul.*not a finite"),
]


@pytest.mark.parametrize(("name", "make", "error", "message"), DOMAIN_CASES, ids=[c[0] for c in DOMAIN_CASES])
def test_domain_errors_name_the_op_and_value(name, make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_domain_errors_are_value_errors():
    assert issubclass(DomainError, ValueError)


def test_errors_name_the_labelled_input_node():
    with pytest.raises(DomainError, match="'loss'"):
        Value(-1.0, label="loss").log()


# ---- stable forms ------------------------------------------------------------------------


@pytest.mark.parametrize("x", [-1e4, -1000.0, -50.0, -3.0, 0.0, 3.0, 50.0, 1000.0, 1e4])
def test_sigmoid_and_softplus_are_stable(x):
    mpmath = import_or_fail("mpmath")
    with mpmath.workdps(60):  # the oracle: 60 significant digits, no overflow at any of these x
        e = mpmath.exp(mpmath.mpf(x))
        softplus, sigmoid = mpmath.log1p(e), e / (1 + e)
        expected = {"softplus": float(softplus), "d softplus": float(sigmoid),
                    "sigmoid": float(sigmoid), "d sigmoid": float(sigmoid * (1 - sigmoid))}  # fmt: skip
    v, w = Value(x), Value(x)
    p, s = v.softplus(), w.sigmoid()
    p.backward()
    s.backward()
    got = {"softplus": p.data, "d softplus": v.grad, "sigmoid": s.data, "d sigmoid": w.grad}
    for key in ("softplus", "d softplus", "sigmoid"):
        assert got[key] == pytest.approx(expected[key], rel=1e-15, abs=1e-300), key
    # sigmoid' = o(1 - o) as PyTorch computes it: exact to a float's resolution near o = 1
    assert got["d sigmoid"] == pytest.approx(expected["d sigmoid"], rel=1e-14, abs=2**-53)


# ---- edge values: the same numbers PyTorch (float64) gives --------------------------------

EDGES = [
    ("relu at 0", lambda v: v.relu(), 0.0, "relu"),
    ("abs at 0", lambda v: abs(v), 0.0, "abs"),
    ("leaky_relu at 0", lambda v: v.leaky_relu(0.1), 0.0, "leaky"),
    ("sqrt at 0", lambda v: v.sqrt(), 0.0, "sqrt"),
    ("x**0.5 at 0", lambda v: v**0.5, 0.0, "pow0.5"),
    ("x**2 at 0", lambda v: v**2, 0.0, "pow2"),
    ("x**0 at 0", lambda v: v**0, 0.0, "pow0"),
    ("x**1 at 0", lambda v: v**1, 0.0, "pow1"),
    ("sigmoid(-1000)", lambda v: v.sigmoid(), -1000.0, "sigmoid"),
    ("tanh(1000)", lambda v: v.tanh(), 1000.0, "tanh"),
    ("softplus(-1000)", lambda v: v.softplus(), -1000.0, "softplus"),
    ("0 ** V(2)", lambda v: 0.0**v, 2.0, "rpow0"),
]


def _torch_edge(torch, kind, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = {
        "relu": lambda: torch.relu(t),
        "abs": lambda: torch.abs(t),
        "leaky": lambda: torch.nn.functional.leaky_relu(t, 0.1),
        "sqrt": lambda: torch.sqrt(t),
        "pow0.5": lambda: t**0.5,
        "pow2": lambda: t**2,
        "pow0": lambda: t**0,
        "pow1": lambda: t**1,
        "sigmoid": lambda: torch.sigmoid(t),
        "tanh": lambda: torch.tanh(t),
        "softplus": lambda: torch.nn.functional.softplus(t),
        "rpow0": lambda: torch.pow(torch.tensor(0.0, dtype=torch.float64), t),
    }[kind]()
    out.backward()
    return out.item(), t.grad.item()


@pytest.mark.parametrize(("name", "make", "x", "kind"), EDGES, ids=[e[0] for e in EDGES])
def test_edge_values_agree_with_pytorch(name, make, x, kind):
    torch = import_or_fail("torch")
    v = Value(x)
    out = make(v)
    out.backward()
    expected_data, expected_grad = _torch_edge(torch, kind, x)
    assert out.data == expected_data
    assert v.grad == expected_grad or (math.isinf(v.grad) and v.grad == expected_grad)


def test_zero_to_the_zero_is_one_and_flat():
    v = Value(0.0)
    out = v**0
    out.backward()
    assert out.data == 1.0 and v.grad == 0.0


# ---- numbers at the edges: pow's derivative, no_grad, create_graph (issue 19) -------------------


@pytest.mark.parametrize("x", [5e-324, 1e-308, -1e-200, 0.0, -0.0, 3.0, -7.5, 1e300])
def test_x_to_the_zero_is_one_and_flat_everywhere(x):
    from autograd import grad

    v = Value(x)
    assert (v**0).data == 1.0
    assert grad(v**0, [v]) == [0.0]
    assert [float(g) for g in grad(v**0, [v], create_graph=True)] == [0.0]


@pytest.mark.parametrize(("x", "p", "value", "derivative"), [
    (1e-150, -2, 1e300, -math.inf),  # -2 * x**-3 = -2e450
    (-1e-150, -2, 1e300, math.inf),  # -2 * (-1e-150)**-3 = +2e450
    (1e-200, 0.5, 1e-100, 5e99),
])  # fmt: skip
def test_pow_whose_derivative_overflows_is_finite_with_an_infinite_gradient(x, p, value, derivative):
    from autograd import grad

    v = Value(x)
    assert (v**p).data == pytest.approx(value)
    assert grad(v**p, [v]) == [pytest.approx(derivative)]
    torch = import_or_fail("torch")
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (t**p).backward()
    assert t.grad.item() == pytest.approx(derivative)


def test_an_overflowing_derivative_under_create_graph_says_so_not_errno():
    from autograd import grad

    v = Value(1e-150)
    with pytest.raises(OverflowError, match=r"the derivative overflows a float here") as caught:
        grad(v**-2, [v], create_graph=True)
    assert "Numerical result out of range" not in str(caught.value)


def test_a_forward_pass_under_no_grad_never_fails_on_a_derivative():
    from autograd import no_grad

    with no_grad():
        assert (Value(1e-150) ** -2).data == pytest.approx(1e300)
        assert (Value(5e-324) ** 0).data == 1.0
        assert (Value(-2.0) ** Value(2.0)).data == 4.0  # d/d(exponent) would need log(-2)
    with pytest.raises(DomainError, match="log"):
        Value(-2.0) ** Value(2.0)  # recording: the derivative is needed and undefined


def _bits(x: float) -> bytes:
    import struct

    return struct.pack("<d", x)


@pytest.mark.parametrize(("what", "f", "x"), [
    ("0**y, base a number", lambda v: 0.0**v, 0.5),
    ("x**0.5 at 5e-324", lambda v: v**0.5, 5e-324),
    ("x**0.5 at 1e-308", lambda v: v**0.5, 1e-308),
    ("1/x at 1e200", lambda v: 1 / v, 1e200),
    ("x*x at -0.0", lambda v: v * v, -0.0),
    ("x**2 at -0.0", lambda v: v**2, -0.0),
    ("x**0 at 5e-324", lambda v: v**0, 5e-324),
])  # fmt: skip
def test_create_graph_equals_first_order_to_the_bit(what, f, x):
    from autograd import grad

    v = Value(x)
    first = grad(f(v), [v])
    built = grad(f(v), [v], create_graph=True)
    assert [_bits(float(g)) for g in built] == [_bits(g) for g in first], what
