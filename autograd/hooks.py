"""Looking inside a backward pass: gradient hooks, and anomaly reports that name their source.

Both cost nothing unless used: backward() takes its plain fast loop while no hook is registered
and anomaly detection is off.

>>> from autograd import Value
>>> x = Value(2.0); y = x * x
>>> seen = []
>>> handle = y.register_hook(seen.append)
>>> y.backward(); seen
[1.0]
>>> handle.remove(); y.backward(); seen
[1.0]
"""

from __future__ import annotations

import math
import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import value as _value
from .value import Value

Hook = Callable[[float], "float | Value | None"]

# Hooks are rare, so they live beside the nodes rather than costing every node a slot.
hooks: dict[Value, list[Hook]] = {}


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook (twice is harmless)."""

    def __init__(self, node: Value, hook: Hook) -> None:
        self._node = node
        self._hook = hook

    def remove(self) -> None:
        registered = hooks.get(self._node, [])
        if self._hook in registered:
            registered.remove(self._hook)
        if not registered:
            hooks.pop(self._node, None)


def register_hook(node: Value, hook: Hook) -> RemovableHandle:
    """Call ``hook(grad)`` each time a backward pass completes ``node``'s gradient.

    The hook sees the gradient of this pass (for a leaf: what this pass adds, as in PyTorch).
    If it returns a number (or a Value) that replaces the gradient before it flows on to the
    node's parents. Hooks on one node run in the order they were registered.

    >>> x = Value(3.0); y = x * 2
    >>> h = x.register_hook(lambda g: g * 10)
    >>> y.backward(); x.grad
    20.0
    """
    if not callable(hook):
        raise TypeError(f"register_hook needs a callable, got {type(hook).__name__}")
    hooks.setdefault(node, []).append(hook)
    return RemovableHandle(node, hook)


def run_hooks(node: Value, grad_before_pass: float | Value) -> None:
    """Apply ``node``'s hooks to the gradient this pass gave it (inner nodes start at 0)."""
    this_pass = node.grad - grad_before_pass
    for hook in list(hooks.get(node, ())):
        replaced = hook(this_pass)
        if replaced is not None:
            this_pass = replaced
    node.grad = grad_before_pass + this_pass


class AnomalyError(ArithmeticError):
    """A gradient became nan or infinite; the message names the op and where it was built."""


_sites: dict[Value, str] | None = None  # node -> "file:line in function" while detecting


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside the block, remember where each node is built; a backward pass that produces a nan
    or infinite gradient raises ``AnomalyError`` naming the op, its numbers and that line.

    >>> x = Value(0.0)
    >>> with detect_anomaly():
    ...     y = x.sqrt()
    ...     y.backward()
    Traceback (most recent call last):
    ...
    autograd.hooks.AnomalyError: backward through sqrt gave d/d(input 0) = inf: ...
    """
    global _sites
    outer = _sites
    _sites = {} if outer is None else outer
    _value._on_create = _remember_site
    try:
        yield
    finally:
        _sites = outer
        if outer is None:
            _value._on_create = None


def anomaly_active() -> bool:
    return _sites is not None


def check_finite(node: Value, parent_index: int, local: float, grad: float, product: float) -> None:
    """Raise AnomalyError if one chain-rule product is nan or infinite."""
    number = product.data if isinstance(product, Value) else product
    if math.isfinite(number):
        return
    op = node.op.name if node.op else "a leaf"
    site = (_sites or {}).get(node, "an unknown line (the node was built outside detect_anomaly)")
    raise AnomalyError(
        f"backward through {op} gave d/d(input {parent_index}) = {number!r}: "
        f"local derivative {_show(local)} × upstream gradient {_show(grad)}; "
        f"inputs {[p.data for p in node.parents]}; the node was built at {site}"
    )


def _show(x: float | Value) -> str:
    return repr(x.data if isinstance(x, Value) else x)


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _remember_site(node: Value) -> None:
    """The innermost stack frame outside the autograd package: the user's line."""
    if _sites is None:
        return
    for frame in reversed(traceback.extract_stack(limit=12)):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE):
            _sites[node] = f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
            return
