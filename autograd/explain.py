"""A local derivative in words and numbers, from the op's own rule: what a player shows for each
backward step.

>>> from autograd import Value
>>> x, w = Value(2.0), Value(-3.0)
>>> rule_text((x * w).tanh(), 0)
'1 − o² = 1 − (-0.999988)² = 2.45765e-05'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .value import Value, inputs_of, locals_of

_NAME = re.compile(r"\b[A-Za-z_]\w*\b", flags=re.ASCII)  # a name in a rule: in "o²", o squared
_ATOM = re.compile(r"[\w.\[\],]+")  # what needs no parentheses in a formula: w[0,1], 0.5 (not -0.5)


def filled(rule: str, fill: Callable[[str], str]) -> str:
    """``rule``, a row's words or code, with each name in it replaced by ``fill(name)``: the one
    place names are put into a rule (``rule_text`` here, the tape's printout and code).

    >>> filled("1 − o²", lambda name: "0.5" if name == "o" else name)
    '1 − 0.5²'
    """
    return _NAME.sub(lambda match: fill(match[0]), rule)


def rule_text(
    node: Value,
    position: int,
    number: Callable[[float], str] = "{:.6g}".format,
    names: Mapping[Value, str] | None = None,
) -> str:
    """How d(node)/d(parent ``position``) is computed: the op's rule (``Op.rules``, in ``o`` for
    the output and the row's input names), then with this node's numbers put in, then its value
    (what backward() multiplies by), then the rule in words if the row has them. ``number``
    formats each number; with ``names`` (node -> name, as a view numbers its nodes) the rule is
    written with those names instead of the row's letters.

    >>> o = Value(0.8814).tanh()
    >>> rule_text(o, 0)
    '1 − o² = 1 − 0.70712² = 0.499981'
    >>> x, w = Value(2.0), Value(-3.0)
    >>> rule_text(x * w, 0), rule_text(2 ** x, 0), rule_text(x + w, 1)
    ('b = -3 (the other factor)', 'o·ln(a) = 4·ln(2) = 2.77259', '1')
    >>> rule_text(x * w, 0, names={x: "x", w: "w"}), rule_text(o, 0, names={o: "out"})
    ('w = -3 (the other factor)', '1 − out² = 1 − 0.70712² = 0.499981')
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
    values: dict[str, Value | float] = {"o": node, **dict(zip(op.inputs, inputs))}

    def put(name: str, as_number: bool) -> str:
        value = values.get(name)
        if value is None:
            return name  # a word of the rule, such as "ln" or "if"
        if as_number:
            text = number(float(value))
        elif names is None:
            return name
        else:  # a view's name for a parent, or the plain number the op kept
            text = names.get(value, name) if isinstance(value, Value) else number(value)
        return text if name == rule or _ATOM.fullmatch(text) else f"({text})"

    steps = [filled(rule, lambda name: put(name, False))]
    for step in (filled(rule, lambda name: put(name, True)), number(locals_of(node)[position])):
        if step.replace("−", "-") != steps[-1].replace("−", "-"):  # say each thing once
            steps.append(step)
    return " = ".join(steps) + (f" ({op.about})" if op.about else "")
