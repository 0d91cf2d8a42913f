"""A recorded backward pass: every chain-rule product, in the order the engine performs them.

``backward_steps(root)`` runs the same backward pass as ``root.backward()`` (same order, same
reset of inner gradients, same seed, the same float arithmetic) and records one ``Step`` per
edge: the node being visited, the parent receiving gradient, the local derivative, the upstream
gradient, their product and the parent's gradient before and after the ``+=``. Text, drawings
and the HTML player are all drawn from these steps.

>>> from autograd import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> L = a * b + a; L.label = "L"
>>> steps = backward_steps(L)
>>> print(steps[1]); print(steps[2])      # a is used twice: its gradient accumulates
2. at L: d(L)/d(a) += 1 × 1 = 1   (was 0, now 1)
3. at n2 (*): d(L)/d(a) += -3 × 1 = -3   (was 1, now -2)
>>> [(v.label, g) for v, g in steps.leaf_grads()]
[('a', -2.0), ('b', 2.0)]
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from .backward import backward, topological_order
from .text import format_number, node_name
from .value import Value


@dataclass(frozen=True)
class Step:
    """One ``parent.grad += local * node.grad`` of the backward pass.

    ``index`` is the position in the pass (0 for the first step; the text counts from 1),
    ``position`` says which of the node's parents this is (``a + a`` gives two steps into ``a``,
    positions 0 and 1), ``node_number``/``parent_number`` are positions in ``forward_order``.
    """

    index: int
    node: Value
    parent: Value
    position: int
    local: float
    upstream: float
    product: float
    before: float
    after: float
    node_name: str
    parent_name: str
    root_name: str
    node_number: int
    parent_number: int

    def __str__(self) -> str:
        f = format_number
        return (
            f"{self.index + 1}. at {self.node_name}: d({self.root_name})/d({self.parent_name}) += "
            f"{f(self.local)} × {f(self.upstream)} = {f(self.product)}   "
            f"(was {f(self.before)}, now {f(self.after)})"
        )


class Steps(Sequence[Step]):
    """The steps of one backward pass, in order, with helpers for reading them.

    ``order`` is the forward order of the graph's nodes (numbering every name), ``root`` the node
    the pass started from and ``seed`` its gradient d(root)/d(root).
    """

    def __init__(self, root: Value, seed: float, order: list[Value], steps: list[Step]) -> None:
        self.root = root
        self.seed = seed
        self.order = order
        self.numbers = {node: i for i, node in enumerate(order)}
        self._steps = tuple(steps)

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Step]: ...
    def __getitem__(self, i: int | slice) -> Step | Sequence[Step]:
        return self._steps[i]

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

    def name(self, node: Value) -> str:
        """The name used for ``node`` in these steps (its label, or ``n<number> (<op>)``)."""
        return node_name(node, self.numbers[node])

    def into(self, node: Value) -> list[Step]:
        """The steps that add into ``node.grad`` (more than one when ``node`` is used twice)."""
        return [s for s in self._steps if s.parent is node]

    def leaf_grads(self) -> list[tuple[Value, float]]:
        """Each leaf the pass reached with its final gradient, in the order the leaves were
        finished (the step after which nothing more is added to them)."""
        last: dict[Value, Step] = {}
        for s in self._steps:
            if s.parent.is_leaf:
                last.pop(s.parent, None)  # re-insert: dicts keep insertion order
                last[s.parent] = s
        return [(leaf, s.after) for leaf, s in last.items()]

    def __str__(self) -> str:
        root = self.name(self.root)
        lines = [
            f"backward pass from {root}: seed d({root})/d({root}) = {format_number(self.seed)}; "
            f"each step: d({root})/d(parent) += local d(node)/d(parent) × upstream d({root})/d(node)",
            *map(str, self._steps),
        ]
        leaves = self.leaf_grads()
        if leaves:
            lines.append(
                "leaf gradients: " + ", ".join(f"{self.name(v)} = {format_number(g)}" for v, g in leaves)
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Steps: {len(self)} steps from {self.name(self.root)!r}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        f = format_number
        head = "".join(
            f"<th>{h}</th>"
            for h in ("#", "at node", "parent", "local", "× upstream", "= product", "grad before", "after")
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{esc(cell)}</td>"
                for cell in (
                    str(s.index + 1),
                    s.node_name,
                    s.parent_name,
                    f(s.local),
                    f(s.upstream),
                    f(s.product),
                    f(s.before),
                    f(s.after),
                )
            )  # fmt: skip
            + "</tr>"
            for s in self._steps
        )
        root = esc(self.name(self.root))
        caption = f"backward pass from {root}: d({root})/d(parent) += local × upstream"
        return f"<table><caption>{caption}</caption><tr>{head}</tr>{rows}</table>"


def backward_steps(root: Value, gradient: float = 1.0) -> Steps:
    """Run ``root.backward(gradient)`` and record every chain-rule step it performs.

    It *is* a backward pass, not a view of one: afterwards every ``.grad`` is what
    ``root.backward(gradient)`` would have left. Inner nodes are reset first; leaves accumulate, so
    after an earlier ``backward()`` a leaf's gradient doubles (each step shows its ``before`` and
    ``after``). Call it instead of ``backward()``, or ``zero_grad`` the leaves first.

    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
    >>> steps = backward_steps(y)
    >>> [(s.before, s.after) for s in steps], x.grad
    ([(0.0, 3.0), (3.0, 6.0)], 6.0)
    >>> _ = backward_steps(y); x.grad     # a second backward pass: the leaf accumulates
    12.0
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps() needs a Value, got {type(root).__name__}")
    order = topological_order(root)
    forward = order[::-1]
    numbers = {node: i for i, node in enumerate(forward)}
    names = {node: node_name(node, i) for node, i in numbers.items()}
    root_name = names[root]
    steps: list[Step] = []

    def record(node, parent, position, local, upstream, product, before, after) -> None:
        steps.append(
            Step(
                len(steps), node, parent, position, local, upstream, product, before, after,
                names[node], names[parent], root_name, numbers[node], numbers[parent],
            )
        )  # fmt: skip

    seed = float(gradient)
    backward(root, seed, on_step=record)
    return Steps(root, seed, forward, steps)
