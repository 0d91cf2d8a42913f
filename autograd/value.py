"""``Value``: one float in a computation graph, with the gradient that backward() gives it.

Each operation on Values makes a new node that records, during the forward pass, its parents and
the local derivative d(node)/d(parent) for each of them, as plain floats (rules in ``ops.py``).
Nothing else is kept: no closure per node, so a node holds no reference cycle and a dropped graph
is freed at once by reference counting.

What runs for ``a * b``: ``Value.__mul__``, the function ``make`` in ``_operator`` made with the
``mul`` row: it runs the row's forward rule and its two derivative rules on the floats and
stores the results in a new node. For its backward: ``backward.backward`` orders the graph and
calls each node's ``_backward()``, which adds ``local * self.grad`` to each parent's grad.

This module is the one that knows how a node stores its edges (``parents_of``, ``locals_of``,
``inputs_of``, ``_backward``; everyone else asks these).

Changed data: setting a ``.data`` to another number moves a clock (``writes``), and each node
remembers the clock when it was made. A node made since the last change was computed from the
data there are now; backward checks the others (``made_before``, then
``create_graph.check_unchanged``): their recorded derivatives must still be the ones their data
give, or it refuses to run, as PyTorch does.

>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = (a * b + 10).tanh()
>>> e.backward()
>>> round(a.grad, 6), round(b.grad, 6)
(-0.004023, 0.002682)
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from . import checks
from .conveniences import Conveniences, reported
from .modes import MODES, Modes, note_no_gradient
from .ops import OPS, Op, partners

if TYPE_CHECKING:
    from .hooks import RemovableHandle

_INF = math.inf
_new = object.__new__

# How many times a Value's data has been set to another number (the ``data`` setter moves it).
_writes = 0


# -- the rows each operator and method runs (ops.OPS) -------------------------------------------

# 3 - x, 3 / x, 3 ** x: the same rows, the plain number as input 0
_NUMBER_SUB, _NUMBER_DIV, _NUMBER_POW = (OPS[n]._replace(constant_first=True) for n in ("sub", "div", "pow"))


def _operator(op: Op) -> Callable[[Value, Value | float], Value]:
    """The function behind a binary operator: ``Value.__mul__`` is ``_operator(OPS["mul"])``, the
    function ``make`` below with the ``mul`` row's rules, so ``a * b`` is one Python call before
    the row's rules run.

    >>> Value.__mul__(Value(2.0), Value(3.0)).data
    6.0
    """
    forward, derivatives = op.forward, op.derivatives
    d0, d1 = derivatives[0], derivatives[1]
    both = op.partials or (lambda o, x, y: (d0(o, x, y), d1(o, x, y)))
    with_number = _with_number(op)

    def make(a: Value, b: Value | float) -> Value:
        """``a <op> b`` for two Values (``a * b``), or a Value and a plain number (``a * 3``)."""
        if type(b) is not Value:
            return with_number(a, b)
        x, y = a._data, b._data
        modes = MODES.get()
        l0 = l1 = 0.0
        try:
            o = forward(x, y)
            if o - o != 0.0:  # inf - inf and nan - nan are nan: the result is not finite
                raise checks.not_finite(op.name, o, (x, y))
            if modes is None or modes.recording:  # under no_grad no derivative is needed
                l0, l1 = both(o, x, y)
        except (ArithmeticError, ValueError) as error:
            raise checks.named(error, op.name, (a, b)) from None
        if modes is not None:
            return _node(op, o, a, l0, b, l1, modes)
        node = _new(Value)  # _node's work, written out: the most frequent node skips a call
        node._data = o
        node.grad = 0.0
        node._stamp = _writes
        node.op = op
        node._p0 = a
        node._l0 = l0
        node._p1 = b
        node._l1 = l1
        return node

    make.__name__ = make.__qualname__ = f"make_{op.name}"
    return make


def _with_number(op: Op) -> Callable[[Value, object], Value]:
    """The function for ``x <op> number`` (``x * 3``), or ``number <op> x`` for a row with
    ``constant_first`` (``3 - x``): ``Value.__rsub__`` is ``_with_number(_NUMBER_SUB)``. The number
    is kept in the node; only x gets a derivative. (A function made per row, like ``_operator``'s:
    reading the row's rules once instead of at every node makes ``x * 3`` 40% faster.)

    >>> Value.__rsub__(Value(1.0), 3).data
    2.0
    """
    forward, first = op.forward, op.constant_first
    derivative = op.derivatives[1 if first else 0]

    def make(x: Value, number: object) -> Value:
        c = number if type(number) is float else checks.real_number(number, op.name)
        if c is None:
            return NotImplemented  # Python then raises TypeError naming both types
        a, b = (c, x._data) if first else (x._data, c)
        modes = MODES.get()
        local = 0.0
        try:
            o = forward(a, b)
            if o - o != 0.0:
                raise checks.not_finite(op.name, o, (a, b))
            if modes is None or modes.recording:
                local = derivative(o, a, b)
        except (ArithmeticError, ValueError) as error:
            raise checks.named(error, op.name, (c, x) if first else (x, c)) from None
        return _node(op, o, x, local, None, c, modes)

    return make


_leaky_relu = _with_number(OPS["leaky_relu"])  # x.leaky_relu(slope): the slope is the number


class Value(Conveniences):
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

    # Comparisons, float(), printing, micrograd's names (_prev, _op) and copying are inherited
    # from conveniences.py.
    # The node layout, read and written only in this module. `op` is the row of ops.OPS that made
    # the node (None for a leaf). `_p0`/`_l0` are the first parent and d(self)/d(parent); `_p1`/
    # `_l1` the second. With one parent `_p1` is None and `_l1` holds the op's plain-number input
    # if it has one (x * 3 keeps the 3). A leaf has `_p0 = None`. A weighted_sum node has
    # `_p0 = MANY`, its parents in a tuple in `_l0` and their local derivatives in one in `_l1`.
    # `_stamp` is the clock `_writes` when the node was made, or, on the rarer node that has a
    # label, hooks or a note of where it was built, an `Extras` record holding it with them, so
    # they cost other nodes nothing. One object per node, 120 bytes for a binary node.
    __slots__ = ("_data", "grad", "_stamp", "op", "_p0", "_l0", "_p1", "_l1")
    _p0: Value | _Many | None
    _l0: Any  # a float, or a MANY node's parents
    _p1: Value | None
    _l1: Any  # a float, or a MANY node's local derivatives

    def __init__(self, data: float, label: str = "") -> None:
        self._data = checks.as_finite_float(data, "Value()")
        self.grad: float | Value = 0.0
        label = checks.checked_label(label)
        self._stamp: int | Extras = Extras(label, _writes) if label else _writes
        self.op: Op | None = None
        self._p0 = None
        modes = MODES.get()
        if modes is not None:
            for callback in modes.on_new:
                callback(self)

    @property
    def data(self) -> float:
        """The number this node holds (what the op computed, or what a leaf was given). Setting
        another number after nodes were built from it makes backward refuse any of them whose
        recorded derivatives it changes (redo the forward pass); the same number is no change."""
        return reported(self, "data", None, self._data)

    @data.setter
    def data(self, number: float) -> None:
        global _writes
        if type(number) is not float or not -_INF < number < _INF:  # every optimiser step skips this
            number = checks.as_finite_float(number, f".data of {checks.described(self)}")
        before, self._data = self._data, number
        if number != before or math.copysign(1.0, number) != math.copysign(1.0, before):  # -0.0 too
            _writes += 1  # after the write: a node made in between is checked, never trusted

    @property
    def label(self) -> str:
        """A name for drawings and messages ('' if none)."""
        return noted.text if isinstance(noted := self._stamp, Extras) else ""

    @label.setter
    def label(self, text: str) -> None:
        extras(self).text = checks.checked_label(text)

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

    def _backward(self) -> None:
        """One chain-rule step (micrograd's name): each parent's grad += local derivative ×
        self.grad. backward() calls it for every node, the output first.

        >>> x = Value(3.0); y = x * 2; y.grad = 1.0; y._backward(); x.grad
        2.0
        """
        first = self._p0
        if first is None:  # a leaf
            return
        grad = self.grad
        if first is MANY:  # weighted_sum: the parents and their local derivatives
            for parent, local in zip(self._l0, self._l1):
                parent.grad += local * grad
            return
        first.grad += self._l0 * grad
        second = self._p1
        if second is not None:
            second.grad += self._l1 * grad

    def backward(self, gradient: float = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this node: seed its grad and accumulate into every node's grad.

        Leaves accumulate (call ``zero_grad`` between steps); inner nodes are reset first, so a
        second call adds exactly one more gradient to each leaf. The local derivatives are the
        ones recorded in the forward pass; if a ``.data`` changed since so that one of them is no
        longer what the data give, it raises ``ValueError``: redo the forward pass.

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

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut from this node's history."""
        leaf = Value(self._data, self.label)
        note_no_gradient(leaf, None, (self,))  # a recording tape recomputes the copy on every replay
        return leaf

    # -- arithmetic: each operator runs one row of the table (ops.OPS) ----------------------

    # a + b, a - b, a * b, a / b, a ** b: the function _operator makes from the row (below)
    __add__ = _operator(OPS["add"])
    __radd__ = __add__  # 3 + x is x + 3: addition commutes exactly

    __sub__ = _operator(OPS["sub"])
    __rsub__ = _with_number(_NUMBER_SUB)  # 3 - x: the sub row, the number as input 0

    __mul__ = _operator(OPS["mul"])
    __rmul__ = __mul__  # 3 * x is x * 3: multiplication commutes exactly

    __truediv__ = _operator(OPS["div"])
    __rtruediv__ = _with_number(_NUMBER_DIV)

    __pow__ = _operator(OPS["pow"])
    __rpow__ = _with_number(_NUMBER_POW)

    def __neg__(self) -> Value:
        return _unary(OPS["neg"], self)

    def __abs__(self) -> Value:
        return _unary(OPS["abs"], self)

    def exp(self) -> Value:
        """e ** self. ``Value(1.0).exp().data == math.e``."""
        return _unary(OPS["exp"], self)

    def log(self) -> Value:
        """Natural logarithm; raises ``ValueError`` for data <= 0. ``Value(1.0).log().data == 0.0``."""
        return _unary(OPS["log"], self)

    def sqrt(self) -> Value:
        """Square root; raises ``ValueError`` for data < 0. ``Value(4.0).sqrt().data == 2.0``."""
        return _unary(OPS["sqrt"], self)

    def tanh(self) -> Value:
        """Hyperbolic tangent (stable for any input). ``Value(0.0).tanh().data == 0.0``."""
        return _unary(OPS["tanh"], self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed without overflow. ``Value(0.0).sigmoid().data == 0.5``."""
        return _unary(OPS["sigmoid"], self)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is 0. ``Value(-2.0).relu().data == 0.0``."""
        return _unary(OPS["relu"], self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x (slope a number). ``Value(-2.0).leaky_relu(0.1).data == -0.2``."""
        node = _leaky_relu(self, slope)
        if node is NotImplemented:
            raise TypeError(f"leaky_relu: slope must be a number, got {type(slope).__name__}")
        return node

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow. ``round(Value(0.0).softplus().data, 4) == 0.6931``."""
        return _unary(OPS["softplus"], self)

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
        weights, inputs = checks.listed(weights, "weights"), checks.listed(inputs, "inputs")
        if len(weights) != len(inputs):
            raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
        parents: list[Any] = [None] * (2 * len(weights))  # interleaved by slicing: a neuron per call
        parents[0::2] = weights
        parents[1::2] = inputs
        if bias is not None:
            parents.append(bias)
        # read and check at once, a neuron per call (__class__ rather than type(): no call per parent)
        datas = [p._data for p in parents if p.__class__ is Value]
        if len(datas) < len(parents):  # some plain numbers: each becomes a leaf
            roles = ["weight", "input"] * len(weights) + ["bias"]
            leaf = checks.leaf_number
            parents = [p if type(p) is Value else Value(leaf(p, role)) for p, role in zip(parents, roles)]
            datas = data_of(parents)
        return _many(OPS["dot"], parents, datas)

class _Many(enum.Enum):
    """`_p0` of a node with any number of parents: an enum member, so copies keep the one object."""

    MANY = "MANY"


MANY: Final = _Many.MANY


class Extras:
    """What a node with a label, hooks (``hooks.py``) or a note of where it was built
    (``anomaly.py``) keeps in its `_stamp` slot, with the stamp; it goes when the node does."""

    __slots__ = ("text", "stamp", "hooks", "built_at", "__weakref__")

    def __init__(self, text: str, stamp: int) -> None:
        self.text = text
        self.stamp = stamp
        self.hooks: list[Callable[[Any], Any]] = []
        self.built_at: str | None = None


def extras_of(node: Value) -> Extras | None:
    """``node``'s extras record, if it has one."""
    return noted if isinstance(noted := node._stamp, Extras) else None


def extras(node: Value) -> Extras:
    """``node``'s extras record, made on first use."""
    noted = node._stamp
    if not isinstance(noted, Extras):
        noted = node._stamp = Extras("", noted)
    return noted


def writes() -> int:
    """How many times a Value's data has been set to another number so far (the clock).

    >>> x = Value(1.0); before = writes(); x.data = 1.0; x.data = 2.0; writes() - before
    1
    """
    return _writes


def made_before(nodes: list[Value], clock: int) -> list[Value]:
    """The nodes among ``nodes`` made by an op before the clock ``writes()`` reached ``clock``: the
    data they were computed from may have changed since (backward checks them).

    >>> x = Value(2.0); y = x * x; z = x * 3; x.data = 5.0
    >>> made_before([z, y, x], writes()) == [z, y], made_before([x * x], writes())
    (True, [])
    """
    return [n for n in nodes if n._stamp != clock and n.op is not None and stamp_of(n) != clock]


def stamp_of(node: Value) -> int:
    """The clock ``writes()`` when ``node`` was made."""
    return noted.stamp if isinstance(noted := node._stamp, Extras) else noted


# -- reading the layout: every other module asks these -------------------------------------------


def parents_of(node: Value) -> tuple[Value, ...]:
    """``node.parents``, read straight from the slots: the topological sort calls it per node.

    >>> a = Value(1.0); parents_of(a * a) == (a, a), parents_of(a * 3) == (a,), parents_of(a)
    (True, True, ())
    """
    first = node._p0
    if first is None or first is MANY:
        return node._l0 if first is MANY else ()
    second = node._p1
    return (first,) if second is None else (first, second)


def locals_of(node: Value) -> tuple[float, ...]:
    """d(node)/d(parent) for each parent, as recorded in the forward pass."""
    first = node._p0
    if first is None or first is MANY:
        return node._l1 if first is MANY else ()
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


# -- building nodes: each runs one row's forward rule and derivative rules on floats -------------


def _node(op: Op, data: float, p0: Any, l0: Any, p1: Value | None, l1: Any, modes: Modes | None) -> Value:
    """A new node holding ``data`` and its edges (the layout above). Inside ``no_grad`` it is a
    leaf instead; ``on_new_node`` watchers are told of it."""
    node = _new(Value)
    node._data = data
    node.grad = 0.0
    node._stamp = _writes
    node.op = op
    node._p0 = p0
    node._l0 = l0
    node._p1 = p1
    node._l1 = l1
    if modes is not None:
        if not modes.recording:  # no_grad: a leaf, no edges kept
            if modes.on_no_gradient is not None:  # a recording tape recomputes it on every replay
                modes.on_no_gradient(node, op, inputs_of(node))
            node.op = node._p0 = node._p1 = node._l0 = None
        for callback in modes.on_new:
            callback(node)
    return node


def _unary(op: Op, x: Value) -> Value:
    """``op`` of one Value (``x.tanh()``)."""
    a = x._data
    modes = MODES.get()
    local = 0.0
    try:
        o = op.forward(a)
        if o - o != 0.0:
            raise checks.not_finite(op.name, o, (a,))
        if modes is None or modes.recording:
            local = op.derivatives[0](o, a)
    except (ArithmeticError, ValueError) as error:
        raise checks.named(error, op.name, (x,)) from None
    return _node(op, o, x, local, None, 0.0, modes)


def _many(op: Op, parents: list[Value], datas: list[float]) -> Value:
    """A node of a row with any number of inputs (``dot``: ``Value.weighted_sum``) given their
    numbers ``datas``; it keeps its parents and their local derivatives as two tuples."""
    modes = MODES.get()
    locals_: tuple[float, ...] = ()
    try:
        o = op.forward(*datas)
        if o - o != 0.0:
            raise checks.not_finite(op.name, o, datas)
        if modes is None or modes.recording:
            locals_ = tuple(partners(datas))
    except (ArithmeticError, ValueError) as error:
        raise checks.named(error, op.name, parents) from None
    return _node(op, o, MANY, tuple(parents), None, locals_, modes)
