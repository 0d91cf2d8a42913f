"""What a ``Value`` offers beyond forward and backward: comparisons and ``float()``, how it
prints, micrograd's old names, and how it copies and pickles. ``Value`` inherits it (``class
Value(Conveniences)``); nothing here runs for ``a * b`` or for its backward, so ``value.py`` stays
the node, its ops and its chain-rule step.

>>> from autograd import Value
>>> x = Value(2.0, label="x"); y = x ** 2
>>> y, f"{y:.1f}", y._op, y._prev == {x}, y > 3, float(y)
(Value(data=4.0, grad=0.0), '4.0', '**2', True, True, 4.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from . import checks
from .modes import MODES

if TYPE_CHECKING:
    from .ops import Op
    from .value import Value


class Conveniences:
    """``Value``'s comparisons and ``float()`` (they read the data, build no node and tell an
    ``on_read`` watcher: ``modes.py``), printing (``repr``, ``format``, ``tree()``), micrograd's
    names (``_prev``, ``_op``) and copying (``copy``, ``deepcopy``, ``pickle``: ``copies.py``)."""

    __slots__ = ()  # Value's slots are its own (value.py)
    _data: float
    grad: Any
    op: Op | None
    label: str

    def __float__(self) -> float:
        return reported(self, "float", None, self._data)

    def __lt__(self, other: Value | float) -> bool:
        return reported(self, "<", other, self._data < _compared(other))

    def __le__(self, other: Value | float) -> bool:
        return reported(self, "<=", other, self._data <= _compared(other))

    def __gt__(self, other: Value | float) -> bool:
        return reported(self, ">", other, self._data > _compared(other))

    def __ge__(self, other: Value | float) -> bool:
        return reported(self, ">=", other, self._data >= _compared(other))

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{label})"

    def __format__(self, spec: str) -> str:
        return format(self._data, spec) if spec else repr(self)

    # v.tree(max_nodes=200): the graph below v as indented text, for a terminal. It is a view,
    # so it lives with the words (autograd.text.tree); the package (autograd/__init__.py) puts it
    # on the class, and the engine imports none of its views.
    tree: ClassVar[Callable[..., str]]

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name: the set of parents (order lost; use ``parents`` for the tuple)."""
        from .value import parents_of

        return set(parents_of(self))  # type: ignore[arg-type]  # self is a Value

    @property
    def _op(self) -> str:
        """micrograd's name: the op's symbol, '' for a leaf (``**2`` for a number exponent)."""
        from .value import inputs_of

        op = self.op
        if op is None:
            return ""
        exponent = inputs_of(self)[-1]  # type: ignore[arg-type]  # self is a Value
        if op.name == "pow" and not op.constant_first and type(exponent) is float:
            return f"**{exponent:g}"
        return op.symbol

    def __copy__(self) -> Value:
        from .copies import shallow_copy

        return shallow_copy(self)  # type: ignore[arg-type]  # self is a Value

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        from .copies import deep_copy

        return deep_copy(self, memo)  # type: ignore[arg-type]  # self is a Value

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        from .copies import reduced

        return reduced(self)  # type: ignore[arg-type]  # self is a Value


def reported(node: Conveniences, how: str, other: object, result: Any) -> Any:
    """``result``, after telling this context's ``on_read`` watcher that ``node`` was read (``how``:
    "data", "float", "<", ...; ``other``: what it was compared with). ``Value.data`` reports here too."""
    modes = MODES.get()
    if modes is not None and modes.on_read is not None:
        modes.on_read(node, how, other, result)
    return result


def _compared(other: object) -> Any:
    return other._data if isinstance(other, Conveniences) else checks.comparable(other)
