"""Gradients as functions: ``grad``, ``hessian`` and ``hvp``, built on ``backward``; ``jvp``,
forward mode, built on the tape.

``grad(output, inputs)`` is ``torch.autograd.grad``; ``grad(f)`` is JAX's ``grad`` and composes
(``grad(grad(f))`` is the second derivative), because ``create_graph=True`` makes gradients
``Value``\\ s that can be differentiated again.

>>> from autograd import Value
>>> grad(lambda x: x ** 3)(2.0).data, grad(grad(lambda x: x ** 3))(2.0).data
(12.0, 12.0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, overload

from .backward import backward, topological_order
from .checks import as_finite_float
from .modes import note_no_gradient
from .value import Value, data_of

if TYPE_CHECKING:
    from .tape import Traced

_computing: ContextVar[bool] = ContextVar("inside_grad", default=False)


def inside_grad() -> bool:
    """Whether this thread is inside ``grad()``'s own backward pass (which leaves every ``.grad``
    as it found it: ``trace`` lets such a pass run inside a traced function)."""
    return _computing.get()


@contextmanager
def _grad_pass() -> Iterator[None]:
    token = _computing.set(True)
    try:
        yield
    finally:
        _computing.reset(token)


def stop_gradient(
    values: Value | Sequence[Value], rule: Callable[..., float] | None = None, label: str = ""
) -> Value:
    """A new leaf holding ``rule(*numbers)`` of the ``values``' numbers (by default the one
    Value's number, as ``detach()``): it carries no gradient, and reading the numbers is not a
    guard of a traced function, whose tape recomputes it on every call (JAX's ``stop_gradient``).
    For numbers a function computes for its own sake, like log-softmax's shift by the largest logit.

    >>> a, b = Value(1.0), Value(3.0)
    >>> shift = stop_gradient([a, b], max); shift.data, shift.is_leaf
    (3.0, True)
    """
    sources = (values,) if isinstance(values, Value) else tuple(values)
    for i, v in enumerate(sources):
        if not isinstance(v, Value):
            raise TypeError(f"stop_gradient: values[{i}] must be a Value, got {type(v).__name__}")
    if rule is None and len(sources) != 1:
        raise TypeError(f"stop_gradient: without a rule it takes one Value, got {len(sources)}")
    numbers = data_of(sources)
    out = Value(numbers[0] if rule is None else rule(*numbers), label)
    note_no_gradient(out, rule, sources)
    return out


@overload
def grad(
    f_or_output: Callable[..., Value], inputs: None = None, create_graph: bool = False, argnum: int = 0
) -> Callable[..., Value]: ...
@overload
def grad(
    f_or_output: Value, inputs: Value | Sequence[Value], create_graph: bool = False, argnum: int = 0
) -> list[float | Value]: ...
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
        if inputs is not None:
            raise TypeError("grad(f) takes no inputs: call the function it returns with the point")
        return _grad_function(f_or_output, argnum)
    if not isinstance(f_or_output, Value):
        raise TypeError(f"grad() needs a Value or a function, got {type(f_or_output).__name__}")
    return _gradients(f_or_output, inputs, create_graph)


def _gradients(
    output: Value, inputs: Value | Sequence[Value] | None, create_graph: bool = False
) -> list[float | Value]:
    """``grad(output, inputs)``, typed as the list it is."""
    wanted = [inputs] if isinstance(inputs, Value) else list(inputs or ())
    for i, x in enumerate(wanted):
        if not isinstance(x, Value):
            raise TypeError(f"grad(): input {i} must be a Value, got {type(x).__name__}")
    order = topological_order(output)
    in_graph = set(order)
    saved = [node.grad for node in order]
    for node in order:
        node.grad = 0.0
    try:
        with _grad_pass():
            backward(output, create_graph=create_graph)
        return [x.grad if x in in_graph else 0.0 for x in wanted]
    finally:
        for node, before in zip(order, saved):
            node.grad = before


def _grad_function(f: Callable[..., Value], argnum: int) -> Callable[..., Value]:
    def derivative(*args: Value | float) -> Value:
        if not -len(args) <= argnum < len(args):
            raise IndexError(f"grad(f, argnum={argnum}): f was called with {len(args)} argument(s)")
        values = [a if isinstance(a, Value) else Value(a) for a in args]
        out = f(*values)
        if not isinstance(out, Value):
            raise TypeError(f"grad(f): f must return a Value, got {type(out).__name__}")
        (result,) = _gradients(out, [values[argnum]], create_graph=True)
        return result if isinstance(result, Value) else Value(result)

    derivative.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    derivative.__doc__ = f"d/d(argument {argnum}) of {getattr(f, '__name__', 'f')}, as a Value."
    return derivative


def _leaves(xs: Sequence[float | Value], where: str) -> list[Value]:
    if not isinstance(xs, Sequence):
        raise TypeError(f"{where}: xs must be a list of numbers, got {type(xs).__name__}")
    return [Value(as_finite_float(x.data if isinstance(x, Value) else x, f"{where}: xs[{i}]"))
            for i, x in enumerate(xs)]  # fmt: skip


def hessian(f: Callable[..., Value], xs: Sequence[float | Value]) -> list[list[float]]:
    """The matrix of second derivatives of ``f`` at ``xs`` (small problems: n backward passes).

    >>> hessian(lambda x, y: x * x * y, [1.0, 2.0])
    [[4.0, 2.0], [2.0, 0.0]]
    """
    values = _leaves(xs, "hessian")
    first = _gradients(_called(f, values), values, create_graph=True)
    return [
        [float(g) for g in _gradients(d, values)] if isinstance(d, Value) else [0.0] * len(values)
        for d in first
    ]


def hvp(f: Callable[..., Value], xs: Sequence[float | Value], v: Sequence[float]) -> list[float]:
    """Hessian-vector product H·v with one extra backward pass (no full Hessian).

    >>> hvp(lambda x, y: x * x * y, [1.0, 2.0], [1.0, 0.0])
    [4.0, 2.0]
    """
    values = _leaves(xs, "hvp")
    if not isinstance(v, Sequence):
        raise TypeError(f"hvp: v must be a list of numbers, got {type(v).__name__}")
    if len(v) != len(xs):
        raise ValueError(f"hvp: v has {len(v)} entries but there are {len(xs)} inputs")
    direction = [as_finite_float(vi, f"hvp: v[{i}]") for i, vi in enumerate(v)]
    first = _gradients(_called(f, values), values, create_graph=True)
    directional = Value(0.0)
    for g, vi in zip(first, direction):
        directional = directional + g * vi
    return [float(g) for g in _gradients(directional, values)]


def _called(f: Callable[..., Value], values: list[Value]) -> Value:
    if not callable(f):
        raise TypeError(f"f must be a function of Values, got {type(f).__name__}")
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value, got {type(out).__name__}")
    return out


def jvp(
    fn: Callable[..., Value] | Traced, primals: Sequence[float], tangents: Sequence[float]
) -> tuple[float, float]:
    """Forward mode: ``fn``'s output at ``primals`` and its derivative along ``tangents`` (the
    sum of d(out)/d(x_i) · tangents[i]), computed in one forward sweep of the tape, with no
    backward pass. Getting all n derivatives this way takes n sweeps (one per input direction),
    where reverse mode takes one backward pass: the reason backpropagation is reverse mode.
    ``fn`` may be a traced function (``trace(fn)``), whose tapes are then reused from call to
    call; a plain function is traced again on every call, so trace it once for many directions.

    >>> jvp(lambda x, y: x * x * y, [3.0, 2.0], [1.0, 0.0])     # d/dx (x²y) = 2xy = 12
    (18.0, 12.0)
    """
    from .tape import Traced  # the tape records with this module's grad(): imported when called

    traced = fn if isinstance(fn, Traced) else Traced(fn)
    return traced.jvp(primals, tangents)


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
