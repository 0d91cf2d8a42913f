"""A local derivative in words and numbers, from the op's own rule: what a player shows for each
backward step.

>>> from autograd import Value
>>> x, w = Value(2.0), Value(-3.0)
>>> rule_text((x * w).tanh(), 0)
'1 − o² = 1 − (-0.999988)² = 2.45765e-05'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .value import Value, inputs_of, locals_of


def rule_text(node: Value, position: int, number: Callable[[float], str] = "{:.6g}".format) -> str:
    """How d(node)/d(parent ``position``) is computed: the op's rule (``Op.rules``), then with this
    node's numbers put in, then its value (what backward() multiplies by), then the rule in words
    if the row has them. ``number`` formats each number (the player passes its own).

    >>> o = Value(0.8814).tanh()
    >>> rule_text(o, 0)
    '1 − o² = 1 − 0.70712² = 0.499981'
    >>> x, w = Value(2.0), Value(-3.0)
    >>> rule_text(x * w, 0), rule_text(2 ** x, 0), rule_text(x + w, 1)
    ('b = -3 (the other factor)', 'o·ln(a) = 4·ln(2) = 2.77259', '1')
    """
    op = node.op
    if op is None:
        raise ValueError(f"rule_text: {node!r} is a leaf; no op made it, so it has no rule")
    inputs = inputs_of(node)
    positions = [i for i, x in enumerate(inputs) if isinstance(x, Value)]  # parents; the rest are numbers
    if isinstance(position, bool) or not isinstance(position, int):
        raise TypeError(f"rule_text: position must be an int (which parent), got {type(position).__name__}")
    if not 0 <= position < len(positions):
        raise IndexError(f"rule_text: {op.name} node has parents 0..{len(positions) - 1}, got {position!r}")
    rule = op.rules[positions[position]]
    values = {"o": node.data, **dict(zip(op.inputs, inputs))}

    def put(name: re.Match[str]) -> str:
        if name[0] not in values:
            return name[0]
        text = number(float(values[name[0]]))
        return f"({text})" if text.startswith("-") and name[0] != rule else text

    steps = [rule]
    for step in (re.sub(r"[A-Za-z_][A-Za-z_0-9]*", put, rule), number(locals_of(node)[position])):
        if step.replace("−", "-") != steps[-1].replace("−", "-"):  # say each thing once
            steps.append(step)
    return " = ".join(steps) + (f" ({op.about})" if op.about else "")
