"""Reverse mode: order the graph, then apply the chain rule from the output back to the leaves.

Both steps use explicit stacks instead of recursion, so a chain a million nodes deep works under
Python's default recursion limit.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * 2) * 3
>>> backward(y); x.grad
6.0
>>> backward(y); x.grad      # leaves accumulate; inner nodes are reset first
12.0
"""

from __future__ import annotations

from collections.abc import Iterable

from .value import Value


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, ``root`` first and each node before its parents.

    This is the order backward() visits nodes. It is Kahn's algorithm on the reversed graph: a
    node is ready once every node that consumes it has been visited, so by the time a node is
    visited its gradient is complete. Ties go to the most recently readied node (a stack), which
    follows one branch down before the next and makes the order the same on every run.

    >>> a = Value(1.0, label="a"); b = a * 2; c = b + a
    >>> [n.label or n._op for n in topological_order(c)]
    ['+', '*', 'a']
    """
    consumers: dict[Value, int] = {root: 0}
    stack = [root]
    while stack:
        edges = stack.pop()._edges
        for parent in edges[::2]:
            if parent in consumers:
                consumers[parent] += 1
            else:
                consumers[parent] = 1
                stack.append(parent)

    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        # reversed, so that the first parent is popped (and visited) first
        for parent in reversed(node._edges[::2]):
            remaining = consumers[parent] - 1
            consumers[parent] = remaining
            if remaining == 0:
                ready.append(parent)
    return order


def backward(root: Value, gradient: float = 1.0, create_graph: bool = False) -> None:
    """Accumulate d(root)/d(node) into ``node.grad`` for every node ``root`` depends on.

    Inner nodes are reset to 0 first and then hold this pass's gradient (for drawings); leaves
    accumulate across calls, as in PyTorch. With ``create_graph=True`` the gradients are
    ``Value``s built from the op table's derivative rules, so they can be differentiated again.

    >>> x = Value(0.5); y = x.tanh(); backward(y); round(x.grad, 6)
    0.786448
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {type(root).__name__}")
    order = topological_order(root)
    _reset_inner(order)
    seed = Value(float(gradient)) if create_graph else float(gradient)
    root.grad = root.grad + seed if root.is_leaf else seed
    if create_graph:
        _propagate_values(order)
        return
    for node in order:
        grad = node.grad
        edges = iter(node._edges)
        for parent, local in zip(edges, edges):  # pairs (parent, local derivative)
            parent.grad += local * grad


def _reset_inner(order: list[Value]) -> None:
    for node in order:
        if node._edges:
            node.grad = 0.0


def _propagate_values(order: list[Value]) -> None:
    """The chain rule with Value arithmetic, so that each gradient is itself a graph."""
    for node in order:
        grad = node.grad
        for parent, local in zip(node.parents, local_value_grads(node)):
            parent.grad = parent.grad + local * grad


def local_value_grads(node: Value) -> tuple:
    """d(node)/d(parent) for each parent, written with Value operations (ops.py's value_local).

    >>> x = Value(0.5); y = x * x
    >>> [g.data if isinstance(g, Value) else g for g in local_value_grads(y)]
    [0.5, 0.5]
    """
    op = node.op
    if op is None:
        return ()
    parents = node.parents
    if op.kind == "unary":
        return (op.value_local(node, parents[0]),)
    if op.kind == "constant":
        return (op.value_local(node, parents[0], node.local_grads[0], op.constant),)
    if op.kind == "nary":
        return tuple(op.value_local(node, list(parents), node.local_grads))
    return op.value_local(node, *parents)


def zero_grad(nodes: Value | Iterable[Value]) -> None:
    """Set ``grad`` to 0.0 on the given nodes, or on every node of the graph below a Value.

    >>> x = Value(1.0); y = x * 3; y.backward(); zero_grad(y); x.grad
    0.0
    """
    for node in topological_order(nodes) if isinstance(nodes, Value) else nodes:
        node.grad = 0.0
