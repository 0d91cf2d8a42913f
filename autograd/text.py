"""How gradstep writes numbers and nodes in words: one place for every view (steps, drawings, players).

>>> from autograd import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b"); y = (a * b).tanh()
>>> names = {a: "a", b: "b", y.parents[0]: "ab", y: "y"}
>>> forward_formula(y.parents[0], names)
('a * b', '2 * -3')
>>> local_rule(y.parents[0], 0, names)
'*: the other factor, b = -3'
"""

from __future__ import annotations

import math

from .value import Value

NO_GRAD = "—"  # a gradient that backward has not computed (yet)


def format_number(x: float, digits: int = 6) -> str:
    """``x`` with ``digits`` significant digits, so that small numbers never show as 0.

    >>> format_number(3e-7), format_number(-0.375), format_number(2.0), format_number(-0.0)
    ('3e-07', '-0.375', '2', '0')
    """
    if x == 0.0:
        return "0"  # also -0.0: a learner reads "-0" as a bug
    return f"{x:.{digits}g}"


def node_name(node: Value, number: int) -> str:
    """A node's label, or ``n<number> (<op>)`` (``n<number>`` for an unlabelled leaf).

    >>> node_name(Value(1.0), 4), node_name(Value(1.0, label="w"), 4), node_name(Value(1.0) * 2, 5)
    ('n4', 'w', 'n5 (*)')
    """
    if node.label:
        return node.label
    return f"n{number} ({node._op})" if node.op is not None else f"n{number}"


def shorten(text: str, limit: int = 200) -> str:
    """``text``, or its first ``limit - 1`` characters and a visible "…" when it is longer: a label
    for a drawing (Graphviz rejects a string longer than 16384 bytes, and no box that wide is read).

    >>> shorten("w" * 5, limit=4), shorten("w1")
    ('www…', 'w1')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def data_text(data: float) -> str:
    """``data 0.25``: the middle cell of a value's box.

    >>> data_text(-3.14159)
    'data -3.142'
    """
    return f"data {format_number(data, 4)}"


def grad_text(grad: float | None) -> str:
    """``grad 0.25``, or ``grad —`` for a gradient that backward has not computed (None).

    >>> grad_text(None), grad_text(0.5)
    ('grad —', 'grad 0.5')
    """
    return f"grad {NO_GRAD if grad is None else format_number(grad, 4)}"


# The plain number c of a "constant" row (x + c, c - x, ...), recovered from what the node
# recorded: (constant, written before x?). The engine keeps c itself only for powers.
_CONSTANTS = {
    "add_c": (lambda out, x, local, op: out - x, False),
    "sub_c": (lambda out, x, local, op: x - out, False),
    "rsub_c": (lambda out, x, local, op: out + x, True),
    "mul_c": (lambda out, x, local, op: local, False),
    "div_c": (lambda out, x, local, op: 1.0 / local, False),
    "rdiv_c": (lambda out, x, local, op: out * x, True),
    "pow_c": (lambda out, x, local, op: op.constant, False),
    "rpow_c": (lambda out, x, local, op: op.constant, True),
}


def _constant(node: Value) -> tuple[float, bool] | None:
    """(c, written before x?) for a node made from a Value and a plain number c, else None."""
    op = node.op
    rule = _CONSTANTS.get(op.name) if op is not None and op.kind == "constant" else None
    if rule is None:
        return None
    recover, first = rule
    c = recover(node.data, node.parents[0].data, node.local_grads[0], op)
    return (c, first) if c is not None and math.isfinite(c) else None


def forward_formula(node: Value, names: dict[Value, str]) -> tuple[str, str]:
    """How ``node`` was computed, with names and with numbers: ``("a * b", "2 * -3")``.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b"); y = (a * b + 10).tanh()
    >>> names = {a: "a", b: "b", y.parents[0]: "n", y.parents[0].parents[0]: "ab"}
    >>> forward_formula(y.parents[0], names), forward_formula(y, names)
    (('ab + 10', '-6 + 10'), ('tanh(n)', 'tanh(4)'))
    """
    op = node.op
    if op is None:
        raise ValueError(f"forward_formula: {node!r} is a leaf; nothing computed it")
    parents = node.parents
    named = [names.get(p, "?") for p in parents]
    values = [format_number(p.data) for p in parents]
    symbol = op.symbol
    if op.kind == "binary":
        return f"{named[0]} {symbol} {named[1]}", f"{values[0]} {symbol} {values[1]}"
    if op.kind == "nary":
        return _sum_of_products(named, "·"), _sum_of_products(values, "×")
    constant = _constant(node)
    if constant is not None:
        c, first = constant
        const = format_number(c)
        if first:
            return f"{const} {symbol} {named[0]}", f"{const} {symbol} {values[0]}"
        return f"{named[0]} {symbol} {const}", f"{values[0]} {symbol} {const}"
    return f"{symbol}({named[0]})", f"{symbol}({values[0]})"


def _sum_of_products(items: list[str], times: str) -> str:
    terms = [f"{items[k]}{times}{items[k + 1]}" for k in range(0, len(items) - 1, 2)]
    if len(items) % 2:
        terms.append(items[-1])
    return " + ".join(terms)


def local_rule(node: Value, position: int, names: dict[Value, str]) -> str:
    """Why the local derivative d(node)/d(parent ``position``) has its value: the op's rule in
    words, then with this node's numbers, e.g. ``"tanh: 1 − o² = 1 − 0.7071² = 0.5"``.

    >>> x = Value(0.5, label="x"); y = x.tanh()
    >>> local_rule(y, 0, {x: "x", y: "y"})
    'tanh: 1 − y² = 1 − 0.4621² = 0.7864'
    """
    op = node.op
    if op is None:
        raise ValueError(f"local_rule: {node!r} is a leaf; it has no local derivatives")
    parents = node.parents
    local = node.local_grads[position]
    f = format_number
    value = f(local, 4)
    out = names.get(node, "out")
    x = parents[0]
    words = _RULES.get(op.name)
    if op.name == "dot":
        pairs = len(parents) - len(parents) % 2
        if position >= pairs:
            return f"{op.symbol}: a bias enters with 1"
        other = parents[position + 1 if position % 2 == 0 else position - 1]
        role = "the input it multiplies" if position % 2 == 0 else "its weight"
        return f"{op.symbol}: {role}, {names.get(other, '?')} = {value}"
    if op.name == "mul":
        other = parents[1 - position]
        return f"*: the other factor, {names.get(other, '?')} = {value}"
    if words is None:
        return f"{op.symbol}: {value}"
    text = words[position] if isinstance(words, tuple) else words
    constant = _constant(node)
    c = f(constant[0], 4) if constant is not None else "c"
    if op.kind == "binary":
        a, b = parents
        shown = text.format(out=out, a=names.get(a, "a"), b=names.get(b, "b"), c=c)
        numbers = text.format(out=f(node.data, 4), a=f(a.data, 4), b=f(b.data, 4), c=c)
    else:
        shown = text.format(out=out, x=names.get(x, "x"), c=c)
        numbers = text.format(out=f(node.data, 4), x=f(x.data, 4), c=c)
    if value in (shown, numbers):
        return f"{op.symbol}: {value}"
    if numbers == shown:
        return f"{op.symbol}: {shown} = {value}"
    return f"{op.symbol}: {shown} = {numbers} = {value}"


# The words of each op's local derivative (one entry per input for two-input ops): {out} is the
# node's value, {x} its input, {a}/{b} the inputs of a binary op, {c} the plain-number constant.
_RULES: dict[str, str | tuple[str, str]] = {
    "add": ("1", "1"),
    "sub": ("1", "−1"),
    "div": ("1/{b}", "−{out}/{b}"),
    "pow": ("{b}·{a}^({b}−1)", "{out}·log({a})"),
    "add_c": "1",
    "sub_c": "1",
    "rsub_c": "−1",
    "mul_c": "the constant {c}",
    "div_c": "1/{c}",
    "rdiv_c": "−{out}/{x}",
    "pow_c": "{c}·{x}^({c}−1)",
    "rpow_c": "{out}·log({c})",
    "leaky_relu": "1 if {x} > 0, else the slope",
    "neg": "−1",
    "abs": "sign({x})",
    "exp": "exp({x}) = {out}",
    "log": "1/{x}",
    "sqrt": "1/(2·{out})",
    "tanh": "1 − {out}²",
    "sigmoid": "{out}·(1 − {out})",
    "relu": "1 if {x} > 0, else 0",
    "softplus": "sigmoid({x})",
}


def tree(root: Value, max_nodes: int = 200) -> str:
    """The graph below ``root`` as indented text, for a terminal: each node's name, how it was
    computed, its data and grad, and, on an edge, the local derivative d(node)/d(input).

    Deterministic (nodes are numbered as in the drawings), iterative (any depth), and a value
    reached a second time is shown once, then referred to ("↑ see above"). Past ``max_nodes``
    lines it stops and says how many nodes are left.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> e = a * b + a; e.label = "e"; e.backward()
    >>> print(tree(e))
    e = n2 (*) + a   data -4  grad 1
    ├─ n2 (*) = a * b   data -6  grad 1   local 1
    │  ├─ a   data 2  grad -2   local -3
    │  └─ b   data -3  grad 2   local 2
    └─ a   ↑ see above   local 1
    """
    from .backward import topological_order

    if not isinstance(root, Value):
        raise TypeError(f"tree() needs a Value, got {type(root).__name__}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"tree: max_nodes must be a positive int, got {max_nodes!r}")
    order = topological_order(root)[::-1]
    names = {node: node_name(node, i) for i, node in enumerate(order)}
    lines: list[str] = []
    shown: set[Value] = set()
    # (node, prefix for its line, prefix for its children's lines, local derivative into its parent)
    stack: list[tuple[Value, str, str, float | None]] = [(root, "", "", None)]
    while stack and len(lines) < max_nodes:
        node, head, indent, local = stack.pop()
        edge = "" if local is None else f"   local {format_number(float(local), 4)}"
        if node in shown:
            lines.append(f"{head}{names[node]}   ↑ see above{edge}")
            continue
        shown.add(node)
        how = ""
        if node.op is not None:
            how = " = " + forward_formula(node, names)[0]
        grad = format_number(float(node.grad), 4)
        lines.append(f"{head}{names[node]}{how}   data {format_number(node.data, 4)}  grad {grad}{edge}")
        children = list(zip(node.parents, node.local_grads))
        for k in range(len(children) - 1, -1, -1):  # pushed last first: popped in order
            last = k == len(children) - 1
            parent, d = children[k]
            stack.append(
                (parent, indent + ("└─ " if last else "├─ "), indent + ("   " if last else "│  "), d)
            )
    left = len(set(order) - shown)
    if stack and left:
        lines.append(f"… {left} more node{'s' if left != 1 else ''} not shown (max_nodes={max_nodes})")
    return "\n".join(lines)
