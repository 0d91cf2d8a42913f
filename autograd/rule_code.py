"""The op table's rules as Python source, for the code the tape generates (``tape.py``).

A rule that ``ops.py`` writes as one expression keeps that expression as its ``code``; these read
it back, so the tape writes the table's own words into its Python. The engine itself never needs
them: a node runs the rules as functions.

>>> from autograd.ops import OPS
>>> forward_code(OPS["mul"]), derivative_code(OPS["tanh"], 0, 1)
('a * b', '1.0 - o * o')
"""

from __future__ import annotations

import operator

from .ops import Op

# Operators a forward rule may be, as the expression they compute (in the row's input names).
_OPERATORS = {operator.add: "a + b", operator.sub: "a - b", operator.mul: "a * b", operator.neg: "-x"}


def forward_code(op: Op) -> str:
    """``op``'s forward rule as an expression in its input names (``"a * b"``, ``"x if x > 0.0 else
    0.0"``), or "" where the rule is a function (one that checks its inputs, like ``_log``).

    >>> from autograd.ops import OPS
    >>> forward_code(OPS["mul"]), forward_code(OPS["relu"]), forward_code(OPS["log"])
    ('a * b', 'x if x > 0.0 else 0.0', '')
    """
    if op.forward in _OPERATORS:
        return _OPERATORS[op.forward]
    return str(getattr(op.forward, "code", ""))


def is_operator(op: Op) -> bool:
    """Whether ``op``'s forward rule is one of Python's arithmetic operators (``a * b``)."""
    return op.forward in _OPERATORS


def derivative_code(op: Op, position: int, count: int) -> str:
    """d(out)/d(input ``position``) of a node of ``op`` with ``count`` inputs, as the expression
    the table wrote it in (in ``o`` and the input names, ``_0``, ``_1``, ... for ``dot``), or ""
    where the rule is a function.

    >>> from autograd.ops import OPS
    >>> tanh, dot, pow = OPS["tanh"], OPS["dot"], OPS["pow"]
    >>> derivative_code(tanh, 0, 1), derivative_code(dot, 2, 5), derivative_code(pow, 0, 2)
    ('1.0 - o * o', '_3', '')
    """
    if not op.inputs:  # dot's inputs are [w0, x0, w1, x1, ..., bias]: i ^ 1 is i's other factor
        return f"_{position ^ 1}" if position ^ 1 < count else "1.0"
    return str(getattr(op.derivatives[position], "code", ""))
