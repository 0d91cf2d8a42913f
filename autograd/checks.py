"""What comes in, checked: numbers, labels and lists, and errors that name the op and its inputs.

The engine's nodes only ever hold finite floats; these say so, in words a learner can act on,
when something else arrives (``Value("1")``, ``v * 10**400``, ``Value(nan)``).

>>> real_number(3, "Value()"), real_number("3", "Value()")
(3.0, None)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

_INF = math.inf


def shown(inputs: Sequence[Any], first: int = 4, width: int = 80) -> str:
    """Inputs for an error message: the first few, each cut to ``width`` characters, then how many
    more (a neuron has hundreds of inputs, a label can be any length).

    >>> shown([1.0, 2.0]), shown(range(10), first=3), shown(["x" * 100], width=8)
    ('1.0, 2.0', '0, 1, 2, … and 7 more', "'xxxxxx…")
    """
    texts = [repr(v) for v in inputs[:first]]
    listed = ", ".join(text if len(text) <= width else text[: width - 1] + "…" for text in texts)
    return listed + (f", … and {len(inputs) - first} more" if len(inputs) > first else "")


def real_number(x: object, where: str) -> float | None:
    """x as a float if it is a real number, else None (bool excluded: True * v is almost always a
    bug); ``OverflowError`` naming ``where`` for an int too large for a float."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, (int, numbers.Real)):  # int first: it is quick
        return None
    try:
        return float(x)
    except OverflowError:
        # str() of an int over 4300 digits is itself an error (about 14,000 bits)
        big = isinstance(x, int) and x.bit_length() < 14_000
        size = f"an int of {len(str(x))} digits" if big else type(x).__name__
        message = f"{where}: {size} is too large for a float (the largest is about 1.8e308)"
        raise OverflowError(message) from None


def as_finite_float(data: object, where: str) -> float:
    """``data`` as a finite float, or an error saying what ``where`` takes instead: ``TypeError``
    for a non-number (bool, str, Value, array, ...), ``OverflowError`` for an int too large for a
    float, ``ValueError`` for nan and infinities.

    >>> as_finite_float(3, "Value()")
    3.0
    >>> as_finite_float(10**400, "Value()")
    Traceback (most recent call last):
    ...
    OverflowError: Value(): an int of 401 digits is too large for a float (the largest is about 1.8e308)
    """
    if type(data) is float and -_INF < data < _INF:  # every Value(): no message built
        return data
    number = real_number(data, where)
    if number is None:
        from .value import Value  # only on the way to an error: value.py imports this module

        if isinstance(data, Value):
            raise TypeError(
                f"{where} takes a number, got a Value; use the Value itself, its .data, or .detach() "
                "(a gradient after create_graph=True is a Value)"
            )
        text = repr(data)
        text = text if len(text) <= 60 else text[:57] + "..."
        raise TypeError(f"{where} takes a real number (int or float), got {type(data).__name__}: {text}")
    if not math.isfinite(number):
        raise ValueError(f"{where} takes a finite number, got {number!r}")
    return number


def checked_label(label: object) -> str:
    """``label`` if it is a str (a Value's label), else a ``TypeError`` naming its type.

    >>> checked_label("x")
    'x'
    """
    if not isinstance(label, str):
        raise TypeError(f"a Value's label must be a str, got {type(label).__name__}: {label!r:.60}")
    return label


def listed(items: Iterable[Any], role: str) -> list[Any]:
    """``weighted_sum``'s weights or inputs as a list, or a ``TypeError`` naming ``role``.

    >>> listed((1.0, 2.0), "weights")
    [1.0, 2.0]
    """
    try:
        return list(items)
    except TypeError:
        kind = type(items).__name__
        raise TypeError(f"weighted_sum: {role} must be a list of Values or numbers, got {kind}") from None


def leaf_number(x: object, role: str) -> float:
    """A plain number given to ``weighted_sum`` as a weight, input or bias.

    >>> leaf_number(2, "bias")
    2.0
    """
    number = real_number(x, "weighted_sum")
    if number is None:
        raise TypeError(f"weighted_sum: each {role} must be a Value or a number, got {type(x).__name__}")
    return number


def named(error: Exception, op: str, inputs: Iterable[Any]) -> Exception:
    """The same kind of error, naming the op and its inputs if Python's message did not, and the
    labels of the input nodes that have one.

    >>> named(OverflowError("math range error"), "exp", [1000.0])
    OverflowError('exp(1000.0): math range error')
    """
    message = str(error)
    inputs = list(inputs)
    if not message.startswith(op):  # Python's own words, e.g. "math range error"
        message = f"{op}({shown([float(x) for x in inputs])}): {message}"
    labels = [label for v in inputs if (label := getattr(v, "label", ""))]
    if labels:
        message += f" [input node {shown(labels)}]"
    return type(error)(message)


def not_finite(op: str, data: float, inputs: Sequence[float]) -> OverflowError:
    """The error for an op whose result is not a finite number.

    >>> not_finite("mul", float("inf"), [1e200, 1e200])
    OverflowError('mul: the result inf is not a finite number (inputs: 1e+200, 1e+200)')
    """
    return OverflowError(f"{op}: the result {data!r} is not a finite number (inputs: {shown(inputs)})")


def described(node: Any) -> str:
    """A node as messages name it: by its label if it has one.

    >>> from autograd import Value
    >>> described(Value(1.0, label="w")), described(Value(1.0))
    ("Value 'w'", 'a Value')
    """
    return f"Value {node.label!r}" if node.label else "a Value"


def comparable(other: object) -> Any:
    """A plain number a Value may be compared with, as it is (a huge int compares exactly instead
    of overflowing), or a ``TypeError`` naming what it got.

    >>> comparable(10**400) == 10**400
    True
    """
    if type(other) is bool or not isinstance(other, numbers.Real):
        raise TypeError(f"cannot compare a Value with {type(other).__name__}: {other!r:.60}")
    return other


def exp_overflow(x: float) -> OverflowError:
    """The error of ``exp`` at an input past the largest float's logarithm, with what to do.

    >>> exp_overflow(1000.0)
    OverflowError('exp(1000.0) overflows a float (exp is finite only below about 709.78); scale ...')
    """
    return OverflowError(
        f"exp({x!r}) overflows a float (exp is finite only below about 709.78); "
        "scale the input down, or use a stable form such as sigmoid/softplus/log-softmax"
    )


def no_graph_here(op: str, inputs: Sequence[Any], why: str, gives: str) -> OverflowError:
    """The error of a derivative rule run on Values (``create_graph=True``) where the derivative
    is no finite number, so no graph can carry it.

    >>> no_graph_here("sqrt", [0.0], "is infinite here (a vertical tangent)", "inf")
    OverflowError('sqrt(0.0): the derivative is infinite here (a vertical tangent), so ... gives inf')
    """
    return OverflowError(
        f"{op}({shown([float(v) for v in inputs])}): the derivative {why}, so create_graph=True "
        f"cannot build on it; first-order backward() gives {gives}"
    )


def changed_since_forward(node: Any, source: Any, position: int, recorded: float, now: object) -> ValueError:
    """The error of backward() when a ``.data`` changed after the forward pass, so that a local
    derivative ``recorded`` then is not the one the data give ``now`` (``source`` is the input)."""
    now_text = now if isinstance(now, str) else repr(now)
    return ValueError(
        f"backward: the data of {node.op.name if node.op else 'a'} node {node!r} or of its input "
        f"{position} ({described(source)}) changed after the forward pass: d/d(input {position}) was "
        f"recorded as {recorded!r}, the data now give {now_text}; the graph records the forward "
        "pass: redo it"
    )


def hook_result(hook: Any, node: Any, replaced: object) -> float:
    """What a gradient hook returned (not None, not a Value) as the float that replaces the
    gradient, or a ``TypeError`` saying what a hook returns.

    >>> hook_result(print, None, 2)
    2.0
    """
    if isinstance(replaced, bool) or not isinstance(replaced, numbers.Real):
            raise TypeError(
            f"hook {getattr(hook, '__name__', hook)!r} on {node!r} returned {type(replaced).__name__}; "
            "a hook returns None or the gradient to use instead (a number or a Value)"
        )
    return float(replaced)


def left_elsewhere(name: str) -> str:
    """Why a mode's block could not be left (``modes.ModeError``)."""
    return (
        f"a {name}() block was left in another task or context than the one that entered it "
        "(an async generator holding it across a yield?); the modes it found there are "
        f"restored. Enter and leave {name}() in the same task, around code with no yield."
    )
