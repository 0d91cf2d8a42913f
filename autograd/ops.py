"""The table of operations: every derivative rule in gradstep is one row here.

A row says, for one operation, how to compute its output from plain floats (``forward``),
the local derivatives d(out)/d(input) from the same floats (``local``), and those derivatives
written again with ``Value`` operations (``value_local``), which only ``create_graph=True`` uses
so that a gradient can itself be differentiated.

There are three kinds of rows, by the inputs they take:

- ``unary``:    one Value ``x``.                          forward(x), local(out, x)
- ``constant``: one Value ``x`` and a plain number ``c``.  forward(x, c), local(out, x, c)
- ``binary``:   two Values ``a`` and ``b``.                forward(a, b), local(out, a, b) -> (d/da, d/db)
- ``nary``:     many parents (a neuron's weighted sum as one node).  forward(datas) and
  local(out, datas) take lists; value_local(out, parents, locals) returns one entry per parent.

Plain numbers never become graph nodes: ``x * 3`` is the ``constant`` row ``mul_c`` with c = 3.
``value_local`` receives ``(out, x)`` for unary rows, ``(out, x, local, c)`` for constant rows,
``(out, a, b)`` for binary rows and ``(out, parents, locals)`` for n-ary rows, where ``out`` is the
output node, ``local`` the float recorded in the forward pass, and ``c`` is only known for rows
with ``keeps_constant`` (for the others the recorded local derivative already carries everything
the second derivative needs).

Adding an operation means adding a row here and one method on ``Value`` that names it.

>>> OPS["tanh"].forward(0.5), OPS["tanh"].local(OPS["tanh"].forward(0.5), 0.5)
(0.46211715726000974, 0.7864477329659274)
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any, NamedTuple


class Op(NamedTuple):
    """One row of the table: an operation and its derivative rules."""

    name: str
    symbol: str  # what micrograd's ``_op`` shows, e.g. "+", "*", "tanh"
    kind: str  # "unary", "constant" or "binary"
    forward: Callable[..., float]
    local: Callable[..., Any]
    value_local: Callable[..., Any]
    keeps_constant: bool = False  # the second derivative needs c itself, so nodes keep it
    constant: float | None = None  # set on the copy of a keeps_constant row that a node holds


class DomainError(ValueError):
    """An input outside an operation's domain (log of 0, sqrt of a negative, ...)."""


INF = math.inf


def _domain(op: str, message: str, *inputs: float) -> DomainError:
    shown = ", ".join(repr(v) for v in inputs)
    return DomainError(f"{op}({shown}): {message}")


# Forward rules that can fail get a name, so that the failure names the op and its input
# instead of Python's bare "math domain error".


def _log(x: float) -> float:
    if x <= 0.0:
        raise _domain("log", "the logarithm is only defined for positive numbers", x)
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise _domain("sqrt", "the square root of a negative number is not real", x)
    return math.sqrt(x)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp({x!r}) overflows a float (exp is finite only below about 709.78); "
            "scale the input down, or use a stable form such as sigmoid/softplus/log-softmax"
        ) from None


def _sigmoid(x: float) -> float:
    # exp of a large positive number overflows, so always exponentiate a non-positive one.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): never exponentiates a positive number.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div({a!r}, {b!r}): division by zero")
    return a / b


def _pow(base: float, exponent: float) -> float:
    if base == 0.0 and exponent < 0.0:
        raise ZeroDivisionError(f"pow({base!r}, {exponent!r}): 0 to a negative power is infinite")
    if base < 0.0 and not float(exponent).is_integer():
        raise _domain("pow", "a negative base to a non-integer power is not real", base, exponent)
    try:
        return base**exponent
    except OverflowError:
        raise OverflowError(f"pow({base!r}, {exponent!r}): the result overflows a float") from None


def _pow_local(out: float, base: float, exponent: float) -> float:
    """d(base**exponent)/d(base), with PyTorch's values where the formula divides by zero."""
    if base == 0.0:
        if exponent == 0.0 or exponent > 1.0:
            return 0.0  # (0**2)' = 0, and 0**0 = 1 is flat
        return 1.0 if exponent == 1.0 else INF  # (0**0.5)' = inf
    return exponent * base ** (exponent - 1.0)


def _exponent_local(out: float, base: float) -> float:
    """d(base**y)/dy = base**y * log(base)."""
    if base == 0.0:
        return 0.0  # PyTorch's choice: the base-0 power is flat in y for y >= 0
    if base < 0.0:
        raise _domain(
            "pow", "its derivative with respect to the exponent needs log(base), and base < 0", base
        )
    return out * math.log(base)


def _dot(datas: list[float]) -> float:
    """w0*x0 + w1*x1 + ... (+ bias): ``datas`` is [w0, x0, w1, x1, ...], the bias last if odd.

    Summed from the bias in input order, exactly like ``sum((w * x ...), bias)`` op by op."""
    pairs_end = len(datas) - len(datas) % 2
    start = datas[-1] if pairs_end < len(datas) else 0.0
    return sum(map(operator.mul, datas[0:pairs_end:2], datas[1:pairs_end:2]), start)


def _partners(items: list) -> list:
    """d/dw_i = x_i and d/dx_i = w_i: each factor's partner in place, and 1.0 for the bias."""
    swapped = list(items)
    pairs_end = len(items) - len(items) % 2
    swapped[0:pairs_end:2] = items[1:pairs_end:2]
    swapped[1:pairs_end:2] = items[0:pairs_end:2]
    if pairs_end < len(items):
        swapped[-1] = 1.0
    return swapped


def _relu_local(out: float, x: float) -> float:
    return 1.0 if x > 0.0 else 0.0  # relu'(0) = 0, as in PyTorch


def _abs_local(out: float, x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)  # abs'(0) = 0, as in PyTorch


def _sqrt_local(out: float, x: float) -> float:
    return 0.5 / out if out else INF  # sqrt'(0) = inf, as in PyTorch


def _leaky_local(out: float, x: float, slope: float) -> float:
    return 1.0 if x > 0.0 else slope  # leaky_relu'(0) = slope, as in PyTorch


_ROWS = [
    # name, symbol, kind, forward, local, value_local
    Op("add", "+", "binary",
       lambda a, b: a + b,
       lambda out, a, b: (1.0, 1.0),
       lambda out, a, b: (1.0, 1.0)),
    Op("sub", "-", "binary",
       lambda a, b: a - b,
       lambda out, a, b: (1.0, -1.0),
       lambda out, a, b: (1.0, -1.0)),
    Op("mul", "*", "binary",
       lambda a, b: a * b,
       lambda out, a, b: (b, a),
       lambda out, a, b: (b, a)),
    Op("div", "/", "binary",
       _div,
       lambda out, a, b: (1.0 / b, -out / b),
       lambda out, a, b: (1.0 / b, -out / b)),
    Op("pow", "**", "binary",
       _pow,
       lambda out, a, b: (_pow_local(out, a, b), _exponent_local(out, a)),
       lambda out, a, b: (b * a ** (b - 1.0), out * a.log())),
    # x <op> c and c <op> x, with c a plain number: the local derivative is recorded as a float.
    Op("add_c", "+", "constant",
       lambda x, c: x + c,
       lambda out, x, c: 1.0,
       lambda out, x, local, c: local),
    Op("sub_c", "-", "constant",
       lambda x, c: x - c,
       lambda out, x, c: 1.0,
       lambda out, x, local, c: local),
    Op("rsub_c", "-", "constant",
       lambda x, c: c - x,
       lambda out, x, c: -1.0,
       lambda out, x, local, c: local),
    Op("mul_c", "*", "constant",
       lambda x, c: x * c,
       lambda out, x, c: c,
       lambda out, x, local, c: local),
    Op("div_c", "/", "constant",
       _div,
       lambda out, x, c: 1.0 / c,
       lambda out, x, local, c: local),
    Op("rdiv_c", "/", "constant",
       lambda x, c: _div(c, x),
       lambda out, x, c: -out / x,
       lambda out, x, local, c: -out / x),
    Op("pow_c", "**", "constant",
       _pow,
       _pow_local,
       lambda out, x, local, c: c * x ** (c - 1.0),
       keeps_constant=True),
    Op("rpow_c", "**", "constant",
       lambda x, c: _pow(c, x),
       lambda out, x, c: _exponent_local(out, c),
       lambda out, x, local, c: out * _exponent_local(1.0, c),
       keeps_constant=True),
    Op("leaky_relu", "leaky_relu", "constant",
       lambda x, slope: x if x > 0.0 else slope * x,
       _leaky_local,
       lambda out, x, local, c: local),
    # Functions of one Value.
    Op("neg", "neg", "unary",
       lambda x: -x,
       lambda out, x: -1.0,
       lambda out, x: -1.0),
    Op("abs", "abs", "unary",
       abs,
       _abs_local,
       lambda out, x: _abs_local(out.data, x.data)),
    Op("exp", "exp", "unary",
       _exp,
       lambda out, x: out,
       lambda out, x: out),
    Op("log", "log", "unary",
       _log,
       lambda out, x: 1.0 / x,
       lambda out, x: 1.0 / x),
    Op("sqrt", "sqrt", "unary",
       _sqrt,
       _sqrt_local,
       lambda out, x: 0.5 / out),
    Op("tanh", "tanh", "unary",
       math.tanh,
       lambda out, x: 1.0 - out * out,
       lambda out, x: 1.0 - out * out),
    Op("sigmoid", "sigmoid", "unary",
       _sigmoid,
       lambda out, x: out * (1.0 - out),
       lambda out, x: out * (1.0 - out)),
    Op("relu", "ReLU", "unary",
       lambda x: x if x > 0.0 else 0.0,
       _relu_local,
       lambda out, x: _relu_local(out.data, x.data)),
    Op("softplus", "softplus", "unary",
       _softplus,
       lambda out, x: _sigmoid(x),
       lambda out, x: x.sigmoid()),
    # A neuron's weighted sum as one node (Value.weighted_sum): parents [w0, x0, w1, x1, ..., bias].
    Op("dot", "Σw·x", "nary",
       _dot,
       lambda out, datas: _partners(datas),
       lambda out, parents, locals: _partners(parents)),
]  # fmt: skip

OPS: dict[str, Op] = {row.name: row for row in _ROWS}
