"""gradcheck: compare backward()'s gradients with central finite differences.

When they disagree it says which input, both numbers, and then looks one level deeper: it checks
every op's recorded local derivative against that op's own finite difference and names the first
op that disagrees, in the order the expression reads (first inputs first), which is usually where
the trouble is (a kink such as relu at 0, a rule that is wrong, or a step size too large for the
curvature there).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .backward import topological_order
from .checks import as_finite_float, shown
from .functional import hessian
from .modes import no_grad
from .ops import Op
from .value import Value, inputs_of


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message says where."""


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
    raise_exception: bool = True,
    order: int = 1,
) -> bool:
    """Check ``f``'s gradient with respect to each input against central differences.

    The step for input x is ``eps * max(1, |x|)``; a pair passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``. Returns True, or raises
    ``GradcheckError`` (or returns False with ``raise_exception=False``). With ``order=2`` it
    also checks every second derivative (``create_graph``) against central differences of the
    first derivatives.

    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -1.2])
    True
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -1.2], order=2)
    True
    """
    if not callable(f):
        raise TypeError(f"gradcheck: f must be a function of Values, got {type(f).__name__}")
    if isinstance(inputs, Value) or not isinstance(inputs, Sequence):
        raise TypeError(f"gradcheck: inputs must be a list of numbers or Values, got {type(inputs).__name__}")
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    eps = as_finite_float(eps, "gradcheck(eps=...)")
    atol = as_finite_float(atol, "gradcheck(atol=...)")
    rtol = as_finite_float(rtol, "gradcheck(rtol=...)")
    if eps <= 0 or atol < 0 or rtol < 0:
        raise ValueError(f"gradcheck: eps must be > 0 and atol, rtol >= 0, got {eps!r}, {atol!r}, {rtol!r}")
    leaves = [x if isinstance(x, Value) else Value(x, f"input {i}") for i, x in enumerate(inputs)]
    start = [x.data for x in leaves]
    analytic, out = _analytic(f, start)
    numeric = [_central_difference(f, start, i, eps) for i in range(len(start))]
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if not _close(a, n, atol, rtol):
            if not raise_exception:
                return False
            name = leaves[i].label or f"input {i}"
            raise GradcheckError(
                f"gradient of {name} (data {start[i]!r}) disagrees: backward() gives {a!r}, "
                f"central differences give {n!r} (|diff| {abs(a - n):.3g} > "
                f"atol {atol:g} + rtol {rtol:g} * |numeric|)." + _first_bad_op(out, eps, atol, rtol)
            )
    if order == 2:
        return _check_second_order(f, leaves, start, eps, atol, rtol, raise_exception)
    return True


def _check_second_order(
    f: Callable[..., Value], leaves: list[Value], start: list[float], eps: float, atol: float, rtol: float,
    raise_exception: bool,
) -> bool:
    analytic = hessian(f, start)
    for j in range(len(start)):
        h = eps * max(1.0, abs(start[j]))
        up = _analytic(f, [d + h if k == j else d for k, d in enumerate(start)])[0]
        down = _analytic(f, [d - h if k == j else d for k, d in enumerate(start)])[0]
        for i in range(len(start)):
            numeric = (up[i] - down[i]) / (2.0 * h)
            if not _close(analytic[i][j], numeric, atol, rtol):
                if not raise_exception:
                    return False
                names = [leaves[k].label or f"input {k}" for k in (i, j)]
                raise GradcheckError(
                    f"second derivative d²/d({names[0]})d({names[1]}) disagrees: create_graph gives "
                    f"{analytic[i][j]!r}, central differences of the first derivative give {numeric!r}"
                )
    return True


def _analytic(f: Callable[..., Value], data: list[float]) -> tuple[list[float], Value]:
    xs = [Value(d) for d in data]
    out = _call(f, xs)
    out.backward()
    return [float(x.grad) for x in xs], out


def _central_difference(f: Callable[..., Value], data: list[float], i: int, eps: float) -> float:
    h = eps * max(1.0, abs(data[i]))
    with no_grad():
        up = _call(f, [Value(d + h if j == i else d) for j, d in enumerate(data)]).data
        down = _call(f, [Value(d - h if j == i else d) for j, d in enumerate(data)]).data
    return (up - down) / (2.0 * h)


def _call(f: Callable[..., Value], xs: list[Value]) -> Value:
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    return out


def _close(a: float, n: float, atol: float, rtol: float) -> bool:
    return math.isclose(a, n, rel_tol=0.0, abs_tol=atol + rtol * abs(n))


def _first_bad_op(out: Value, eps: float, atol: float, rtol: float) -> str:
    forward_order = topological_order(out, inputs_first=True)  # as the expression reads
    for position, node in enumerate(forward_order):
        op = node.op
        if op is None:
            continue
        raw = inputs_of(node)
        inputs = [float(x) for x in raw]
        positions = [k for k, x in enumerate(raw) if isinstance(x, Value)]
        for j, (k, recorded) in enumerate(zip(positions, node.local_grads)):
            h = eps * max(1.0, abs(inputs[k]))
            numeric = (_forward(op, inputs, k, h) - _forward(op, inputs, k, -h)) / (2.0 * h)
            if not _close(recorded, numeric, atol, rtol):
                where = f"'{node.label}'" if node.label else f"#{position} in reading order"
                return (
                    f"\nFirst op whose own derivative disagrees: {op.name} (node {where}, inputs "
                    f"[{shown(inputs)}]): recorded d/d(input {j}) = {recorded!r}, its finite difference "
                    f"= {numeric!r}. A kink (relu/abs at 0) or a wrong rule is the usual cause."
                )
    return "\nEvery op's local derivative matches its own finite difference."


def _forward(op: Op, inputs: list[float], k: int, shift: float) -> float:
    """The op alone, with input k moved by ``shift`` (the numbers it keeps, such as the 3 of
    ``x * 3``, stay as they were)."""
    return op.forward(*[x + shift if i == k else x for i, x in enumerate(inputs)])
