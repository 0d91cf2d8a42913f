"""Loss functions: a model's predictions (Values) and the targets (numbers) in, one Value out.

Every loss averages over the samples (``reduction="sum"`` adds instead) and checks that the
predictions and targets line up, naming what does not. The log-based losses are computed in their
stable forms, so a confident wrong prediction gives a large loss, never an overflow.

>>> from autograd import Value
>>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
2.5
>>> round(binary_cross_entropy([Value(0.0)], [1]).data, 6)       # log(2)
0.693147
>>> round(cross_entropy([[Value(1.0), Value(1.0)]], [0]).data, 6)
0.693147
>>> hinge([Value(0.5), Value(-2.0)], [1, -1]).data
0.25
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd import Value
from autograd.extend import stop_gradient

from .checks import is_int, is_real

__all__ = ["LOSSES", "binary_cross_entropy", "cross_entropy", "get", "hinge", "l2", "mse"]

REDUCTIONS = ("mean", "sum")


def _scores(predictions: object, who: str) -> list[Value]:
    """One Value per sample; a bare Value counts as one sample, a one-element list as its element."""
    if isinstance(predictions, Value):
        return [predictions]
    if not isinstance(predictions, Sequence) or isinstance(predictions, str):
        raise TypeError(f"{who}: predictions must be a list of Values, got {type(predictions).__name__}")
    out = []
    for i, p in enumerate(predictions):
        if isinstance(p, list | tuple) and len(p) == 1:
            p = p[0]
        if not isinstance(p, Value):
            raise TypeError(
                f"{who}: predictions[{i}] must be a Value (the model's output), got {type(p).__name__}"
            )
        out.append(p)
    return out


def _targets(targets: object, n: int, who: str) -> list[Any]:
    """The targets as floats; a target that is a leaf Value is taken as it is, unchecked (a
    traced function's input: ``nn.fit`` checks its targets before tracing with them)."""
    if isinstance(targets, int | float | Value) and not isinstance(targets, bool):
        targets = [targets]
    if not isinstance(targets, Sequence) or isinstance(targets, str):
        raise TypeError(f"{who}: targets must be a list of numbers, got {type(targets).__name__}")
    if len(targets) != n:
        raise ValueError(f"{who}: {n} predictions but {len(targets)} targets")
    out: list[Any] = []
    for i, t in enumerate(targets):
        if isinstance(t, Value):
            if not t.is_leaf:
                raise TypeError(
                    f"{who}: targets[{i}] is a Value computed by the model or from it; targets are "
                    "plain numbers (use .data)"
                )
            out.append(t)
            continue
        if not is_real(t):
            raise TypeError(f"{who}: targets[{i}] must be a number, got {type(t).__name__}: {t!r}")
        if not math.isfinite(t):
            raise ValueError(f"{who}: targets[{i}] must be finite, got {t!r}")
        out.append(float(t))
    return out


def _reduce(terms: list[Value], reduction: str, who: str) -> Value:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{who}: reduction must be 'mean' or 'sum', got {reduction!r}")
    if not terms:
        raise ValueError(f"{who}: no predictions (an empty batch)")
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total * (1.0 / len(terms)) if reduction == "mean" else total


def mse(
    predictions: Sequence[Value] | Value, targets: Sequence[float] | float, reduction: str = "mean"
) -> Value:
    """Mean squared error, for regression. Several outputs per sample count as several samples.

    >>> from autograd import Value
    >>> mse([[Value(1.0), Value(2.0)]], [[1.0, 0.0]]).data
    2.0
    """
    if (
        isinstance(predictions, Sequence)
        and predictions
        and isinstance(predictions[0], list | tuple)
        and len(predictions[0]) != 1
    ):
        if not isinstance(targets, Sequence) or len(targets) != len(predictions):
            raise ValueError(f"mse: {len(predictions)} predictions but targets has another length")
        flat_p: list = []
        flat_t: list = []
        for i, (p, t) in enumerate(zip(predictions, targets)):
            if not isinstance(t, Sequence) or len(t) != len(p):
                raise ValueError(f"mse: predictions[{i}] has {len(p)} outputs but targets[{i}] is {t!r}")
            flat_p.extend(p)
            flat_t.extend(t)
        predictions, targets = flat_p, flat_t
    scores = _scores(predictions, "mse")
    ts = _targets(targets, len(scores), "mse")
    return _reduce([(p - t) ** 2 for p, t in zip(scores, ts)], reduction, "mse")


def binary_cross_entropy(
    logits: Sequence[Value] | Value, targets: Sequence[float] | float, reduction: str = "mean"
) -> Value:
    """Log loss on logits (scores before a sigmoid), targets in [0, 1] (usually 0 or 1).

    Written as ``(1 - t) softplus(z) + t softplus(-z)`` = ``-t log σ(z) - (1 - t) log(1 - σ(z))``,
    which never overflows, however confident the model (PyTorch's ``binary_cross_entropy_with_logits``).

    >>> from autograd import Value
    >>> round(binary_cross_entropy([Value(1000.0)], [0]).data, 6)   # sigmoid(1000) is 1.0 in floats
    1000.0
    """
    scores = _scores(logits, "binary_cross_entropy")
    ts = _targets(targets, len(scores), "binary_cross_entropy")
    for i, t in enumerate(ts):
        if type(t) is float and not 0.0 <= t <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: targets[{i}] = {t!r} is not in [0, 1] (labels are 0 or 1)"
            )
    return _reduce([_log_loss(z, t) for z, t in zip(scores, ts)], reduction, "binary_cross_entropy")


def _log_loss(z: Value, t: float | Value) -> Value:
    # softplus(z) - t*z = (1-t)*softplus(z) + t*softplus(-z); with a hard label only one term is
    # left, and its gradient (sigmoid(z) - t) comes out without the cancellation of 1 - sigmoid(z).
    # A Value label (a traced input) takes the general form, which for a label of 0 or 1 gives the
    # same numbers, bit for bit: the other term is an exact 0.
    if type(t) is float and t == 0.0:
        return z.softplus()
    if type(t) is float and t == 1.0:
        return (-z).softplus()
    return z.softplus() * (1.0 - t) + (-z).softplus() * t


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """``z_i - log(sum_j exp(z_j))``, shifted by the largest logit so that no exp overflows.

    >>> from autograd import Value
    >>> [round(v.data, 6) for v in log_softmax([Value(0.0), Value(0.0)])]
    [-0.693147, -0.693147]
    """
    logits = list(logits)
    # log-sum-exp is unchanged by the shift, and so is its gradient: it carries none. It is read for
    # our own sake, so a traced function recomputes it on every call instead of guarding on it.
    shift = stop_gradient(logits, max, label="shift")
    total = None
    for z in logits:
        term = (z - shift).exp()
        total = term if total is None else total + term
    lse = total.log() + shift  # type: ignore[union-attr]
    return [z - lse for z in logits]


def cross_entropy(
    logits: Sequence[Sequence[Value]], targets: Sequence[int], reduction: str = "mean"
) -> Value:
    """Softmax cross-entropy for several classes: ``logits[n]`` is sample n's list of class
    scores, ``targets[n]`` its class index (PyTorch's ``cross_entropy``).

    >>> from autograd import Value
    >>> round(cross_entropy([[Value(2.0), Value(0.0), Value(-1.0)]], [0]).data, 6)
    0.169846
    """
    who = "cross_entropy"
    if not isinstance(logits, Sequence) or isinstance(logits, str):
        raise TypeError(f"{who}: logits must be a list with one list of class scores per sample")
    if not isinstance(targets, Sequence) or isinstance(targets, str):
        raise TypeError(f"{who}: targets must be a list of class indices, got {type(targets).__name__}")
    if len(logits) != len(targets):
        raise ValueError(f"{who}: {len(logits)} predictions but {len(targets)} targets")
    terms = []
    for n, (row, t) in enumerate(zip(logits, targets)):
        if not isinstance(row, Sequence) or isinstance(row, Value) or len(row) < 2:
            raise TypeError(
                f"{who}: logits[{n}] must be a list of at least 2 class scores (a model with one output "
                f"per class), got {type(row).__name__}"
            )
        for c, z in enumerate(row):
            if not isinstance(z, Value):
                raise TypeError(f"{who}: logits[{n}][{c}] must be a Value, got {type(z).__name__}")
        whole = isinstance(t, float) and float(t).is_integer()  # 2.0 names class 2 as well
        if not is_int(t) and not whole:
            raise TypeError(f"{who}: targets[{n}] must be a class index (int), got {type(t).__name__}: {t!r}")
        if not 0 <= t < len(row):
            raise ValueError(f"{who}: targets[{n}] = {t} is not a class index in 0..{len(row) - 1}")
        terms.append(-log_softmax(row)[int(t)])
    return _reduce(terms, reduction, who)


def hinge(
    scores: Sequence[Value] | Value,
    targets: Sequence[float] | float,
    reduction: str = "mean",
    margin: float = 1.0,
) -> Value:
    """Max-margin (SVM) loss ``relu(margin - y * score)`` with labels y in {-1, +1}, as in
    micrograd's demo.

    >>> from autograd import Value
    >>> hinge([Value(3.0)], [1]).data
    0.0
    """
    values = _scores(scores, "hinge")
    ts = _targets(targets, len(values), "hinge")
    for i, t in enumerate(ts):
        if type(t) is float and t not in (-1.0, 1.0):
            raise ValueError(f"hinge: targets[{i}] = {t!r}; hinge labels are -1 or +1 (from 0/1 use 2*y - 1)")
    return _reduce([(margin - s * t).relu() for s, t in zip(values, ts)], reduction, "hinge")


def l2(parameters: Iterable[Value], alpha: float = 1e-4) -> Value:
    """The L2 penalty ``alpha * sum(p * p)`` (weight decay written as a loss), as in micrograd's demo.

    >>> from autograd import Value
    >>> l2([Value(1.0), Value(2.0)], alpha=0.5).data
    2.5
    """
    params = list(parameters)
    if not params:
        raise ValueError("l2: no parameters")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"l2: parameters[{i}] must be a Value, got {type(p).__name__}")
    total = params[0] * params[0]
    for p in params[1:]:
        total = total + p * p
    return total * alpha


# What each loss expects of the model's output and the targets, for fit() and plots:
# "regression" (any number), "logit" (one score, labels 0/1), "margin" (one score, labels -1/+1),
# "classes" (one score per class, labels 0..k-1).
LOSSES: dict[str, tuple[Callable[..., Value], str]] = {
    "mse": (mse, "regression"),
    "bce": (binary_cross_entropy, "logit"),
    "binary_cross_entropy": (binary_cross_entropy, "logit"),
    "cross_entropy": (cross_entropy, "classes"),
    "hinge": (hinge, "margin"),
}


def get(loss: str | Callable[..., Value]) -> tuple[Callable[..., Value], str | None]:
    """The loss function named ``loss`` and the kind of task it is for (None for a custom function).

    >>> get("hinge")[1]
    'margin'
    """
    if callable(loss):
        for fn, kind in LOSSES.values():
            if fn is loss:
                return fn, kind
        return loss, None
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of: {', '.join(LOSSES)}")
    return LOSSES[loss]
