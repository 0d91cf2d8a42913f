"""Copying and pickling a ``Value``: what ``copy.copy``, ``copy.deepcopy`` and ``pickle`` do with
a node (``Value``'s ``__copy__``, ``__deepcopy__`` and ``__reduce_ex__`` call these).

- ``copy.copy(v)``: a new node with the same data, grad, label and parents (no hooks);
- ``copy.deepcopy(v)``: the whole graph below ``v`` copied, each node once;
- ``pickle``: leaves only (a model's parameters); a graph is refused with what to do instead.

>>> import copy, pickle
>>> from autograd import Value
>>> x = Value(2.0, label="x"); y = x * x
>>> twin = copy.deepcopy(y); twin.backward(); twin.parents[0].grad, x.grad
(4.0, 0.0)
>>> pickle.loads(pickle.dumps(x))
Value(data=2.0, grad=0.0, label='x')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .checks import described
from .value import Value, stamp_of

# The slots that hold a node's own state rather than its edges: set on the twin, never mapped.
_OWN = {"grad", "_stamp"}


def shallow_copy(node: Value) -> Value:
    """``copy.copy(node)``: the same parents, so the copy backpropagates into the same leaves."""
    return _twin(node, lambda parent: parent, node.grad)


def deep_copy(node: Value, memo: dict[int, Any]) -> Value:
    """A copy of the whole graph below ``node``, made in forward order (no recursion, so a chain of
    any depth copies). Nodes already copied in the same ``deepcopy`` are reused; hooks stay with
    the original nodes."""
    import copy

    from .backward import topological_order

    for original in reversed(topological_order(node)):
        if id(original) not in memo:
            grad = copy.deepcopy(original.grad, memo)
            memo[id(original)] = _twin(original, lambda parent: memo[id(parent)], grad)
    return memo[id(node)]


def reduced(node: Value) -> tuple[Any, ...]:
    """What ``pickle`` stores for ``node``: a leaf's data, grad and label; a graph is refused."""
    if not node.is_leaf:
        raise TypeError(
            f"cannot pickle {described(node)}, made by {node.op.name if node.op else 'an op'}: a graph "
            "is not pickled; pickle the leaves (a model's parameters) or v.detach(), or copy.deepcopy it"
        )
    return _leaf, (node._data, node.grad, node.label)


def _leaf(data: float, grad: float | Value, label: str) -> Value:
    leaf = Value(data, label)
    leaf.grad = grad
    return leaf


def _twin(node: Value, parent: Callable[[Value], Value], grad: float | Value) -> Value:
    """A new node like ``node`` (no hooks), each Value it holds mapped by ``parent``. It needs no
    knowledge of the layout (``value.py``'s): every Value a node's slots hold, alone or in its
    edges tuple, is a parent."""
    twin = object.__new__(Value)
    for slot in Value.__slots__:
        if slot in _OWN or not hasattr(node, slot):
            continue
        held = getattr(node, slot)
        if type(held) is Value:
            held = parent(held)
        elif type(held) is tuple:
            held = tuple(parent(x) if type(x) is Value else x for x in held)
        setattr(twin, slot, held)
    twin.grad, twin._stamp = grad, stamp_of(node)  # checked as the original is (backward.py)
    if node.label:
        twin.label = node.label
    return twin
