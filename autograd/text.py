"""How gradstep writes numbers and nodes in words: one place for every view (steps, drawings, players).

>>> from autograd import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b"); y = (a * b).tanh()
>>> names = {a: "a", b: "b", y.parents[0]: "ab", y: "y"}
>>> forward_formula(y.parents[0], names)
('a * b', '2 * -3')
>>> local_rule(y.parents[0], 0, names)
'*: b = -3 (the other factor)'
"""

from __future__ import annotations

from .explain import rule_text
from .value import Value, inputs_of

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

    Every view names nodes with it, so a label is shown as text can show it: control characters
    as symbols (``visible``) and a label longer than 200 characters cut with "…" (``shorten``):
    a page or a terminal repeats a name many times.

    >>> node_name(Value(1.0), 4), node_name(Value(1.0, label="w"), 4), node_name(Value(1.0) * 2, 5)
    ('n4', 'w', 'n5 (*)')
    >>> node_name(Value(1.0, label="a\\nb"), 0), len(node_name(Value(1.0, label="w" * 10**6), 0))
    ('a↵b', 200)
    """
    if node.label:
        return shorten(visible(node.label[:_LONGEST]))
    return f"n{number} ({node._op})" if node.op is not None else f"n{number}"


_LONGEST = 1000  # a longer label is cut before it is translated: only its start is ever shown


def shorten(text: str, limit: int = 200) -> str:
    """``text``, or its first ``limit - 1`` characters and a visible "…" when it is longer: a label
    for a drawing (Graphviz rejects a string longer than 16384 bytes, and no box that wide is read).

    >>> shorten("w" * 5, limit=4), shorten("w1")
    ('www…', 'w1')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def visible(text: str) -> str:
    """``text`` with its control characters shown as symbols, as the drawings show them: a newline
    as ↵, escape as ␛ (so a label can neither break a line nor colour a terminal), the others as
    their control pictures (␀ ␉ …), and lone surrogates, which cannot be written as UTF-8, as �.

    >>> visible("a\\nb\\x1b[31m\\x00")
    'a↵b␛[31m␀'
    """
    return text.translate(CONTROL_PICTURES)


def _control_pictures() -> dict[int, str]:
    table: dict[int, str] = {c: chr(0x2400 + c) for c in range(32)}  # control pictures ␀ ␁ ...
    table[0x0A] = "↵"
    table[0x7F] = "␡"
    table.update({c: "\ufffd" for c in range(0xD800, 0xE000)})
    return table


CONTROL_PICTURES = _control_pictures()


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
    inputs = inputs_of(node)  # the parents, and the plain number the op kept (x * 3 keeps the 3)
    named = [names.get(x, "?") if isinstance(x, Value) else format_number(x) for x in inputs]
    values = [format_number(float(x)) for x in inputs]
    symbol = op.symbol
    if op.name == "dot":
        return _sum_of_products(named, "·"), _sum_of_products(values, "×")
    if op.inputs == ("a", "b"):
        return f"{named[0]} {symbol} {named[1]}", f"{values[0]} {symbol} {values[1]}"
    return f"{symbol}({named[0]})", f"{symbol}({values[0]})"


def _sum_of_products(items: list[str], times: str) -> str:
    terms = [f"{items[k]}{times}{items[k + 1]}" for k in range(0, len(items) - 1, 2)]
    if len(items) % 2:
        terms.append(items[-1])
    return " + ".join(terms)


def local_rule(node: Value, position: int, names: dict[Value, str]) -> str:
    """Why the local derivative d(node)/d(parent ``position``) has its value: the op's own rule
    (``autograd.rule_text``) in these names, then with this node's numbers, then the value, e.g.
    ``"tanh: 1 − o² = 1 − 0.7071² = 0.5"``.

    >>> x = Value(0.5, label="x"); y = x.tanh()
    >>> local_rule(y, 0, {x: "x", y: "y"})
    'tanh: 1 − y² = 1 − 0.4621² = 0.7864'
    """
    if node.op is None:
        raise ValueError(f"local_rule: {node!r} is a leaf; it has no local derivatives")
    text = rule_text(node, position, number=lambda x: format_number(x, 4), names=names)
    return f"{node.op.symbol}: {text}"


WIDTH = 80  # tree()'s lines fit a standard terminal
DEEPEST = 8  # tree() indents this many levels; a deeper line shows its depth instead


def tree(root: Value, max_nodes: int = 200) -> str:
    """The graph below ``root`` as indented text, for a terminal: each node's name, how it was
    computed, its data and grad, and, on an edge, the local derivative d(node)/d(input).

    Deterministic (nodes are numbered as in the drawings), iterative (any depth), and a value
    reached a second time is shown once, then referred to ("↑ see above"). Past ``max_nodes``
    lines it stops and says how many nodes are left. Every line fits 80 columns: a long formula
    or name is cut with "…" (each input has its own line below), labels show control characters
    as symbols (↵, ␛), and a line more than 8 levels deep is indented as the 8th level and starts
    with its depth (``[9]``), so the text is at most about ``80 × max_nodes`` characters
    whatever the depth.

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
    # (node, its depth, the branch drawn before it, the indentation of its children's lines (at most
    # DEEPEST levels), the local derivative into its parent)
    stack: list[tuple[Value, int, str, str, float | None]] = [(root, 0, "", "", None)]
    while stack and len(lines) < max_nodes:
        node, depth, branch, indent, local = stack.pop()
        marker = f"[{depth}] " if depth > DEEPEST else ""  # over the outer levels' indentation
        head = marker + indent[len(marker) : -3] + branch
        edge = "" if local is None else f"   local {format_number(float(local), 4)}"
        if node in shown:
            lines.append(_fit(head, names[node], "", f"   ↑ see above{edge}"))
            continue
        shown.add(node)
        how = "" if node.op is None else " = " + forward_formula(node, names)[0]
        numbers = f"   data {format_number(node.data, 4)}  grad {format_number(float(node.grad), 4)}"
        lines.append(_fit(head, names[node], how, numbers + edge))
        children = list(zip(node.parents, node.local_grads))
        for k in range(len(children) - 1, -1, -1):  # pushed last first: popped in order
            last = k == len(children) - 1
            parent, d = children[k]
            deeper = indent + ("   " if last else "│  ") if depth < DEEPEST else indent
            stack.append((parent, depth + 1, "└─ " if last else "├─ ", deeper, d))
    left = len(set(order) - shown)
    if stack and left:
        lines.append(f"… {left} more node{'s' if left != 1 else ''} not shown (max_nodes={max_nodes})")
    return "\n".join(lines)


def _fit(head: str, name: str, how: str, tail: str) -> str:
    """One line of ``tree``, within ``WIDTH`` columns: the formula ``how`` is cut first, then the name."""
    room = WIDTH - len(head) - len(tail)
    if len(name) + len(how) > room:
        how = shorten(how, room - len(name)) if room - len(name) >= 6 else ""
        name = shorten(name, max(room, 4))
    return shorten(head + name + how + tail, WIDTH)
