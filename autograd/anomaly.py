"""Anomaly detection: a nan or infinite gradient raises an error naming the op and the line.

Costs nothing unless used: inside ``detect_anomaly()`` this thread notes in each node it builds
where that happened (``modes.on_new_node``) and checks every chain-rule product of its backward
passes (``modes.on_backward_step``); other threads are not affected.
"""

from __future__ import annotations

import math
import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from .checks import shown
from .modes import mode, now, on_backward_step, on_new_node
from .value import Value, extras, extras_of


class AnomalyError(ArithmeticError):
    """A gradient became nan or infinite; the message names the op and where it was built."""




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
    autograd.anomaly.AnomalyError: backward through sqrt gave d/d(input 0) = inf: ...
    """
    if now().anomaly:  # nested: the outer block already watches
        yield
        return
    with mode("detect_anomaly", anomaly=True), on_new_node(_note_site), on_backward_step(_check_finite):
        yield


def _check_finite(node: Value, parent: Value, position: int, local: float | Value, upstream: float | Value,
                  product: float | Value, before: float | Value, after: float | Value) -> None:  # fmt: skip
    """Raise AnomalyError if one chain-rule product is nan or infinite."""
    if math.isfinite(float(product)):
        return
    op = node.op.name if node.op else "a leaf"
    noted = extras_of(node)
    site = (noted and noted.built_at) or "an unknown line (the node was built outside detect_anomaly)"
    raise AnomalyError(
        f"backward through {op} gave d/d(input {position}) = {float(product)!r}: "
        f"local derivative {float(local)!r} × upstream gradient {float(upstream)!r}; "
        f"inputs [{shown([p.data for p in node.parents])}]; the node was built at {site}"
    )


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _note_site(node: Value) -> None:
    """The innermost stack frame outside the autograd package: the user's line. It is kept in
    the node, so it goes when the node does (a long run inside detect_anomaly does not pile up)."""
    for frame in reversed(traceback.extract_stack(limit=12)):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE):
            extras(node).built_at = f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
            return
