"""Random expression graphs for property tests, replayable on gradstep and on PyTorch.

A program is a list of leaf values and a list of instructions ``(op, i, j, constant)`` over a
growing pool of nodes, so nodes get reused (fan-out, shared subexpressions). Each instruction is
only applied where it is well away from kinks, domain edges and overflow, decided from gradstep's
forward values; the accepted instruction list is then replayed identically elsewhere.

The instructions come from the op table itself (``autograd.extend.OPS``), so a new row is fuzzed
without being listed here: an operator row (``+ - * / **``) between two nodes, with a number on
the right (``add_c``) and on the left (``radd_c``); a one-input row as its method; a row with a
number parameter (``leaky_relu``) as its method with the constant; ``dot`` as a weighted sum.
"""

from __future__ import annotations

import math
import operator

from hypothesis import strategies as st

from autograd import Value
from autograd.extend import OPS as TABLE

_OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow,
}  # fmt: skip
_BY_OPERATOR = {"neg": operator.neg, "abs": abs}  # one-input rows reached through an operator

BINARY = [name for name, row in TABLE.items() if row.symbol in _OPERATORS] + ["dot"]
UNARY = [name for name, row in TABLE.items() if len(row.inputs) == 1]
WITH_NUMBER = [name for name, row in TABLE.items() if len(row.inputs) == 2 and row.symbol not in _OPERATORS]
WITH_CONSTANT = [f"{side}{name}_c" for name in BINARY[:-1] for side in ("", "r")]
OPS = BINARY + UNARY + WITH_NUMBER + WITH_CONSTANT

leaf_values = st.floats(min_value=0.3, max_value=2.0) | st.floats(
    min_value=-2.0, max_value=-0.3
)
instructions = st.tuples(
    st.sampled_from(OPS),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from([0.5, 1.5, 2.0, 3.0, -0.7]),
)
programs = st.tuples(
    st.lists(leaf_values, min_size=1, max_size=4),
    st.lists(instructions, min_size=1, max_size=25),
)


def _allowed(op: str, a: float, b: float, c: float) -> bool:
    """Keep inputs away from kinks, domain edges and values large enough to lose precision."""
    if op in ("abs", "relu", "leaky_relu"):
        return abs(a) > 1e-3 and (op != "leaky_relu" or c > 0)  # a negative slope: not leaky
    if op in ("log", "sqrt"):
        return a > 0.1
    if op == "div":
        return abs(b) > 0.2
    if op == "rdiv_c":
        return abs(a) > 0.2
    if op == "pow":
        # at exponent exactly 0 PyTorch masks d/dbase to a constant 0, which drops the true
        # mixed second derivative (1 for a**(a-b) at a = b); keep away from that choice
        return 0.2 < a < 5 and 1e-3 < abs(b) < 3
    if op == "pow_c":
        return 0.2 < a < 5
    if op in ("exp", "rpow_c"):
        return a < 5
    return True


def _apply(op: str, a, b, c: float):
    """One instruction on gradstep Values or torch tensors (both support these spellings)."""
    if op == "dot":  # on Values: one n-ary node; on tensors: the same sum
        if isinstance(a, Value):
            return Value.weighted_sum([a, b], [b, a], a)
        return a * b + b * a + a
    if op.endswith("_c"):  # x <op> c, or c <op> x for "r..."
        name = op[1:-2] if op.startswith("r") and op[1:-2] in TABLE else op[:-2]
        operate = _OPERATORS[TABLE[name].symbol]
        if name == "pow" and op.startswith("r"):
            return operate(abs(c), a)  # a negative base to a Value power is a domain error
        return operate(c, a) if op.startswith("r") else operate(a, c)
    if op in BINARY:
        return _OPERATORS[TABLE[op].symbol](a, b)
    if op in _BY_OPERATOR:
        return _BY_OPERATOR[op](a)
    if isinstance(a, Value):
        return getattr(a, op)(c) if op in WITH_NUMBER else getattr(a, op)()
    import torch

    functional = torch.nn.functional
    function = getattr(torch, op, None) or getattr(functional, op)
    return function(a, c) if op in WITH_NUMBER else function(a)


def build(program, leaves: list | None = None):
    """Run ``program`` on gradstep; return (leaves, output, accepted instructions)."""
    values, steps = program
    leaves = leaves if leaves is not None else [Value(v) for v in values]
    pool = list(leaves)
    accepted = []
    for op, i, j, c in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if not _allowed(op, a.data, b.data, c):
            continue
        out = _apply(op, a, b, c)
        if not math.isfinite(out.data) or abs(out.data) > 1e4:
            continue
        pool.append(out)
        accepted.append((op, i % (len(pool) - 1), j % (len(pool) - 1), c))
    # Sum the last few nodes so that several branches reach the output.
    output = pool[-1] + (pool[-2] if len(pool) > 1 else 0.0) * 0.5
    return leaves, output, accepted


def replay(accepted, leaves):
    """Replay accepted instructions on other leaves (e.g. torch tensors); return the output."""
    pool = list(leaves)
    for op, i, j, c in accepted:
        pool.append(_apply(op, pool[i], pool[j], c))
    return pool[-1] + (pool[-2] if len(pool) > 1 else 0.0) * 0.5
