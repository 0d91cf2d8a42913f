"""The table of operations: each op's forward rule and ONE derivative rule per input.

A row (``Op``) says, for one operation:

- ``forward(*inputs)``: the output, computed from plain floats;
- ``derivatives[i](out, *inputs)``: d(out)/d(input i). It is written once and runs on floats
  (first order: the node records the float, backward multiplies it) and on ``Value``\\ s
  (``create_graph=True``: the derivative is itself a node, so it can be differentiated again),
  as in HIPS autograd's ``defvjp`` and tinygrad's gradient table. So a rule only uses what
  floats and Values both have: ``+ - * / **``, comparisons, ``float()`` and the helpers below;
- ``rules[i]``: the same derivative as a short formula for people, in terms of ``o`` (the
  output) and the names in ``inputs`` (``autograd.rule_text`` puts a node's numbers in).

A rule that is one expression is written in the table as that expression, a string in ``o`` and
the input names (``"1.0 - o * o"``; a forward rule in the inputs: ``"x if x > 0.0 else 0.0"``), and
becomes a function when the table is built; the function keeps the string as its ``code``, which
the tape (``autograd.tape``) writes into the Python it generates. So the expression is still the
one place the rule is written.

An input may be a plain number: ``x * 3`` is the ``mul`` row with b = 3.0, only d/da is
recorded, and the 3.0 stays in the node (it never becomes a graph node). For ``3 - x``, ``3 / x``
and ``3 ** x`` the node holds the row with ``constant_first`` set, so the number is input a.
``dot`` (``Value.weighted_sum``) takes any number of inputs, [w0, x0, w1, x1, ..., bias].

Where a formula would divide by zero, the rule returns PyTorch's value at that point: 0 where the
function is flat there, and where its tangent is vertical, ``inf`` on floats and an error on
Values (a graph cannot carry an infinite number).

>>> tanh = OPS["tanh"]
>>> out = tanh.forward(0.5); out, tanh.derivatives[0](out, 0.5), tanh.rules[0]
(0.46211715726000974, 0.7864477329659274, '1 − o²')
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .checks import exp_overflow, no_graph_here, shown

Derivative = Callable[..., Any]  # (out, *inputs) -> float, or a Value when given Values


class Op(NamedTuple):
    """One row of the table: an operation, its derivative rules and their words."""

    name: str
    symbol: str  # what micrograd's ``_op`` shows, e.g. "+", "*", "tanh"
    inputs: tuple[str, ...]  # the inputs' names in ``rules``; () for any number of inputs
    forward: Callable[..., float]
    derivatives: Sequence[Derivative] | _ForEach  # derivatives[i](out, *inputs) = d(out)/d(input i)
    rules: Sequence[str] | _ForEach  # rules[i]: derivatives[i] as a formula in o and the input names
    about: str = ""  # the rule in words, when the formula alone does not say it
    constant_first: bool = False  # the row as a node holds it for 3 - x: the number is input 0
    # every derivative at once, (out, *inputs) -> tuple, made from the same expressions when all
    # are (one call per node instead of one per input); None otherwise
    partials: Callable[..., tuple[Any, ...]] | None = None


class DomainError(ValueError):
    """An input outside an operation's domain (log of 0, sqrt of a negative, ...)."""


INF = math.inf


def _domain(op: str, message: str, *inputs: float) -> DomainError:
    return DomainError(f"{op}({shown(inputs)}): {message}")


# -- forward rules that can fail are named, so that the failure names the op and its input ----


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
        raise exp_overflow(x) from None


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


def _dot(*inputs: float) -> float:
    """w0*x0 + w1*x1 + ... (+ bias), summed from the bias in input order, exactly like
    ``sum((w * x ...), bias)`` op by op. Added one by one: from Python 3.12 ``sum()`` of floats
    compensates its rounding, which would differ from the op-by-op graph in the last bit."""
    pairs_end = len(inputs) - len(inputs) % 2
    total = inputs[-1] if pairs_end < len(inputs) else 0.0
    for product in map(operator.mul, inputs[0:pairs_end:2], inputs[1:pairs_end:2]):  # a third faster
        total += product
    return total


# -- derivative rules that need more than one expression ----------------------------------------


def _log_of(x: Any) -> Any:
    return _log(x) if type(x) is float else x.log()


def _sigmoid_of(x: Any) -> Any:
    return _sigmoid(x) if type(x) is float else x.sigmoid()


def _infinite(out: Any, op: str, *inputs: Any) -> float:
    """The derivative is infinite here: ``inf`` on floats (as PyTorch), an error on Values."""
    if type(out) is float:
        return INF
    raise no_graph_here(op, inputs, "is infinite here (a vertical tangent)", "inf")


def _d_pow_base(out: Any, a: Any, b: Any) -> Any:
    if float(b) == 0.0 and (type(b) is float or float(a) == 0.0):
        return 0.0  # x**0 is 1 for every x: flat (a Value exponent keeps d/dx's graph where it can)
    if b < 1.0 and float(a) == 0.0:  # a ** (b - 1) would divide by zero
        return _infinite(out, "pow", a, b)  # x**0.5 at 0: a vertical tangent
    try:
        return b * a ** (b - 1.0)
    except OverflowError:  # finite, but too large for a float: ±inf, as 1/x and log give
        if type(out) is not float:
            raise no_graph_here("pow", (a, b), "overflows a float here", "±inf") from None
        negative = (b < 0.0) != (a < 0.0 and (b - 1.0) % 2.0 == 1.0)  # the signs of b and a**(b-1)
        return -INF if negative else INF


def _d_pow_exponent(out: Any, a: Any, b: Any) -> Any:
    if float(a) == 0.0:
        return 0.0  # PyTorch's choice: the base-0 power is flat in the exponent
    if a < 0.0:
        raise _domain(
            "pow", "its derivative with respect to the exponent needs log(base), and base < 0", float(a)
        )
    return out * _log_of(a)


def _d_sqrt(out: Any, x: Any) -> Any:
    return _infinite(out, "sqrt", x) if float(out) == 0.0 else 0.5 / out


def expression(code: str, names: Sequence[str]) -> Derivative:
    """The function ``(*names) -> code``, with ``code`` kept as its attribute ``code``.

    >>> d = expression("1.0 - o * o", ("o", "x")); d(0.5, 0.2), d.code
    (0.75, '1.0 - o * o')
    """
    function = eval(f"lambda {', '.join(names)}: {code}", {"__builtins__": {}})  # noqa: S307 - the table's own text
    function.code = code
    return function


class _ForEach:
    """``derivatives`` or ``rules`` of a row with any number of inputs: entry i is ``make(i)``
    (the tape writes dot's as code itself, ``rule_code.derivative_code``)."""

    def __init__(self, make: Callable[[int], Any]) -> None:
        self._make = make

    def __getitem__(self, i: int) -> Any:
        return self._make(i)


def _d_dot(i: int) -> Derivative:
    return lambda out, *inputs: partners(inputs)[i]  # one definition: partners


def _make_row(name: str, symbol: str, inputs: tuple[str, ...], forward: str | Callable[..., float],
              derivatives: Sequence[str | Derivative] | _ForEach, rules: Sequence[str] | _ForEach,
              about: str = "") -> Op:  # fmt: skip
    """A row of the table, its rules written as expressions made functions (``expression``):
    the forward rule ``(*inputs) -> out``, each derivative ``(o, *inputs) -> d(o)/d(input)``."""
    if isinstance(forward, str):
        forward = expression(forward, inputs)
    partials = None
    if not isinstance(derivatives, _ForEach):
        if all(isinstance(d, str) for d in derivatives):
            partials = expression(f"({', '.join(map(str, derivatives))},)", ("o", *inputs))
        derivatives = tuple(expression(d, ("o", *inputs)) if isinstance(d, str) else d for d in derivatives)
    return Op(name, symbol, inputs, forward, derivatives, rules, about, partials=partials)


def _dot_rule(i: int) -> str:
    return "the other factor (1 for the bias)"


def partners(inputs: Sequence[Any]) -> list[Any]:
    """Every ``dot`` derivative at once (the fast path of ``Value.weighted_sum``): the same
    numbers as ``derivatives[i]`` for each i, by slicing instead of a call per input.

    >>> partners([2.0, 3.0, 4.0, 5.0, 6.0])
    [3.0, 2.0, 5.0, 4.0, 1.0]
    """
    swapped = list(inputs)
    pairs_end = len(inputs) - len(inputs) % 2
    swapped[0:pairs_end:2] = inputs[1:pairs_end:2]
    swapped[1:pairs_end:2] = inputs[0:pairs_end:2]
    if pairs_end < len(inputs):
        swapped[-1] = 1.0
    return swapped


_ROWS = [
    #   name       symbol       inputs          forward
    #   derivatives, one per input: d(out)/d(input) as an expression in o     rules    [about]
    #   and the inputs, or a function (out, *inputs) -> it
    _make_row("add",      "+",         ("a", "b"),     operator.add,
       ("1.0", "1.0"),                                                       ("1", "1")),
    _make_row("sub",      "-",         ("a", "b"),     operator.sub,
       ("1.0", "-1.0"),                                                      ("1", "−1")),
    _make_row("mul",      "*",         ("a", "b"),     operator.mul,
       ("b", "a"),                                                           ("b", "a"),
       "the other factor"),
    _make_row("div",      "/",         ("a", "b"),     _div,
       ("1.0 / b", "-o / b"),                                                ("1/b", "−o/b")),
    _make_row("pow",      "**",        ("a", "b"),     _pow,
       (_d_pow_base, _d_pow_exponent),                                       ("b·a^(b−1)", "o·ln(a)")),
    _make_row("neg",      "neg",       ("x",),         operator.neg,
       ("-1.0",),                                                            ("−1",)),
    _make_row("abs",      "abs",       ("x",),         abs,
       ("1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0",),                    ("sign(x)",),
       "the sign of x, 0 at 0 as in PyTorch"),
    _make_row("exp",      "exp",       ("x",),         _exp,
       ("o",),                                                               ("o",),
       "exp is its own derivative"),
    _make_row("log",      "log",       ("x",),         _log,
       ("1.0 / x",),                                                         ("1/x",)),
    _make_row("sqrt",     "sqrt",      ("x",),         _sqrt,
       (_d_sqrt,),                                                           ("0.5/o",)),
    _make_row("tanh",     "tanh",      ("x",),         math.tanh,
       ("1.0 - o * o",),                                                     ("1 − o²",)),
    _make_row("sigmoid",  "sigmoid",   ("x",),         _sigmoid,
       ("o * (1.0 - o)",),                                                   ("o·(1 − o)",)),
    _make_row("relu",     "ReLU",      ("x",),         "x if x > 0.0 else 0.0",
       ("1.0 if x > 0.0 else 0.0",),                                         ("1 if x > 0 else 0",),
       "0 at 0, as in PyTorch"),
    _make_row("leaky_relu", "leaky_relu", ("x", "slope"), "x if x > 0.0 else slope * x",
       ("1.0 if x > 0.0 else slope",),                                       ("1 if x > 0 else slope",)),
    _make_row("softplus", "softplus",  ("x",),         _softplus,
       (lambda o, x: _sigmoid_of(x),),                                       ("sigmoid(x)",)),
    # A neuron's weighted sum as one node (Value.weighted_sum).
    _make_row("dot",      "Σw·x",      (),             _dot,
       _ForEach(_d_dot),                                                     _ForEach(_dot_rule)),
]  # fmt: skip


OPS: dict[str, Op] = {row.name: row for row in _ROWS}

