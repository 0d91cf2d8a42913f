"""``fit()``: the training loop, with a progress bar, a history, early stopping and callbacks.

One epoch shuffles the training set (seeded), and for each mini-batch runs the model on every
sample, computes the loss (plus an optional L2 penalty), ``zero_grad()``, ``backward()`` and
``optimizer.step()``. After each epoch the validation set, if any, is evaluated under ``no_grad``.

>>> from nn import MLP, data, optim
>>> X, y = data.moons(60, noise=0.1, seed=0)
>>> model = MLP(2, [8, 1], seed=0)
>>> history = fit(model, (X, y), "bce", optim.Adam(model.parameters(), lr=0.05), epochs=5,
...               batch_size=20, seed=0, progress=False)
>>> len(history.train_loss), history.train_loss[-1] < history.train_loss[0]
(5, True)
"""

from __future__ import annotations

import gc
import math
import numbers
import random
from collections.abc import Callable, Sequence
from operator import is_not
from typing import Any

from autograd import Value, no_grad
from autograd import trace as autograd_trace

from . import losses as _losses
from .checks import check_module, is_int
from .data import _count, batches
from .metrics import History, _as_list, accuracy, predict_class
from .module import Module
from .optim import Optimizer, _check_optimizer, _positive

__all__ = ["evaluate", "fit"]  # History, accuracy, predict_class: nn.metrics

Callback = Callable[[int, dict[str, Any], Module], Any]


def _loss_inputs(outputs: list, kind: str | None) -> list:
    """What the loss takes: lists of class scores for cross-entropy, one Value per sample else."""
    if kind == "classes":
        return [_as_list(o) for o in outputs]
    return outputs


def evaluate(
    model: Module, data: tuple[Sequence, Sequence], loss: str | Callable[..., Value]
) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``model`` on ``data = (X, y)``, computed under ``no_grad``.

    >>> from nn import MLP, data
    >>> X, y = data.xor(20, seed=0)
    >>> loss, acc = evaluate(MLP(2, [4, 1], seed=0), (X, y), "bce"); 0.0 <= acc <= 1.0
    True
    """
    fn, kind = _losses.get(loss)
    X, y = _pair(data, "data")
    if not callable(model):
        raise TypeError(f"model must be callable (a Module), got {type(model).__name__}")
    with no_grad():
        outputs = [model(x) for x in X]
        value = fn(_loss_inputs(outputs, kind), y)
    return value.data, accuracy(outputs, y, kind)


def _pair(data: object, name: str) -> tuple[Sequence, list]:
    """``(X, y)`` checked: sequences of one length, not empty; numpy numbers in y become Python's."""
    if not isinstance(data, tuple | list) or len(data) != 2:
        size = f" of {len(data)}" if isinstance(data, tuple | list) else ""
        raise TypeError(f"{name} must be a pair (X, y), got {type(data).__name__}{size}")
    X, y = data
    for part, value in (("X", X), ("y", y)):
        sized = hasattr(value, "__len__") and hasattr(value, "__getitem__")
        if isinstance(value, str | bytes) or not sized:
            raise TypeError(
                f"{name}: {part} must be a list or an array (with a length), got {type(value).__name__}"
                + ("; pass list(...) of it" if hasattr(value, "__iter__") else "")
            )
    if len(X) != len(y):
        raise ValueError(f"{name}: X has {len(X)} rows but y has {len(y)} targets")
    if len(X) == 0:  # not `not X`: a numpy array has no single truth value
        raise ValueError(f"{name} is empty")
    return X, [_plain(t) for t in y]


def _plain(target: object) -> object:
    """A numpy scalar target as the Python number the losses take (others go through unchanged)."""
    if isinstance(target, bool | int | float) or not isinstance(target, numbers.Real):
        return target
    return int(target) if isinstance(target, numbers.Integral) else float(target)


def _callbacks(callbacks: object) -> list[Callback]:
    if callable(callbacks) or isinstance(callbacks, str) or not hasattr(callbacks, "__iter__"):
        raise TypeError(
            f"callbacks must be a list of functions callback(epoch, logs, model), got "
            f"{type(callbacks).__name__}; for one function write callbacks=[fn]"
        )
    listed = list(callbacks)
    for i, cb in enumerate(listed):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be a function callback(epoch, logs, model), got {cb!r}")
    return listed


def _forward(model: Module, X: Sequence, rows: list[int], epoch: int) -> list:
    outputs = []
    for i in rows:
        try:
            outputs.append(model(X[i]))
        except Exception as error:
            error.add_note(f"fit(): while running the model on X[{i}] (epoch {epoch})")
            raise
    return outputs


def _batch_note(epoch: int, batch: int, rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:32])) + (f", ... ({len(rows)} rows)" if len(rows) > 32 else "")
    return (
        f"fit(): epoch {epoch}, batch {batch}; its samples are data rows [{shown}] in that order "
        "(so targets[k] above is y[rows[k]]); the model keeps the weights of the last good step"
    )


def fit(
    model: Module,
    data: tuple[Sequence, Sequence],
    loss: str | Callable[..., Value],
    optimizer: Optimizer,
    epochs: int = 100,
    batch_size: int | None = None,
    *,
    val_data: tuple[Sequence, Sequence] | None = None,
    l2: float = 0.0,
    schedule: Callable[[int], float] | None = None,
    early_stopping: int | None = None,
    min_delta: float = 0.0,
    restore_best: bool = True,
    callbacks: Sequence[Callback] = (),
    seed: int | None = None,
    progress: bool = True,
    desc: str = "train",
    trace: bool = True,
) -> History:
    """Train ``model`` on ``data = (X, y)`` and return the :class:`History`.

    - ``loss``: ``"mse"``, ``"bce"``, ``"cross_entropy"``, ``"hinge"`` or a function
      ``loss(outputs, targets) -> Value`` (then no accuracy is computed).
    - ``batch_size=None``: full batch. ``l2``: adds ``l2 * sum(p * p)`` to each batch's loss.
    - ``schedule(epoch) -> lr`` sets the learning rate at the start of each epoch.
    - ``early_stopping=k``: stop after k epochs without the monitored loss (validation loss if
      there is validation data, else training loss) improving by more than ``min_delta``; with
      ``restore_best`` the best epoch's weights are put back.
    - ``callbacks``: each is called as ``callback(epoch, logs, model)`` after every epoch, with
      ``logs`` holding that epoch's numbers; returning ``True`` stops training.
    - ``seed``: the shuffling order (the same seed gives the same run).
    - ``progress``: a tqdm bar showing epoch, loss and accuracy.
    - ``trace``: the step of a few rows (forward pass, loss terms, backward pass) is traced once
      (``autograd.trace``) and replayed as generated Python for every batch, its loss terms added
      up outside the tape: the same numbers, bit for bit, several times faster, and memory that
      does not grow with the data. When the model's parameter objects change between epochs (a
      callback rebuilt a layer) it is traced again. It applies to the built-in losses "mse",
      "bce" and "hinge" and to ``nn.MLP``s; otherwise, or with ``trace=False``, every step runs
      the engine itself (as does a batch whose traced step fails: its error is the engine's).

    Everything is checked before the first step: ``X`` and ``y`` (lists or numpy arrays of one
    length), the arguments, and the optimiser, which must update at least one of the model's
    parameters (an optimiser built for another model is refused; one for the last layer only, or
    for the model plus a parameter of a custom loss, is fine). An error during training carries a
    note naming the epoch, the batch and its data rows (or the row ``X[i]`` the model failed on);
    a step that a nan/inf gradient or an overflow would spoil is refused by the optimiser, so the
    model keeps the weights of its last good step.

    Python's cyclic garbage collector is paused while training (gradstep graphs hold no
    reference cycles, so reference counting frees them) and restored afterwards.
    """
    fn, kind = _losses.get(loss)
    X, y = _pair(data, "data")
    val = _pair(val_data, "val_data") if val_data is not None else None
    check_module(model, "fit()")
    params = _check_optimizer(model, optimizer, "fit()")
    if not is_int(epochs) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    if batch_size is not None:
        _count(batch_size, "batch_size")
    if early_stopping is not None and (
        not is_int(early_stopping) or early_stopping < 1
    ):
        raise ValueError(f"early_stopping is a patience in epochs (an int >= 1), got {early_stopping!r}")
    l2 = _positive("l2", l2)
    min_delta = _positive("min_delta", min_delta)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function epoch -> lr, got {type(schedule).__name__}")
    callbacks = _callbacks(callbacks)
    rng = random.Random(seed)
    history = History()
    best_loss, best_state, waited = math.inf, None, 0

    stepper, traced_for = None, None
    bar = _progress(epochs, progress, desc)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for epoch in range(epochs):
            if schedule is not None:
                optimizer.lr = _positive(f"schedule({epoch})", schedule(epoch))
            now = model.parameters()
            if traced_for is None or len(now) != len(traced_for) or any(map(is_not, now, traced_for)):
                # a first epoch, or a callback rebuilt a layer: a tape reads the objects it captured
                params = traced_for = now
                stepper = _traced_step(model, fn, kind, y, l2, params) if trace else None
            total, hits, seen = 0.0, 0, 0
            # batches of row numbers (the same shuffle as of the rows), so errors can name the rows
            for b, (rows, yb) in enumerate(batches(range(len(X)), y, batch_size, rng=rng)):
                outputs = None
                if stepper is not None:  # the traced step: numbers in, numbers out
                    try:
                        optimizer.zero_grad()
                        loss_value, outputs = stepper(X, rows, yb)
                    except Exception:  # noqa: BLE001 - the eager step below raises the error, naming the row
                        outputs = None
                    else:
                        try:
                            optimizer.step()
                        except Exception as error:
                            error.add_note(_batch_note(epoch, b, rows))
                            raise
                if outputs is None:
                    outputs = _forward(model, X, rows, epoch)
                    try:
                        batch_loss = fn(_loss_inputs(outputs, kind), yb)
                        if not isinstance(batch_loss, Value):
                            raise TypeError(
                                f"the loss function returned {type(batch_loss).__name__}, not a Value "
                                "computed from the model's outputs"
                            )
                        objective = batch_loss + _losses.l2(params, l2) if l2 else batch_loss
                        optimizer.zero_grad()
                        objective.backward()
                        optimizer.step()
                    except Exception as error:
                        error.add_note(_batch_note(epoch, b, rows))
                        raise
                    loss_value = batch_loss.data
                total += loss_value * len(rows)
                seen += len(rows)
                if kind not in (None, "regression"):
                    hits += sum(predict_class(o, kind) == t for o, t in zip(outputs, yb))
            logs: dict[str, Any] = {
                "epoch": epoch,
                "loss": total / seen,
                "acc": hits / seen if kind not in (None, "regression") else None,
                "lr": optimizer.lr,
            }
            history.train_loss.append(logs["loss"])
            history.train_acc.append(logs["acc"])
            history.lr.append(optimizer.lr)
            if val is not None:
                logs["val_loss"], logs["val_acc"] = evaluate(model, val, fn)
                history.val_loss.append(logs["val_loss"])
                history.val_acc.append(logs["val_acc"])

            monitored = logs.get("val_loss", logs["loss"])
            if monitored < best_loss - min_delta:
                best_loss, waited, history.best_epoch = monitored, 0, epoch
                if early_stopping is not None and restore_best:
                    best_state = model.state_dict()
            else:
                waited += 1
            _show(bar, logs)
            stop = any([cb(epoch, dict(logs), model) is True for cb in callbacks])
            if early_stopping is not None and waited >= early_stopping:
                history.stopped_early = True
                stop = True
            if stop:
                break
        if best_state is not None and history.stopped_early:
            model.load_state_dict(best_state)
    finally:
        if gc_was_enabled:
            gc.enable()
        if bar is not None:
            bar.close()
    return history


# The losses whose targets can be a traced function's inputs (nn.losses takes leaf Values there).
_TRACEABLE = ("regression", "logit", "margin")

ROWS_PER_STEP = 16  # rows in one traced step: fewer leaf reads per row than one row, a small tape


def _traced_step(
    model: Module, fn: Callable[..., Value], kind: str | None, y: Sequence, l2: float, params: list[Value]
) -> Callable[[Sequence, list[int], list], tuple[float, list]] | None:
    """The batch step as a traced function (``autograd.trace``), or None where it does not apply:
    a loss other than the built-in mse, bce and hinge, or a model that is not an ``nn.MLP``.

    One tape of ``ROWS_PER_STEP`` rows (and one for a smaller last piece) serves every batch, so
    its memory does not grow with the data. It takes the rows' inputs and targets and the mean's
    factor ``1/(number of terms in the batch)`` as its numbers, and returns each row's loss terms
    and outputs beside ``(sum of its terms) × factor``, whose gradient it adds: each term's
    gradient is the factor, as in the eager batch, and the rows are backpropagated in the eager
    pass's order (first row first), so the weights get the same additions in the same order. The
    terms are added up outside the tape, in order, as the eager loss adds them. Inside the traced
    function the targets are Values, which the losses take unchecked, so all targets go through
    the loss's own checks first (where one fails, the eager step runs and raises its error)."""
    from .module import MLP

    if kind not in _TRACEABLE or not isinstance(model, MLP):
        return None
    width = len(y[0]) if isinstance(y[0], list | tuple) else None  # several outputs (mse)
    nin, nout, each = model.nin, model.nouts[-1], width or 1
    try:
        with no_grad():
            fn([[Value(0.0)] * nout if width else Value(0.0) for _ in y], y)  # the loss's checks, once
    except Exception:  # noqa: BLE001 - the eager step raises it, naming the batch and its rows
        return None

    def rows_step(*numbers: Value) -> tuple:
        n = (len(numbers) - 1) // (nin + each)
        xs = [list(numbers[k * nin : (k + 1) * nin]) for k in range(n)]
        targets = numbers[n * nin : -1]
        outputs = [v for x in xs for v in _as_list(model(x))]
        terms = [fn([o], [t], reduction="sum") for o, t in zip(outputs, targets)]  # the mean's terms
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total * numbers[-1], terms, outputs

    traced = autograd_trace(rows_step)
    penalty = autograd_trace(lambda: _losses.l2(params, l2)) if l2 else None

    def run(X: Sequence, rows: list[int], yb: list) -> tuple[float, list]:
        factor = 1.0 / (len(rows) * each)  # _reduce's 1.0 / len(terms)
        total, outputs = None, []
        for start in range(0, len(rows), ROWS_PER_STEP):
            part = rows[start : start + ROWS_PER_STEP]
            numbers: list = []
            for i in part:
                row = X[i]
                if len(row) != nin:
                    raise ValueError(f"X[{i}] has {len(row)} numbers, the model takes {nin}")
                numbers.extend(row)
            for t in yb[start : start + ROWS_PER_STEP]:
                numbers.extend(t) if width else numbers.append(t)
            numbers.append(factor)
            _, flat = traced(*numbers)
            terms = flat[: len(part) * each]
            for term in terms:
                total = term if total is None else total + term
            outputs += flat[len(part) * each :]
        if penalty is not None:
            penalty()
        loss = total * factor  # type: ignore[operator]
        if not -math.inf < loss < math.inf:
            raise OverflowError(f"the batch's loss {loss!r} is not finite")  # the eager step says where
        if nout > 1:
            outputs = [outputs[k * nout : (k + 1) * nout] for k in range(len(rows))]
        return loss, outputs

    return run


def _progress(epochs: int, enabled: bool, desc: str) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=epochs, desc=desc, unit="epoch", dynamic_ncols=True)


def _show(bar: Any, logs: dict[str, Any]) -> None:
    if bar is None:
        return
    shown = {"loss": f"{logs['loss']:.4f}"}
    if logs.get("acc") is not None:
        shown["acc"] = f"{logs['acc']:.1%}"
    if logs.get("val_loss") is not None:
        shown["val_loss"] = f"{logs['val_loss']:.4f}"
    if logs.get("val_acc") is not None:
        shown["val_acc"] = f"{logs['val_acc']:.1%}"
    bar.set_postfix(shown, refresh=False)
    bar.update(1)
