"""Gradient hooks: look at (or replace) a node's gradient when a backward pass completes it.

A hook is kept in the node it watches, so it lives and dies with that node: a dropped graph is
freed at once, hooked or not. backward() takes its plain loop while no living node has a hook.

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

import weakref
from collections.abc import Callable
from typing import Any

from .checks import hook_result
from .value import Extras, Value, extras, extras_of

Hook = Callable[[Any], Any]  # grad -> None, or a number (or Value) that replaces it

# A node's hooks are kept in its extras record (value.Extras), in registration order, so they go
# when the node does; this set names the records that have hooks, while their node lives.
_hooked: weakref.WeakSet[Extras] = weakref.WeakSet()


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook (twice is harmless). The
    handle does not keep the node alive."""

    def __init__(self, record: Extras, hook: Hook) -> None:
        self._record, self._hook = weakref.ref(record), hook  # weak: the node's record may go

    def remove(self) -> None:
        record = self._record()
        if record is not None and self._hook in record.hooks:
            record.hooks.remove(self._hook)
            if not record.hooks:
                _hooked.discard(record)


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
    if not isinstance(node, Value):
        raise TypeError(f"register_hook needs a Value, got {type(node).__name__}")
    if not callable(hook):
        raise TypeError(f"register_hook needs a callable, got {type(hook).__name__}")
    record = extras(node)
    record.hooks.append(hook)
    _hooked.add(record)
    return RemovableHandle(record, hook)


def any_hooks() -> bool:
    """Whether any living node has a hook (backward takes its plain loop when none has)."""
    return bool(_hooked)


def hooks_of(node: Value) -> list[Hook]:
    """The hooks registered on ``node``, in order."""
    noted = extras_of(node)
    return noted.hooks if noted is not None else []


def run_hooks(node: Value, grad_before_pass: float | Value) -> None:
    """Apply ``node``'s hooks to the gradient this pass gave it (inner nodes start at 0)."""
    this_pass = node.grad - grad_before_pass
    for hook in list(hooks_of(node)):
        replaced = hook(this_pass)
        if replaced is not None:
            this_pass = replaced if isinstance(replaced, Value) else hook_result(hook, node, replaced)
    node.grad = grad_before_pass + this_pass
