"""``Value``: one float in a computation graph, with the gradient that backward() gives it.

Each operation on Values makes a new node that records, during the forward pass, its parents and
the local derivative d(node)/d(parent) for each of them, as plain floats (rules in ``ops.py``).
Nothing else is kept: no closure per node, so a node holds no reference cycle and a dropped graph
is freed at once by reference counting.

>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = (a * b + 10).tanh()
>>> e.backward()
>>> round(a.grad, 6), round(b.grad, 6)
(-0.004023, 0.002682)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager

from .ops import OPS, Op

_INF = math.inf
_recording = True  # False inside `no_grad()`
_keep_constants = False  # gradcheck sets it to re-run each op on its own
_on_create = None  # detect_anomaly() sets it to remember where each node is built


class Value:
    """A scalar node: ``data`` (float), ``grad`` (float, starts 0.0) and an optional ``label``.

    Works with plain numbers on either side of ``+ - * / **``, unary ``-`` and ``abs()``, and has
    ``exp log sqrt tanh sigmoid relu leaky_relu softplus``. ``==`` and ``hash`` are identity-based
    (two nodes with equal data stay two nodes); ``<``, ``<=``, ``>``, ``>=`` and ``float()`` use
    the data and build nothing.

    >>> x = Value(3.0, label="x")
    >>> y = 2 ** x - 1 / x
    >>> y.backward()
    >>> round(y.data, 4), round(x.grad, 4)
    (7.6667, 5.6563)
    """

    # `op` is the row of ops.OPS that made this node (None for a leaf). The edges live in the
    # node itself, no tuple: `_p0`/`_l0` are the first parent and d(self)/d(parent), `_p1`/`_l1`
    # the second (`_p1` is None for one parent, `_p0` is None for a leaf). A weighted_sum node
    # has `_p0 = MANY` and its interleaved (parent, local, ...) tuple in `_l0`. One object per
    # node instead of two: 120 bytes for a binary node instead of 168, and half the objects for
    # the cyclic GC to scan while a graph is being built.
    __slots__ = ("data", "grad", "label", "op", "_p0", "_l0", "_p1", "_l1")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = _leaf_data(data)
        self.grad = 0.0
        self.label = _label(label)
        self.op: Op | None = None
        self._p0 = None

    @property
    def _edges(self) -> tuple:
        """(parent0, d0, parent1, d1, ...): the recorded edges as one tuple, built on demand."""
        p0 = self._p0
        if p0 is None:
            return ()
        if p0 is MANY:
            return self._l0
        p1 = self._p1
        return (p0, self._l0) if p1 is None else (p0, self._l0, p1, self._l1)

    # -- what the graph records --------------------------------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in order (a + a lists ``a`` twice)."""
        return parents_of(self)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, recorded in the forward pass."""
        return self._edges[1::2]

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
        """micrograd's name: the op's symbol, '' for a leaf."""
        op = self.op
        if op is None:
            return ""
        return f"**{op.constant:g}" if op.name == "pow_c" else op.symbol

    def _backward(self) -> None:
        """One chain-rule step, as micrograd's lecture calls it by hand: self's parents receive
        ``local derivative * self.grad``."""
        grad = self.grad
        edges = iter(self._edges)
        for parent, local in zip(edges, edges):
            parent.grad += local * grad

    def backward(self, gradient: float = 1.0, create_graph: bool = False) -> None:
        """Backpropagate from this node: seed its grad and accumulate into every node's grad.

        Leaves accumulate (call ``zero_grad`` between steps); inner nodes are reset first, so a
        second call adds exactly one more gradient to each leaf.

        >>> x = Value(3.0); y = x * x; y.backward(); x.grad
        6.0
        """
        from .backward import backward

        backward(self, gradient, create_graph=create_graph)

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever a backward pass completes this node's gradient; a
        returned number replaces it. Returns a handle with ``.remove()``.

        >>> x = Value(1.0); h = x.register_hook(print); (x * 3).backward()
        3.0
        """
        from .hooks import register_hook

        return register_hook(self, hook)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut from this node's history."""
        return Value(self.data, self.label)

    # -- arithmetic: each operator picks a row of the table --------------------------------

    def __add__(self, other: Value | float) -> Value:
        if type(other) is Value:
            return _binary(_ADD, self, other)
        return _with_constant(_ADD_C, self, other)

    def __radd__(self, other: float) -> Value:
        return _with_constant(_ADD_C, self, other)

    def __sub__(self, other: Value | float) -> Value:
        if type(other) is Value:
            return _binary(_SUB, self, other)
        return _with_constant(_SUB_C, self, other)

    def __rsub__(self, other: float) -> Value:
        return _with_constant(_RSUB_C, self, other)

    def __mul__(self, other: Value | float) -> Value:
        if type(other) is Value:
            return _binary(_MUL, self, other)
        return _with_constant(_MUL_C, self, other)

    def __rmul__(self, other: float) -> Value:
        return _with_constant(_MUL_C, self, other)

    def __truediv__(self, other: Value | float) -> Value:
        if type(other) is Value:
            return _binary(_DIV, self, other)
        return _with_constant(_DIV_C, self, other)

    def __rtruediv__(self, other: float) -> Value:
        return _with_constant(_RDIV_C, self, other)

    def __pow__(self, other: Value | float) -> Value:
        if type(other) is Value:
            return _binary(_POW, self, other)
        return _with_constant(_POW_C, self, other)

    def __rpow__(self, other: float) -> Value:
        return _with_constant(_RPOW_C, self, other)

    def __neg__(self) -> Value:
        return _unary(_NEG, self)

    def __abs__(self) -> Value:
        return _unary(_ABS, self)

    def exp(self) -> Value:
        """e ** self. ``Value(1.0).exp().data == math.e``."""
        return _unary(_EXP, self)

    def log(self) -> Value:
        """Natural logarithm; raises ``ValueError`` for data <= 0. ``Value(1.0).log().data == 0.0``."""
        return _unary(_LOG, self)

    def sqrt(self) -> Value:
        """Square root; raises ``ValueError`` for data < 0. ``Value(4.0).sqrt().data == 2.0``."""
        return _unary(_SQRT, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent (stable for any input). ``Value(0.0).tanh().data == 0.0``."""
        return _unary(_TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed without overflow. ``Value(0.0).sigmoid().data == 0.5``."""
        return _unary(_SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is 0. ``Value(-2.0).relu().data == 0.0``."""
        return _unary(_RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x. ``Value(-2.0).leaky_relu(0.1).data == -0.2``."""
        return _with_constant(_LEAKY_RELU, self, slope)

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow. ``round(Value(0.0).softplus().data, 4) == 0.6931``."""
        return _unary(_SOFTPLUS, self)

    @staticmethod
    def weighted_sum(weights: list[Value], inputs: list[Value | float], bias: Value | None = None) -> Value:
        """``w0*x0 + w1*x1 + ... + bias`` as one node with all of them as parents.

        The same numbers as building it op by op, with one node instead of 2n: the fast path
        for a neuron. Plain-number inputs become leaves.

        >>> w = [Value(2.0), Value(-1.0)]; b = Value(0.5)
        >>> s = Value.weighted_sum(w, [3.0, 4.0], b); s.backward()
        >>> s.data, w[0].grad, b.grad
        (2.5, 3.0, 1.0)
        """
        if len(weights) != len(inputs):
            raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
        parents: list[Value] = []
        for w, x in zip(weights, inputs):
            parents.append(w if type(w) is Value else _as_value(w, "weight"))
            parents.append(x if type(x) is Value else _as_value(x, "input"))
        if bias is not None:
            parents.append(bias if type(bias) is Value else _as_value(bias, "bias"))
        return _nary(_DOT, parents)

    # -- comparisons and conversions use the data and build no node ------------------------

    def __float__(self) -> float:
        return self.data

    def __lt__(self, other: Value | float) -> bool:
        return self.data < _compared(other)

    def __le__(self, other: Value | float) -> bool:
        return self.data <= _compared(other)

    def __gt__(self, other: Value | float) -> bool:
        return self.data > _compared(other)

    def __ge__(self, other: Value | float) -> bool:
        return self.data >= _compared(other)

    __hash__ = object.__hash__  # identity, as in micrograd: equal data never merges two nodes

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"


# The rows each operator uses, looked up once rather than on every call.
_ADD, _SUB, _MUL, _DIV, _POW = (OPS[n] for n in ("add", "sub", "mul", "div", "pow"))
_ADD_C, _SUB_C, _RSUB_C, _MUL_C, _DIV_C, _RDIV_C, _POW_C, _RPOW_C, _LEAKY_RELU = (
    OPS[n] for n in ("add_c", "sub_c", "rsub_c", "mul_c", "div_c", "rdiv_c", "pow_c", "rpow_c",
                     "leaky_relu")
)  # fmt: skip
_NEG, _ABS, _EXP, _LOG, _SQRT, _TANH, _SIGMOID, _RELU, _SOFTPLUS = (
    OPS[n] for n in ("neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus")
)

_DOT = OPS["dot"]
_new = object.__new__
MANY = object()  # `_p0` of a node with more than two parents (its edges tuple is in `_l0`)


def parents_of(node: Value) -> tuple[Value, ...]:
    """``node.parents``, read straight from the slots: the topological sort calls it per node.

    >>> a = Value(1.0); parents_of(a * a) == (a, a), parents_of(a)
    (True, ())
    """
    first = node._p0
    if first is None or first is MANY:
        return node._l0[::2] if first is MANY else ()
    second = node._p1
    return (first,) if second is None else (first, second)


def _node(data: float, op: Op, p0: object, l0: object, p1: Value | None = None, l1: float = 0.0) -> Value:
    """Make a node without __init__'s input checks: the op has produced a float already."""
    if not -_INF < data < _INF:  # also catches nan, which fails every comparison
        inputs = l0[::2] if p0 is MANY else (p0,) if p1 is None else (p0, p1)
        raise OverflowError(
            f"{op.name}: the result {data!r} is not a finite number "
            f"(inputs: {', '.join(repr(p) for p in inputs)})"
        )
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    if _recording:
        node.op = op
        node._p0 = p0
        node._l0 = l0
        node._p1 = p1
        node._l1 = l1
    else:
        node.op = None
        node._p0 = None
    if _on_create is not None:
        _on_create(node)
    return node


def _unary(op: Op, x: Value) -> Value:
    data = x.data
    try:
        out = op.forward(data)
        return _node(out, op, x, op.local(out, data))
    except (ArithmeticError, ValueError) as error:
        raise _naming(error, x) from None


def _with_constant(op: Op, x: Value, c: object) -> Value:
    number = c if type(c) is float else _number(c)
    if number is None:
        return NotImplemented  # Python then raises TypeError naming both types
    data = x.data
    try:
        out = op.forward(data, number)
        node = _node(out, op, x, op.local(out, data, number))
    except (ArithmeticError, ValueError) as error:
        raise _naming(error, x) from None
    if (op.keeps_constant or _keep_constants) and _recording:
        node.op = _bound(op, number)
    return node


def _binary(op: Op, a: Value, b: Value) -> Value:
    da, db = a.data, b.data
    try:
        out = op.forward(da, db)
        local_a, local_b = op.local(out, da, db)
        return _node(out, op, a, local_a, b, local_b)
    except (ArithmeticError, ValueError) as error:
        raise _naming(error, a, b) from None


def _nary(op: Op, parents: list[Value]) -> Value:
    datas = [p.data for p in parents]
    try:
        out = op.forward(datas)
        locals_ = op.local(out, datas)
    except (ArithmeticError, ValueError) as error:
        raise _naming(error, *parents) from None
    edges: list = [None] * (2 * len(parents))
    edges[0::2] = parents
    edges[1::2] = locals_
    return _node(out, op, MANY, tuple(edges))


def _as_value(x: object, role: str) -> Value:
    if _number(x) is None:
        raise TypeError(f"weighted_sum: each {role} must be a Value or a number, got {type(x).__name__}")
    return Value(x)  # type: ignore[arg-type]


_bound_rows: dict[tuple[str, float], Op] = {}


def _bound(op: Op, constant: float) -> Op:
    """The row with its constant filled in; shared by every node with the same constant."""
    key = (op.name, constant)
    row = _bound_rows.get(key)
    if row is None:
        if len(_bound_rows) > 4096:  # many distinct exponents: stop sharing rather than grow
            return op._replace(constant=constant)
        row = _bound_rows[key] = op._replace(constant=constant)
    return row


def _naming(error: Exception, *inputs: Value) -> Exception:
    """The same error, with the labels of the input nodes added when they have any."""
    labels = [f"{v.label!r}" for v in inputs if v.label]
    if not labels:
        return error
    return type(error)(f"{error} [input node {', '.join(labels)}]")


def _number(x: object) -> float | None:
    """x as a float if it is a real number (bool excluded: True * v is almost always a bug)."""
    kind = type(x)
    if kind is float:
        return x  # type: ignore[return-value]
    if kind is int or (isinstance(x, numbers.Real) and kind is not bool):
        return float(x)  # type: ignore[arg-type]
    return None


def _leaf_data(data: object) -> float:
    if isinstance(data, Value):
        raise TypeError("Value() takes a number, got a Value; use the Value itself or .detach()")
    number = _number(data)
    if number is None:
        raise TypeError(f"Value() takes a real number (int or float), got {type(data).__name__}: {data!r}")
    if not -_INF < number < _INF:
        raise ValueError(f"Value() takes a finite number, got {number!r}")
    return number


def _label(label: object) -> str:
    if not isinstance(label, str):
        raise TypeError(f"a Value's label must be a str, got {type(label).__name__}: {label!r}")
    return label


def _compared(other: object) -> float:
    if type(other) is Value:
        return other.data  # type: ignore[union-attr]
    number = _number(other)
    if number is None:
        raise TypeError(f"cannot compare a Value with {type(other).__name__}: {other!r}")
    return number


@contextmanager
def no_grad() -> Iterator[None]:
    """Build no graph inside the block: results are leaves (for updates and inference).

    >>> w = Value(1.0)
    >>> with no_grad():
    ...     w2 = w - 0.1 * 2.0
    >>> w2.is_leaf, w2.data
    (True, 0.8)
    """
    global _recording
    before = _recording
    _recording = False
    try:
        yield
    finally:
        _recording = before
