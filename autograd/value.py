"""``Value``: one float in a computation graph, with the gradient that backward() gives it.

Each operation on Values makes a new node that records, during the forward pass, its parents and
the local derivative d(node)/d(parent) for each of them, as plain floats (rules in ``ops.py``).
Nothing else is kept: no closure per node, so a node holds no reference cycle and a dropped graph
is freed at once by reference counting.

This module is also the one that knows how a node stores its edges (``parents_of``,
``locals_of``, ``inputs_of``, ``chain_rule``; everyone else asks these) and the per-thread modes
that decide what building a node records (``no_grad``, ``on_new_node``).

>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = (a * b + 10).tanh()
>>> e.backward()
>>> round(a.grad, 6), round(b.grad, 6)
(-0.004023, 0.002682)
"""

from __future__ import annotations

import copy
import enum
import linecache
import math
import numbers
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final

from .ops import OPS, Op, derivative_code, forward_code, partners, shown

if TYPE_CHECKING:
    from .hooks import RemovableHandle

_INF = math.inf


class Value:
    """A scalar node: ``data`` (float), ``grad`` (float, starts 0.0) and an optional ``label``.

    Works with plain numbers on either side of ``+ - * / **``, unary ``-`` and ``abs()``, and has
    ``exp log sqrt tanh sigmoid relu leaky_relu softplus``. ``==`` and ``hash`` are identity-based
    (two nodes with equal data stay two nodes); ``<``, ``<=``, ``>``, ``>=`` and ``float()`` use
    the data and build nothing. ``data`` only takes finite real numbers (stored as float), and
    ``label`` only a str. ``grad`` is a float, or a Value after ``backward(create_graph=True)``.

    >>> x = Value(3.0, label="x")
    >>> y = 2 ** x - 1 / x
    >>> y.backward()
    >>> round(y.data, 4), round(x.grad, 4)
    (7.6667, 5.6563)
    """

    # The node layout, read and written only in this module. `op` is the row of ops.OPS that made
    # the node (None for a leaf). `_p0`/`_l0` are the first parent and d(self)/d(parent); `_p1`/
    # `_l1` the second. With one parent `_p1` is None and `_l1` holds the op's plain-number input
    # if it has one (x * 3 keeps the 3). A leaf has `_p0 = None`. A weighted_sum node has
    # `_p0 = MANY` and its interleaved (parent, local, ...) tuple in `_l0`. One object per node,
    # 120 bytes for a binary node. `_label` is the label, or an `_Extras` record (label, hooks,
    # where it was built) on the rare node that has them, so they cost other nodes nothing.
    __slots__ = ("_data", "grad", "_label", "op", "_p0", "_l0", "_p1", "_l1")
    _p0: Value | _Many | None
    _l0: Any  # a float, or a MANY node's edges tuple
    _p1: Value | None
    _l1: float

    def __init__(self, data: float, label: str = "") -> None:
        self._data = as_finite_float(data, "Value()")
        self.grad: float | Value = 0.0
        self._label: str | _Extras = _checked_label(label)
        self.op: Op | None = None
        self._p0: Any = None
        if not _plain:  # some thread is inside a mode: tell its on_new_node watchers
            for callback in _on_new.get():
                callback(self)

    @property
    def data(self) -> float:
        """The number this node holds (what the op computed, or what a leaf was given)."""
        if not _plain:
            _read(self, "data", None, self._data)
        return self._data

    @data.setter
    def data(self, number: float) -> None:
        if type(number) is float and -_INF < number < _INF:  # every optimiser step: no message built
            self._data = number
        else:
            self._data = as_finite_float(number, f".data of {_describe(self)}")

    @property
    def label(self) -> str:
        """A name for drawings and messages ('' if none)."""
        label = self._label
        return label if isinstance(label, str) else label.text

    @label.setter
    def label(self, text: str) -> None:
        label = self._label
        if type(label) is _Extras:
            label.text = _checked_label(text)
        else:
            self._label = _checked_label(text)

    # -- what the graph records --------------------------------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in order (a + a lists ``a`` twice)."""
        return parents_of(self)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, recorded in the forward pass."""
        return locals_of(self)

    @property
    def is_leaf(self) -> bool:
        """True for a node made by ``Value(...)`` (or under ``no_grad``): nothing feeds it."""
        return self._p0 is None

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name: the set of parents (order lost; use ``parents`` for the tuple)."""
        return set(parents_of(self))

    @property
    def _op(self) -> str:
        """micrograd's name: the op's symbol, '' for a leaf (``**2`` for a number exponent)."""
        op = self.op
        if op is None:
            return ""
        if op.name == "pow" and self._p1 is None and not op.constant_first:
            return f"**{self._l1:g}"
        return op.symbol

    def _backward(self) -> None:
        """One chain-rule step, as micrograd's lecture calls it by hand: self's parents receive
        ``local derivative * self.grad``."""
        chain_rule((self,))

    def backward(self, gradient: float = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this node: seed its grad and accumulate into every node's grad.

        Leaves accumulate (call ``zero_grad`` between steps); inner nodes are reset first, so a
        second call adds exactly one more gradient to each leaf. The local derivatives are the
        ones recorded in the forward pass, even if a ``.data`` has changed since.

        >>> x = Value(3.0); y = x * x; y.backward(); x.grad
        6.0
        """
        from .backward import backward

        backward(self, gradient, create_graph=create_graph)

    def register_hook(self, hook: Callable[[Any], Any]) -> RemovableHandle:
        """Call ``hook(grad)`` whenever a backward pass completes this node's gradient; a
        returned number replaces it. Returns a handle with ``.remove()``. The hook lives as
        long as the node does.

        >>> x = Value(1.0); h = x.register_hook(print); (x * 3).backward()
        3.0
        """
        from .hooks import register_hook

        return register_hook(self, hook)

    def tree(self, max_nodes: int = 200) -> str:
        """The graph below this node as indented text, for a terminal (``autograd.text.tree``).

        >>> x = Value(2.0, label="x"); print((x * x).tree())
        n1 (*) = x * x   data 4  grad 0
        ├─ x   data 2  grad 0   local 2
        └─ x   ↑ see above   local 2
        """
        from .text import tree

        return tree(self, max_nodes)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut from this node's history."""
        leaf = Value(self._data, self.label)
        if not _plain:  # a recording tape recomputes the copy on every replay (note_no_gradient)
            note_no_gradient(leaf, None, (self,))
        return leaf

    # -- arithmetic: each operator picks a row of the table --------------------------------

    # + - * / ** (with a Value or a plain number on either side), unary - and abs() are the
    # table's rows made into functions below the class: Value.__add__ is _ADD, and so on. What
    # they take and give, for type checkers:
    if TYPE_CHECKING:

        def __add__(self, other: Value | float) -> Value: ...
        def __radd__(self, other: float) -> Value: ...
        def __sub__(self, other: Value | float) -> Value: ...
        def __rsub__(self, other: float) -> Value: ...
        def __mul__(self, other: Value | float) -> Value: ...
        def __rmul__(self, other: float) -> Value: ...
        def __truediv__(self, other: Value | float) -> Value: ...
        def __rtruediv__(self, other: float) -> Value: ...
        def __pow__(self, other: Value | float) -> Value: ...
        def __rpow__(self, other: float) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...

    def exp(self) -> Value:
        """e ** self. ``Value(1.0).exp().data == math.e``."""
        return _EXP(self)

    def log(self) -> Value:
        """Natural logarithm; raises ``ValueError`` for data <= 0. ``Value(1.0).log().data == 0.0``."""
        return _LOG(self)

    def sqrt(self) -> Value:
        """Square root; raises ``ValueError`` for data < 0. ``Value(4.0).sqrt().data == 2.0``."""
        return _SQRT(self)

    def tanh(self) -> Value:
        """Hyperbolic tangent (stable for any input). ``Value(0.0).tanh().data == 0.0``."""
        return _TANH(self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed without overflow. ``Value(0.0).sigmoid().data == 0.5``."""
        return _SIGMOID(self)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is 0. ``Value(-2.0).relu().data == 0.0``."""
        return _RELU(self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x (slope a number). ``Value(-2.0).leaky_relu(0.1).data == -0.2``."""
        if type(slope) is not float and _number(slope, "leaky_relu") is None:
            raise TypeError(f"leaky_relu: slope must be a number, got {type(slope).__name__}")
        return _LEAKY_RELU(self, slope)

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow. ``round(Value(0.0).softplus().data, 4) == 0.6931``."""
        return _SOFTPLUS(self)

    @staticmethod
    def weighted_sum(
        weights: Iterable[Value | float], inputs: Iterable[Value | float], bias: Value | float | None = None
    ) -> Value:
        """``w0*x0 + w1*x1 + ... + bias`` as one node with all of them as parents.

        The same numbers as building it op by op, with one node instead of 2n: the fast path
        for a neuron. Plain-number weights, inputs and bias become leaves.

        >>> w = [Value(2.0), Value(-1.0)]; b = Value(0.5)
        >>> s = Value.weighted_sum(w, [3.0, 4.0], b); s.backward()
        >>> s.data, w[0].grad, b.grad
        (2.5, 3.0, 1.0)
        """
        weights, inputs = _listed(weights, "weights"), _listed(inputs, "inputs")
        if len(weights) != len(inputs):
            raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
        parents: list[Any] = [None] * (2 * len(weights))  # interleaved by slicing: a neuron per call
        parents[0::2] = weights
        parents[1::2] = inputs
        if bias is not None:
            parents.append(bias)
        if set(map(type, parents)) != {Value}:  # some plain numbers: each becomes a leaf
            roles = ["weight", "input"] * len(weights) + ["bias"]
            parents = [p if type(p) is Value else _as_leaf(p, role) for p, role in zip(parents, roles)]
        return _weighted_sum(parents)

    # -- comparisons and conversions use the data and build no node ------------------------

    def __float__(self) -> float:
        if not _plain:
            _read(self, "float", None, self._data)
        return self._data

    def __lt__(self, other: Value | float) -> bool:
        result = self._data < _compared(other)
        if not _plain:
            _read(self, "<", other, result)
        return result

    def __le__(self, other: Value | float) -> bool:
        result = self._data <= _compared(other)
        if not _plain:
            _read(self, "<=", other, result)
        return result

    def __gt__(self, other: Value | float) -> bool:
        result = self._data > _compared(other)
        if not _plain:
            _read(self, ">", other, result)
        return result

    def __ge__(self, other: Value | float) -> bool:
        result = self._data >= _compared(other)
        if not _plain:
            _read(self, ">=", other, result)
        return result

    __hash__ = object.__hash__  # identity, as in micrograd: equal data never merges two nodes

    def __format__(self, spec: str) -> str:
        return format(self._data, spec) if spec else repr(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{label})"

    # -- copies ----------------------------------------------------------------------------------

    def __copy__(self) -> Value:
        return _twin(self, lambda parent: parent, self.grad)

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """A copy of the whole graph below this node, made in forward order (no recursion, so a
        chain of any depth copies). Nodes already copied in the same ``deepcopy`` are reused;
        hooks stay with the original nodes."""
        from .backward import topological_order

        for node in reversed(topological_order(self)):
            if id(node) not in memo:
                memo[id(node)] = _twin(node, lambda parent: memo[id(parent)], copy.deepcopy(node.grad, memo))
        return memo[id(self)]

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        if self._p0 is not None:
            raise TypeError(
                f"cannot pickle {_describe(self)}, made by {self.op.name if self.op else 'an op'}: a graph "
                "is not pickled; pickle the leaves (a model's parameters) or v.detach(), or copy.deepcopy it"
            )
        return _leaf, (self._data, self.grad, self.label)


def _leaf(data: float, grad: float | Value, label: str) -> Value:
    leaf = Value(data, label)
    leaf.grad = grad
    return leaf


def _twin(node: Value, parent: Callable[[Value], Value], grad: float | Value) -> Value:
    """A new node like ``node`` (no hooks), its parents mapped by ``parent``."""
    twin = _new(Value)
    twin._data, twin.grad, twin._label, twin.op = node._data, grad, node.label, node.op
    first = node._p0
    if first is None:
        twin._p0 = None
    elif first is MANY:
        twin._p0 = MANY
        twin._l0 = tuple(parent(x) if type(x) is Value else x for x in node._l0)
    else:
        second = node._p1
        twin._p0, twin._l0, twin._l1 = parent(first), node._l0, node._l1
        twin._p1 = None if second is None else parent(second)
    return twin


_DOT = OPS["dot"]
_new = object.__new__


class _Many(enum.Enum):
    """`_p0` of a node with any number of parents: an enum member, so copies keep the one object."""

    MANY = "MANY"


MANY: Final = _Many.MANY


# -- reading the layout: every other module asks these -------------------------------------------


def parents_of(node: Value) -> tuple[Value, ...]:
    """``node.parents``, read straight from the slots: the topological sort calls it per node.

    >>> a = Value(1.0); parents_of(a * a) == (a, a), parents_of(a * 3) == (a,), parents_of(a)
    (True, True, ())
    """
    first = node._p0
    if first is None or first is MANY:
        return node._l0[::2] if first is MANY else ()
    second = node._p1
    return (first,) if second is None else (first, second)


def locals_of(node: Value) -> tuple[float, ...]:
    """d(node)/d(parent) for each parent, as recorded in the forward pass."""
    first = node._p0
    if first is None or first is MANY:
        return node._l0[1::2] if first is MANY else ()
    return (node._l0,) if node._p1 is None else (node._l0, node._l1)


def inputs_of(node: Value) -> tuple[Value | float, ...]:
    """The inputs of ``node.op`` in the row's order: the parents, and the plain number where the
    op had one (``x * 3`` gives ``(x, 3.0)``, ``2 - x`` gives ``(2.0, x)``); () for a leaf.

    >>> x = Value(5.0); inputs_of(x * 3) == (x, 3.0), inputs_of(2 - x) == (2.0, x)
    (True, True)
    """
    op, first = node.op, node._p0
    if op is None or first is None or first is MANY or node._p1 is not None or len(op.inputs) == 1:
        return parents_of(node)
    return (node._l1, first) if op.constant_first else (first, node._l1)


def data_of(nodes: Iterable[Value]) -> list[float]:
    """Each node's number, read straight from the slots (and watched by no ``on_read``): what a
    replayed tape reads from the leaves it captured, on every call.

    >>> data_of([Value(1.0), Value(2.5)])
    [1.0, 2.5]
    """
    return [node._data for node in nodes]


def quiet() -> bool:
    """Whether this thread is in no mode that changes how nodes are built, read or backpropagated
    (``no_grad``, ``on_new_node``, ``on_read``; backward's watchers are asked in backward.py):
    only then may a replayed tape stand in for the eager engine."""
    return _plain or (
        _recording.get() and not _on_new.get() and _on_read.get() is None and _on_no_gradient.get() is None
    )


def chain_rule(order: Iterable[Value]) -> None:
    """For each node in ``order``: ``parent.grad += local * node.grad`` along each of its edges.

    The first-order backward pass once the order is known (``backward()``), and micrograd's
    ``_backward()`` for one node. Its gradients are bit-for-bit those of backward's general loop
    (hooks, create_graph, recording steps), signed zeros included; a test checks it.
    """
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


def local_value_grads(node: Value) -> tuple[float | Value, ...]:
    """d(node)/d(parent) for each parent, from the op's rule run on Values (for create_graph).

    >>> x = Value(0.5); y = x * x
    >>> [g.data if isinstance(g, Value) else g for g in local_value_grads(y)]
    [0.5, 0.5]
    """
    op = node.op
    if op is None:
        return ()
    inputs = inputs_of(node)  # the plain numbers among them get no derivative
    return tuple(op.derivatives[i](node, *inputs) for i, x in enumerate(inputs) if type(x) is Value)


# -- hooks (and where a node was built) live in the node ------------------------------------------


class _Extras:
    """What a node with hooks, or with a note of where it was built, keeps in its `_label` slot."""

    __slots__ = ("text", "hooks", "built_at", "__weakref__")

    def __init__(self, text: str) -> None:
        self.text = text
        self.hooks: list[Callable[[Any], Any]] = []
        self.built_at: str | None = None


_hooked: weakref.WeakSet[_Extras] = weakref.WeakSet()  # records with hooks, while their node lives


def _extras(node: Value) -> _Extras:
    label = node._label
    if not isinstance(label, _Extras):
        label = node._label = _Extras(label)
    return label


def hooks_of(node: Value) -> list[Callable[[Any], Any]]:
    """The hooks registered on ``node``, in order (the list itself: add with ``add_hook``)."""
    label = node._label
    return label.hooks if type(label) is _Extras else []


def add_hook(node: Value, hook: Callable[[Any], Any]) -> Callable[[], None]:
    """Keep ``hook`` in ``node``; returns a function that removes it again (a no-op once the
    node is gone)."""
    extras = _extras(node)
    extras.hooks.append(hook)
    _hooked.add(extras)
    record = weakref.ref(extras)

    def remove() -> None:
        alive = record()
        if alive is not None and hook in alive.hooks:
            alive.hooks.remove(hook)
            if not alive.hooks:
                _hooked.discard(alive)

    return remove


def any_hooks() -> bool:
    """Whether any living node has a hook (backward takes its plain loop when none has)."""
    return bool(_hooked)


def built_at(node: Value) -> str | None:
    """Where ``node`` was built, if a tool noted it (``detect_anomaly`` does)."""
    label = node._label
    return label.built_at if type(label) is _Extras else None


def note_built_at(node: Value, where: str) -> None:
    _extras(node).built_at = where


# -- modes: what building a node records, per thread (and per asyncio task) -----------------------

_recording: ContextVar[bool] = ContextVar("recording", default=True)  # no_grad() sets False
_on_new: ContextVar[tuple[Callable[[Value], None], ...]] = ContextVar("on_new_node", default=())
Reader = Callable[[Value, str, object, object], None]
_on_read: ContextVar[Reader | None] = ContextVar("on_read", default=None)
_open = 0  # mode blocks open in all threads together
_plain = True  # _open == 0: building a node need not look at the modes
_open_lock = threading.Lock()


@contextmanager
def _mode(var: ContextVar[Any], value: Any) -> Iterator[None]:
    """``var`` is ``value`` inside the block, for this thread only. The block is counted, so that
    while no thread is in any mode, building a node skips looking them up."""
    global _open, _plain
    with _open_lock:
        _open += 1
        _plain = False
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)
        with _open_lock:
            _open -= 1
            _plain = _open == 0


def no_grad() -> AbstractContextManager[None]:
    """Build no graph inside the block, in this thread: results are leaves (for updates and
    inference). Other threads keep recording, as in PyTorch. Also a decorator.

    >>> w = Value(1.0)
    >>> with no_grad():
    ...     w2 = w - 0.1 * 2.0
    >>> w2.is_leaf, w2.data
    (True, 0.8)
    """
    return _mode(_recording, False)


def on_new_node(callback: Callable[[Value], None]) -> AbstractContextManager[None]:
    """Call ``callback(node)`` for every node this thread builds inside the block, leaves
    included (after any callback of an enclosing block). ``detect_anomaly`` uses it to note where
    nodes are built, ``trace`` to tell the leaves a function makes from those it captures.

    >>> built = []
    >>> with on_new_node(built.append):
    ...     x = Value(2.0); y = x * 3
    >>> built == [x, y]
    True
    """
    return _mode(_on_new, (*_on_new.get(), callback))


def on_read(callback: Reader) -> AbstractContextManager[None]:
    """Call ``callback(node, how, other, result)`` whenever this thread reads a Value's number into
    Python inside the block: a comparison (``how`` is "<", "<=", ">", ">=", ``other`` what it was
    compared with), ``float(v)`` ("float") or ``v.data`` ("data"). ``trace`` records these as
    guards: a traced function that branched on a number must be traced again when it changes.

    >>> seen = []
    >>> with on_read(lambda node, how, other, result: seen.append((how, result))):
    ...     x = Value(2.0); x > 1, float(x)
    (True, 2.0)
    >>> seen
    [('>', True), ('float', 2.0)]
    """
    return _mode(_on_read, callback)


def _read(node: Value, how: str, other: object, result: object) -> None:
    callback = _on_read.get()
    if callback is not None:
        callback(node, how, other, result)


# A hook for trace(): a node that carries no gradient may still be computed from other nodes (built
# under no_grad, a detach()ed copy, a number a library computes for its own sake with
# functional.stop_gradient). A tape must recompute it on every replay, not freeze its number, so
# the recording thread is told how it was made: ``callback(node, rule, sources)``, ``rule`` the
# op (no_grad; ``sources`` its inputs, as ``inputs_of``), None (detach: the one source's number)
# or a function of the sources' numbers.
NoGradient = Callable[[Value, Any, tuple[Any, ...]], None]
_on_no_gradient: ContextVar[NoGradient | None] = ContextVar("on_no_gradient", default=None)


def on_no_gradient(callback: NoGradient) -> AbstractContextManager[None]:
    """Call ``callback(node, rule, sources)`` for every node this thread makes that carries no
    gradient but is computed from ``sources`` (see ``note_no_gradient``): ``trace`` records it.

    >>> seen = []
    >>> with on_no_gradient(lambda node, rule, sources: seen.append(rule)):
    ...     x = Value(2.0); y = x.detach()
    ...     with no_grad():
    ...         z = x * 3
    >>> seen[0] is None, seen[1].name
    (True, 'mul')
    """
    return _mode(_on_no_gradient, callback)


def note_no_gradient(node: Value, rule: Any, sources: tuple[Any, ...]) -> None:
    """Tell this thread's ``on_no_gradient`` watcher, if any, how ``node`` got its number."""
    if not _plain:
        callback = _on_no_gradient.get()
        if callback is not None:
            callback(node, rule, sources)


# -- building nodes ------------------------------------------------------------------------------


def _apply_modes(node: Value) -> None:
    if not _recording.get():  # no_grad: the node becomes a leaf and keeps no edges
        note_no_gradient(node, node.op, inputs_of(node))  # before they go: a tape recomputes it
        node.op = node._p0 = node._p1 = node._l0 = None
    for callback in _on_new.get():
        callback(node)


# Each row becomes, once, at import, the function its operator or method calls, generated from the
# row: where the table writes a rule as an expression (ops.forward_code, ops.derivative_code) it is
# written into the function, so building a node takes one Python frame instead of five (the
# operator, a maker, the forward rule, each derivative rule, the node). The expressions are the
# table's own text; nothing here restates a rule.

_NODE = """\
{indent}try:
{indent}    o = {forward}
{indent}    local0 = {local0}
{indent}except (ArithmeticError, ValueError) as error:
{indent}    raise _naming(error, op, ({inputs},)) from None
{indent}if o - o != 0.0:  # inf - inf and nan - nan are nan: the result is not finite
{indent}    raise _not_finite(op, o, ({inputs},))
{indent}node = _new(Value)
{indent}node._data = o
{indent}node.grad = 0.0
{indent}node._label = ""
{indent}node.op = op
{indent}node._p0 = {p0}
{indent}node._l0 = local0
{indent}node._p1 = {p1}
{indent}node._l1 = {l1}
{indent}if not _plain:  # some thread is inside a mode: is this one?
{indent}    _apply_modes(node)
{indent}return node
"""


def _rule(op: Op, code: str, function: str, names: tuple[str, ...]) -> str:
    """A rule as text: the table's expression, or a call of the row's function."""
    return code or f"{function}({', '.join(names)})"


def _node_text(op: Op, parents: tuple[str, ...], number: str | None, indent: str) -> str:
    """The lines that make a node of ``op`` from the Values named ``parents`` (and a plain number
    named ``number``), each input's data first put in a variable named after the row's input."""
    inputs = op.inputs
    values = (
        list(parents)
        if number is None
        else ([number, parents[0]] if op.constant_first else [parents[0], number])
    )
    datas = "; ".join(
        f"{name} = {value if value == number else value + '._data'}" for name, value in zip(inputs, values)
    )
    position = [i for i, v in enumerate(values) if v != number]  # the parents' inputs
    local = [_rule(op, derivative_code(op, i, len(inputs)), f"d{i}", ("o", *inputs)) for i in position]
    body = _NODE.format(
        indent=indent,
        forward=_rule(op, forward_code(op), "f", inputs),
        local0=local[0] if len(local) == 1 else f"{local[0]}\n{indent}    local1 = {local[1]}",
        inputs=", ".join(values),
        p0=parents[0],
        p1=parents[1] if len(parents) > 1 else "None",
        l1="local1" if len(parents) > 1 else (number or "0.0"),
    )
    return f"{indent}{datas}\n{body}"


def _maker(op: Op, kind: str) -> Callable[..., Any]:
    """The function that makes a node of ``op``, generated from its row. ``kind``: "unary"
    ``(x)``; "number" ``(x, c)``, c a plain number kept in the node (``x * 3``, or ``3 - x`` for a
    row with ``constant_first``); "operator" ``(self, other)``, a Value or a number as ``other``, in
    one function (``Value.__mul__``); "many" ``(parents)``, any number of inputs (weighted_sum).

    >>> make_tanh = _maker(OPS["tanh"], "unary")
    >>> make_tanh(Value(0.5)).data == math.tanh(0.5)
    True
    """
    number = """\
{indent}c = other if type(other) is float else _number(other, op.name)
{indent}if c is None:
{indent}    return NotImplemented  # Python then raises TypeError naming both types
"""
    if kind == "unary":
        lines = ["def make(self):", _node_text(op, ("self",), None, "    ")]
    elif kind == "number":
        lines = [
            "def make(self, other):",
            number.format(indent="    "),
            _node_text(op, ("self",), "c", "    "),
        ]
    elif kind == "many":  # the parents come as one list; the edges are one tuple (see Value)
        lines = [
            "def make(parents):",
            "    datas = [p._data for p in parents]",
            _NODE.format(
                indent="    ", forward="f(*datas)", local0="_edges(parents, datas)",
                inputs="*parents", p0="MANY", p1="None", l1="0.0",
            ),
        ]  # fmt: skip
    else:
        lines = [
            "def make(self, other):",
            "    if type(other) is Value:",
            _node_text(op, ("self", "other"), None, "        "),
            number.format(indent="    "),
            _node_text(op._replace(constant_first=False), ("self",), "c", "    "),
        ]
    source = "\n".join(lines)
    forward = op.forward
    derivatives = [] if kind == "many" else list(op.derivatives)  # type: ignore[call-overload]
    scope: dict[str, Any] = {"op": op, "f": forward, **{f"d{i}": d for i, d in enumerate(derivatives)}}
    namespace: dict[str, Any] = {}
    factory = f"def factory({', '.join(scope)}):\n{_indented(source)}\n    return make"
    # Named as a file in this package, so that anomaly reports skip it as the engine's own frame,
    # and kept in linecache, so that a traceback through it shows the generated line.
    which = f"{kind}{', number first' if op.constant_first else ''}"
    filename = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"<node-maker {op.name}, {which}>")
    linecache.cache[filename] = (len(factory), None, factory.splitlines(keepends=True), filename)
    exec(compile(factory, filename, "exec"), globals(), namespace)  # noqa: S102
    made: Callable[..., Any] = namespace["factory"](**scope)
    made.__name__ = made.__qualname__ = f"make_{op.name}"
    return made


def _indented(source: str) -> str:
    return "\n".join("    " + line if line else line for line in source.splitlines())


def _not_finite(op: Op, data: float, inputs: Iterable[Value | float]) -> Exception:
    inputs = list(inputs)
    message = f"{op.name}: the result {data!r} is not a finite number (inputs: {shown(inputs)})"
    return _naming(OverflowError(message), op, inputs)


_ADD, _SUB, _MUL, _DIV, _POW = (_maker(OPS[n], "operator") for n in ("add", "sub", "mul", "div", "pow"))
_LEAKY_RELU = _maker(OPS["leaky_relu"], "number")
_NUMBER_SUB, _NUMBER_DIV, _NUMBER_POW = (
    _maker(OPS[n]._replace(constant_first=True), "number") for n in ("sub", "div", "pow")
)
_NEG, _ABS, _EXP, _LOG, _SQRT, _TANH, _SIGMOID, _RELU, _SOFTPLUS = (
    _maker(OPS[n], "unary")
    for n in ("neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus")
)


# The operators are the generated node-makers themselves: no Python frame between `a * b` and the
# node. `x + 3` and `3 + x` are the same node (addition and multiplication commute exactly).
Value.__add__ = Value.__radd__ = _ADD  # type: ignore[method-assign]
Value.__sub__, Value.__rsub__ = _SUB, _NUMBER_SUB  # type: ignore[method-assign]
Value.__mul__ = Value.__rmul__ = _MUL  # type: ignore[method-assign]
Value.__truediv__, Value.__rtruediv__ = _DIV, _NUMBER_DIV  # type: ignore[method-assign]
Value.__pow__, Value.__rpow__ = _POW, _NUMBER_POW  # type: ignore[method-assign]
Value.__neg__, Value.__abs__ = _NEG, _ABS  # type: ignore[method-assign]


def _edges(parents: list[Value], datas: list[float]) -> tuple[Any, ...]:
    """A weighted sum's edges: (parent, local derivative, ...), interleaved in one tuple."""
    edges: list[Any] = [None] * (2 * len(parents))
    edges[0::2] = parents
    edges[1::2] = partners(datas)
    return tuple(edges)


_weighted_sum = _maker(_DOT, "many")


def _naming(error: Exception, op: Op, inputs: Iterable[Value | float]) -> Exception:
    """The same kind of error, naming the op and its inputs if Python's message did not, and the
    labels of the input nodes that have one."""
    message = str(error)
    inputs = list(inputs)
    if not message.startswith(op.name):  # Python's own words, e.g. "math range error"
        message = f"{op.name}({shown([float(x) for x in inputs])}): {message}"
    labels = [v.label for v in inputs if type(v) is Value and v.label]
    if labels:
        message += f" [input node {shown(labels)}]"
    return type(error)(message)


# -- checking what comes in ----------------------------------------------------------------------


def _describe(node: Value) -> str:
    return f"Value {node.label!r}" if node.label else "a Value"


def _number(x: object, where: str) -> float | None:
    """x as a float if it is a real number (bool excluded: True * v is almost always a bug)."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, (int, numbers.Real)):  # int first: it is quick
        return None
    try:
        return float(x)
    except OverflowError:
        # str() of an int over 4300 digits is itself an error (about 14,000 bits)
        big = isinstance(x, int) and x.bit_length() < 14_000
        size = f"an int of {len(str(x))} digits" if big else type(x).__name__
        message = f"{where}: {size} is too large for a float (the largest is about 1.8e308)"
        raise OverflowError(message) from None


def as_finite_float(data: object, where: str) -> float:
    """``data`` as a finite float, or an error saying what ``where`` takes instead: ``TypeError``
    for a non-number (bool, str, Value, array, ...), ``OverflowError`` for an int too large for a
    float, ``ValueError`` for nan and infinities.

    >>> as_finite_float(3, "Value()")
    3.0
    >>> as_finite_float(10**400, "Value()")
    Traceback (most recent call last):
    ...
    OverflowError: Value(): an int of 401 digits is too large for a float (the largest is about 1.8e308)
    """
    if type(data) is float and -_INF < data < _INF:
        return data
    if isinstance(data, Value):
        raise TypeError(
            f"{where} takes a number, got a Value; use the Value itself, its .data, or .detach() "
            "(a gradient after create_graph=True is a Value)"
        )
    number = _number(data, where)
    if number is None:
        text = repr(data)
        text = text if len(text) <= 60 else text[:57] + "..."
        raise TypeError(f"{where} takes a real number (int or float), got {type(data).__name__}: {text}")
    if not -_INF < number < _INF:
        raise ValueError(f"{where} takes a finite number, got {number!r}")
    return number


def _checked_label(label: object) -> str:
    if not isinstance(label, str):
        raise TypeError(f"a Value's label must be a str, got {type(label).__name__}: {label!r:.60}")
    return label


def _listed(items: Iterable[Any], role: str) -> list[Any]:
    try:
        return list(items)
    except TypeError:
        kind = type(items).__name__
        raise TypeError(f"weighted_sum: {role} must be a list of Values or numbers, got {kind}") from None


def _as_leaf(x: object, role: str) -> Value:
    number = _number(x, "weighted_sum")
    if number is None:
        raise TypeError(f"weighted_sum: each {role} must be a Value or a number, got {type(x).__name__}")
    return Value(number)


def _compared(other: object) -> Any:
    if type(other) is Value:
        return other._data
    if type(other) is bool or not isinstance(other, numbers.Real):
        raise TypeError(f"cannot compare a Value with {type(other).__name__}: {other!r:.60}")
    return other  # compared as it is: a huge int compares exactly instead of overflowing
