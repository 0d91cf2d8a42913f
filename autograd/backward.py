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

import gc
from collections.abc import Callable, Iterable, Sequence

from . import hooks
from .value import MANY, Value, parents_of


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, ``root`` first and each node before its parents.

    This is the order backward() visits nodes, so by the time a node is visited every node that
    uses it has been, and its gradient is complete. It is a depth-first search on an explicit
    stack (no recursion, so no depth limit), reversed: a node is finished after all its parents,
    so reversing the finishing order puts every node before its parents. Parents are explored
    last to first, so that backward goes down the first parent's branch first, and the order is
    the same on every run.

    >>> a = Value(1.0, label="a"); b = a * 2; c = b + a
    >>> [n.label or n._op for n in topological_order(c)]
    ['+', '*', 'a']
    """
    finished = []
    seen = {root}
    stack = [(root, reversed(parents_of(root)))]
    # The stack's entries are new container objects, one per node along the deepest path, and
    # each allocation counts toward a cyclic-GC pass that would rescan the whole graph; none of
    # them can form a cycle, so the collector is paused while the stack exists.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    stack.append((parent, reversed(parents_of(parent))))
                    break
            else:  # every parent is finished, so this node is
                stack.pop()
                finished.append(node)
    finally:
        if collecting:
            gc.enable()
    finished.reverse()
    return finished


def backward(
    root: Value,
    gradient: float = 1.0,
    create_graph: bool = False,
    on_step: Callable[..., None] | None = None,
) -> None:
    """Accumulate d(root)/d(node) into ``node.grad`` for every node ``root`` depends on.

    Inner nodes are reset to 0 first and then hold this pass's gradient (for drawings); leaves
    accumulate across calls, as in PyTorch. With ``create_graph=True`` the gradients are
    ``Value``s built from the op table's derivative rules, so they can be differentiated again.
    ``on_step(node, parent, position, local, upstream, product, before, after)`` is called for
    every ``parent.grad += local * upstream`` in order (``backward_steps`` records with it).

    >>> x = Value(0.5); y = x.tanh(); backward(y); round(x.grad, 6)
    0.786448
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {type(root).__name__}")
    order = topological_order(root)
    _reset_inner(order)
    # hooks see this pass's gradient, so remember what hooked leaves held before it
    before = {node: node.grad for node in order if node in hooks.hooks} if hooks.hooks else {}
    seed = Value(float(gradient)) if create_graph else float(gradient)
    root.grad = root.grad + seed if root.is_leaf else seed
    if create_graph or before or on_step or hooks.anomaly_active():
        _propagate_with_options(order, create_graph, before, on_step)
        return
    for node in order:
        p0 = node._p0
        if p0 is None:  # a leaf
            continue
        grad = node.grad
        if p0 is MANY:  # weighted_sum: pairs (parent, local derivative)
            pairs = iter(node._l0)
            for parent, local in zip(pairs, pairs):
                parent.grad += local * grad
            continue
        p0.grad += node._l0 * grad
        p1 = node._p1
        if p1 is not None:
            p1.grad += node._l1 * grad


def _reset_inner(order: list[Value]) -> None:
    for node in order:
        if node._p0 is not None:
            node.grad = 0.0


def _propagate_with_options(
    order: list[Value],
    create_graph: bool,
    hooked: dict[Value, float | Value],
    on_step: Callable[..., None] | None,
) -> None:
    """The same chain rule, plus hooks, anomaly checks, recording and Value-valued gradients."""
    checking = hooks.anomaly_active()
    for node in order:
        if node in hooked:
            hooks.run_hooks(node, hooked[node])
        grad = node.grad
        locals_ = local_value_grads(node) if create_graph else node.local_grads
        for position, (parent, local) in enumerate(zip(node.parents, locals_)):
            product = _times(local, grad)
            if checking:
                hooks.check_finite(node, position, local, grad, product)
            before = parent.grad
            parent.grad = product if _is_zero(before) else before + product
            if on_step is not None:
                on_step(node, parent, position, local, grad, product, before, parent.grad)


def _times(local: float | Value, grad: float | Value) -> float | Value:
    # Skipping "× 1" keeps gradient graphs (create_graph) small enough to read in a drawing.
    if type(local) is float and local == 1.0:
        return grad
    return local * grad


def _is_zero(grad: float | Value) -> bool:
    return type(grad) is float and grad == 0.0


def grad(
    f_or_output: Callable[..., Value] | Value,
    inputs: Value | Sequence[Value] | None = None,
    create_graph: bool = False,
    argnum: int = 0,
) -> Callable[..., Value] | list[float | Value]:
    """Gradients without touching ``.grad``, in two forms.

    ``grad(output, inputs)`` returns d(output)/d(input) for each input, like
    ``torch.autograd.grad``: floats, or Values with ``create_graph=True``. An input that the
    output does not depend on gets 0.0.

    ``grad(f)`` returns a function computing df/d(argument ``argnum``) as a Value, like JAX, so
    ``grad(grad(f))`` is the second derivative. Arguments may be numbers or Values.

    >>> x = Value(0.7)
    >>> grad(x * x * x, [x])
    [1.4699999999999998]
    >>> d2 = grad(grad(lambda x: x ** 3))
    >>> round(d2(0.7).data, 12)
    4.2
    """
    if callable(f_or_output) and not isinstance(f_or_output, Value):
        return _grad_function(f_or_output, argnum)
    if not isinstance(f_or_output, Value):
        raise TypeError(f"grad() needs a Value or a function, got {type(f_or_output).__name__}")
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs or ())
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad(): input {i} must be a Value, got {type(x).__name__}")
    order = topological_order(f_or_output)
    in_graph = set(order)
    saved = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    try:
        backward(f_or_output, create_graph=create_graph)
        return [x.grad if x in in_graph else 0.0 for x in inputs]
    finally:
        for node, before in zip(order, saved):
            node.grad = before


def _grad_function(f: Callable[..., Value], argnum: int) -> Callable[..., Value]:
    def derivative(*args: Value | float) -> Value:
        values = [a if isinstance(a, Value) else Value(a) for a in args]
        out = f(*values)
        if not isinstance(out, Value):
            raise TypeError(f"grad(f): f must return a Value, got {type(out).__name__}")
        (result,) = grad(out, [values[argnum]], create_graph=True)
        return result if isinstance(result, Value) else Value(result)

    derivative.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    derivative.__doc__ = f"d/d(argument {argnum}) of {getattr(f, '__name__', 'f')}, as a Value."
    return derivative


def hessian(f: Callable[..., Value], xs: Sequence[float | Value]) -> list[list[float]]:
    """The matrix of second derivatives of ``f`` at ``xs`` (small problems: n backward passes).

    >>> hessian(lambda x, y: x * x * y, [1.0, 2.0])
    [[4.0, 2.0], [2.0, 0.0]]
    """
    values = [Value(float(x)) for x in xs]
    gradients = grad(f(*values), values, create_graph=True)
    return [
        [float(g) for g in grad(first, values)] if isinstance(first, Value) else [0.0] * len(values)
        for first in gradients
    ]


def hvp(f: Callable[..., Value], xs: Sequence[float | Value], v: Sequence[float]) -> list[float]:
    """Hessian-vector product H·v with one extra backward pass (no full Hessian).

    >>> hvp(lambda x, y: x * x * y, [1.0, 2.0], [1.0, 0.0])
    [4.0, 2.0]
    """
    if len(v) != len(xs):
        raise ValueError(f"hvp: v has {len(v)} entries but there are {len(xs)} inputs")
    values = [Value(float(x)) for x in xs]
    gradients = grad(f(*values), values, create_graph=True)
    directional = sum((g * float(vi) for g, vi in zip(gradients, v)), Value(0.0))
    return [float(g) for g in grad(directional, values)]


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
