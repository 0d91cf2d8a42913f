"""Reverse mode: order the graph, then apply the chain rule from the output back to the leaves.

The order is a depth-first search on an explicit stack (``topological_order``). The chain rule is
one loop over that order: the plain loop calls each node's ``_backward()`` (``parent.grad +=
local * node.grad``, as in micrograd); when hooks, create_graph or a watcher are involved the
general loop beside it does the same sums edge by edge, to the same bits (a test checks it).

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * 2) * 3
>>> backward(y); x.grad
6.0
>>> backward(y); x.grad      # leaves accumulate; inner nodes are reset first
12.0
"""

from __future__ import annotations

import math
from typing import Any

from .checks import as_finite_float
from .create_graph import check_unchanged, rebuilt_locals
from .hooks import any_hooks, hooks_of, run_hooks
from .modes import OnStep, now
from .value import Value, data_of, locals_of, made_before, parents_of, writes


def topological_order(root: Value, inputs_first: bool = False) -> list[Value]:
    """Every node that ``root`` depends on, ``root`` first and each node before its parents.

    This is the order backward() visits nodes, so by the time a node is visited every node that
    uses it has been, and its gradient is complete. It is a depth-first search on an explicit
    stack (no recursion, so no depth limit), reversed: a node is finished after all its parents,
    so reversing the finishing order puts every node before its parents. Parents are explored
    last to first, so that backward goes down the first parent's branch first, and the order is
    the same on every run.

    With ``inputs_first=True`` it is the same search with parents explored first to last, not
    reversed: every node after its inputs, first inputs first, the order in which an expression
    reads (``x1*w1`` before ``x2*w2``), for showing a forward pass.

    >>> a = Value(1.0, label="a"); b = a * 2; c = b + a
    >>> [n.label or n._op for n in topological_order(c)]
    ['+', '*', 'a']
    >>> [n.label or n._op for n in topological_order(c, inputs_first=True)]
    ['a', '*', '+']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order() needs a Value, got {type(root).__name__}")
    finished = []
    seen = set()
    # A node's parents are all pushed when it is entered, and one is skipped when popped if it
    # was seen meanwhile: the same visits as a recursive search, without an iterator per node.
    # Under the parents it pushes lie _FINISHED and the node, popped once the parents are done.
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is _FINISHED:
            finished.append(stack.pop())
        elif node not in seen:
            seen.add(node)
            stack.append(node)
            stack.append(_FINISHED)
            parents = parents_of(node)  # the stack's top is explored first
            stack.extend(parents[::-1] if inputs_first else parents)
    return finished if inputs_first else finished[::-1]


_FINISHED = object()  # on the search's stack: the node below it has every parent finished


def backward(
    root: Value,
    gradient: float = 1.0,
    create_graph: bool = False,
    on_step: OnStep | None = None,
) -> None:
    """Accumulate d(root)/d(node) into ``node.grad`` for every node ``root`` depends on.

    Inner nodes are reset to 0 first and then hold this pass's gradient (for drawings); leaves
    accumulate across calls, as in PyTorch. The local derivatives are those recorded in the
    forward pass. If a ``.data`` changed since so that a recorded derivative is no longer the one
    the data give (``x * x`` after ``x.data = 5``), it raises ``ValueError`` before any gradient
    changes, with or without create_graph: redo the forward pass. With ``create_graph=True`` the
    gradients are ``Value``\\ s built from the same rules run on Values, so they can be
    differentiated again. ``on_step(node, parent, position, local, upstream, product, before,
    after)`` is called after every ``parent.grad += local * upstream``, in order
    (``backward_steps`` records with it).

    >>> x = Value(0.5); y = x.tanh(); backward(y); round(x.grad, 6)
    0.786448
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {type(root).__name__}")
    seed = as_finite_float(gradient, "backward(gradient=...)")
    modes = now()
    if modes.on_pass is not None:  # trace() refuses a backward pass inside a traced function
        modes.on_pass(root, create_graph)
    order = topological_order(root)
    for node in made_before(order, writes()):  # usually none: no data was set since the forward pass
        check_unchanged(node)
    for node in order:
        if node.op is not None:
            node.grad = 0.0
    # hooks see this pass's gradient, so remember what hooked nodes held before it
    hooked = {node: node.grad for node in order if hooks_of(node)} if any_hooks() else {}
    seeded: float | Value = Value(seed) if create_graph else seed
    root.grad = root.grad + seeded if root.op is None else seeded
    watchers = [*modes.on_step, *([on_step] if on_step is not None else [])]
    if create_graph or hooked or watchers:
        _general_pass(order, create_graph, hooked, watchers)
    else:  # the plain loop: the same sums as the general one, one node at a time
        for node in order:
            node._backward()


def _general_pass(
    order: list[Value], create_graph: bool, hooked: dict[Value, float | Value], watchers: list[OnStep]
) -> None:
    """The chain rule with hooks, watchers and Value-valued gradients; on floats it computes
    exactly what ``Value._backward`` does."""
    for node in order:
        if node in hooked:
            run_hooks(node, hooked[node])
        grad = node.grad
        locals_ = rebuilt_locals(node) if create_graph else locals_of(node)
        for position, (parent, local) in enumerate(zip(parents_of(node), locals_)):
            # skipping "× 1" (exact on floats) keeps gradient graphs small enough to read
            product = grad if type(local) is float and local == 1.0 else local * grad
            before = parent.grad
            if type(product) is not float and _adds_nothing(before, product):
                after = product  # no "0 +" node in a gradient graph
            else:
                after = before + product
            parent.grad = after
            for watch in watchers:
                watch(node, parent, position, local, grad, product, before, after)


def _adds_nothing(before: float | Value, product: float | Value) -> bool:
    """Whether ``before + product`` is ``product`` to the bit: before is a zero, and not +0.0
    added to -0.0 (which gives +0.0)."""
    if type(before) is not float or before != 0.0:
        return False
    number = data_of([product])[0] if isinstance(product, Value) else product  # not a trace guard
    return math.copysign(1.0, before) < 0.0 or number != 0.0 or math.copysign(1.0, number) > 0.0
