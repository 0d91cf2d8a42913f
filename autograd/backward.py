"""Reverse mode: order the graph, then apply the chain rule from the output back to the leaves.

The order is a depth-first search on an explicit stack (``topological_order``); the chain rule is
``value.chain_rule`` (the plain loop) or, when hooks, create_graph, a recording or a watcher are
involved, the general loop here, which gives the same floats.

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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from . import hooks
from .value import (
    Value,
    any_hooks,
    as_finite_float,
    chain_rule,
    data_of,
    hooks_of,
    local_value_grads,
    locals_of,
    parents_of,
)

OnStep = Callable[..., None]  # (node, parent, position, local, upstream, product, before, after)


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
    if not isinstance(root, Value):
        raise TypeError(f"topological_order() needs a Value, got {type(root).__name__}")
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
    on_step: OnStep | None = None,
) -> None:
    """Accumulate d(root)/d(node) into ``node.grad`` for every node ``root`` depends on.

    Inner nodes are reset to 0 first and then hold this pass's gradient (for drawings); leaves
    accumulate across calls, as in PyTorch. The local derivatives are those recorded in the
    forward pass: the graph is a record of it, even if a ``.data`` has changed since. With
    ``create_graph=True`` the gradients are ``Value``\\ s built from the same rules run on Values,
    so they can be differentiated again; that needs the data the rules were recorded with, so it
    raises ``ValueError`` if a node's data changed after the forward pass. ``on_step(node,
    parent, position, local, upstream, product, before, after)`` is called after every
    ``parent.grad += local * upstream``, in order (``backward_steps`` records with it).

    >>> x = Value(0.5); y = x.tanh(); backward(y); round(x.grad, 6)
    0.786448
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward() needs a Value, got {type(root).__name__}")
    seed = as_finite_float(gradient, "backward(gradient=...)")
    starting = _on_pass.get()
    if starting is not None:  # trace() refuses a backward pass inside a traced function
        starting(root, create_graph)
    order = topological_order(root)
    for node in order:
        if node.op is not None:
            node.grad = 0.0
    # hooks see this pass's gradient, so remember what hooked nodes held before it
    hooked = {node: node.grad for node in order if hooks_of(node)} if any_hooks() else {}
    seeded: float | Value = Value(seed) if create_graph else seed
    root.grad = root.grad + seeded if root.op is None else seeded
    watchers = [*_watchers.get(), *([on_step] if on_step is not None else [])]
    if create_graph or hooked or watchers:
        _general_pass(order, create_graph, hooked, watchers)
    else:
        chain_rule(order)


def _general_pass(
    order: list[Value], create_graph: bool, hooked: dict[Value, float | Value], watchers: list[OnStep]
) -> None:
    """The chain rule with hooks, watchers and Value-valued gradients; on floats it computes
    exactly what ``chain_rule`` does."""
    for node in order:
        if node in hooked:
            hooks.run_hooks(node, hooked[node])
        grad = node.grad
        locals_ = _rebuilt_locals(node) if create_graph else locals_of(node)
        for position, (parent, local) in enumerate(zip(parents_of(node), locals_)):
            # skipping "× 1" (exact on floats) keeps gradient graphs small enough to read
            product = grad if type(local) is float and local == 1.0 else local * grad
            before = parent.grad
            if type(product) is not float and type(before) is float and before == 0.0:
                after = product  # no "0 +" node in a gradient graph
            else:
                after = before + product
            parent.grad = after
            for watch in watchers:
                watch(node, parent, position, local, grad, product, before, after)


def _rebuilt_locals(node: Value) -> tuple[float | Value, ...]:
    """The node's local derivatives as Values, checked against the floats it recorded."""
    try:
        rebuilt = local_value_grads(node)
    except (ArithmeticError, ValueError) as error:
        op = node.op.name if node.op else "a node"
        raise type(error)(f"backward(create_graph=True) through {op}: {error}") from None
    for position, (value, recorded) in enumerate(zip(rebuilt, locals_of(node))):
        now = data_of([value])[0] if type(value) is Value else value  # our own check: not a guard
        if now != recorded:
            raise ValueError(
                f"backward(create_graph=True): the data of {node.op.name if node.op else 'a'} node "
                f"{node!r} or of its inputs changed after the forward pass (d/d(input {position}) was "
                f"recorded as {recorded!r}, the data now give {now!r}). backward() uses the "
                "recorded derivatives; create_graph needs the data they came from: redo the forward pass"
            )
    return rebuilt


_watchers: ContextVar[tuple[OnStep, ...]] = ContextVar("on_backward_step", default=())

# A hook for trace(): told of every backward pass this thread starts, ``callback(root,
# create_graph)``, so that a pass inside a traced function is refused while it is traced.
_on_pass: ContextVar[Callable[[Value, bool], None] | None] = ContextVar("on_backward_pass", default=None)


@contextmanager
def on_backward_pass(callback: Callable[[Value, bool], None]) -> Iterator[None]:
    """Inside the block, ``callback(root, create_graph)`` is called as every backward pass this
    thread runs starts (it may raise to refuse the pass).

    >>> with on_backward_pass(lambda root, create_graph: print("from", root.data)):
    ...     (Value(2.0) * 3).backward()
    from 6.0
    """
    token = _on_pass.set(callback)
    try:
        yield
    finally:
        _on_pass.reset(token)


def watched() -> bool:
    """Whether this thread's backward passes have a watcher (``on_backward_step``)."""
    return bool(_watchers.get())


@contextmanager
def on_backward_step(callback: OnStep) -> Iterator[None]:
    """Inside the block, every backward pass this thread runs calls ``callback(node, parent,
    position, local, upstream, product, before, after)`` after each chain-rule ``+=`` (after any
    callback of an enclosing block). ``detect_anomaly`` checks each product with it.

    >>> x = Value(3.0); seen = []
    >>> with on_backward_step(lambda *step: seen.append(step[5])):
    ...     (x * x).backward()
    >>> seen
    [3.0, 3.0]
    """
    token = _watchers.set((*_watchers.get(), callback))
    try:
        yield
    finally:
        _watchers.reset(token)


def zero_grad(nodes: Value | Iterable[Value]) -> None:
    """Set ``grad`` to 0.0 on the given nodes, or on every node of the graph below a Value.

    >>> x = Value(1.0); y = x * 3; y.backward(); zero_grad(y); x.grad
    0.0
    """
    if not isinstance(nodes, Value | Iterable):
        raise TypeError(f"zero_grad() takes a Value or Values, got {type(nodes).__name__}")
    for node in topological_order(nodes) if isinstance(nodes, Value) else nodes:
        if not isinstance(node, Value):
            raise TypeError(f"zero_grad() takes Values, got {type(node).__name__}")
        node.grad = 0.0
