"""The traced function: ``trace(fn)`` replays ``fn``'s tapes on new numbers and writes the gradients
into the captured leaves."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..backward import backward
from ..checks import as_finite_float
from ..hooks import any_hooks
from ..modes import quiet, watched
from ..value import Value, data_of
from .code import Retrace, _compile
from .recording import _returned, record
from .statements import Tape

# Threads may share a traced function, and its leaves: each call's gradients are added into the
# leaves under this lock (read, replay, write back), so no thread's addition overwrites another's.
WRITING = threading.Lock()

_INF = math.inf

MAX_TAPES = 32  # guard outcomes kept per number of arguments: more means fn's shape follows its data


class Traced:
    """``trace(fn)``: call it with numbers, as ``fn`` would be called; see the module docstring.

    ``tape`` is the tape the last call ran (``None`` before the first call), ``tapes`` all of
    them, ``traces`` how many times ``fn`` has been traced.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        if not callable(fn):
            raise TypeError(f"trace() needs a function, got {type(fn).__name__}")
        self.fn = fn
        self.name = getattr(fn, "__name__", type(fn).__name__)
        self.tapes: list[Tape] = []
        self.tape: Tape | None = None
        self.traces = 0
        self.also = False  # fn returns other Values beside its output
        # Threads may share a traced function: its list of tapes changes only under this lock
        # (two threads tracing the same guard outcome at once keep two equal tapes: harmless).
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<traced {self.name}: {len(self.tapes)} tape{'s' * (len(self.tapes) != 1)}>"

    def _numbers(self, args: Sequence[object]) -> list[float]:
        for x in args:
            if type(x) is not float or not -_INF < x < _INF:
                break
        else:  # the common case, checked without building a message per argument
            return list(args)  # type: ignore[arg-type]
        return [as_finite_float(x, f"{self.name} (traced): argument {i}") for i, x in enumerate(args)]

    def __call__(self, *args: float, **keywords: float) -> Any:
        """``fn(*args)``'s output as a float (and, if ``fn`` returned other Values beside it, a
        tuple: the output, then a list of their numbers), its gradient added into the leaves."""
        if keywords:
            raise TypeError(
                f"{self.name} (traced) takes its numbers by position (a tape numbers its inputs), "
                f"got {', '.join(f'{k}=' for k in keywords)}"
            )
        numbers = self._numbers(args)
        if not (quiet() and not watched() and not any_hooks()):
            return self._eager(numbers)  # a mode, a hook or a watcher wants the engine itself
        for tape in self._tapes_for(len(numbers)):
            try:
                with WRITING:  # read the grads, replay, write them back: no other call in between
                    result, also = tape.replay(numbers, tape.leaves)
            except Retrace:
                continue
            except (ArithmeticError, ValueError, TypeError):
                return self._eager(numbers)  # the engine raises its own error (or agrees)
            self._use(tape)
            return (result, list(also)) if self.also else result
        out, returned, _ = self._record(numbers)
        with WRITING:
            backward(out)
        return (out.data, [v.data for v in returned]) if self.also else out.data

    def jvp(self, primals: Sequence[float], tangents: Sequence[float]) -> tuple[float, float]:
        """(output, directional derivative along ``tangents``), by forward mode on the tape."""
        for name, given in (("primals", primals), ("tangents", tangents)):
            if not isinstance(given, Sequence) or isinstance(given, str):
                raise TypeError(f"jvp: {name} must be a list of numbers, got {type(given).__name__}")
        numbers = self._numbers(primals)
        directions = [
            as_finite_float(t, f"{self.name} (traced): tangent {i}") for i, t in enumerate(tangents)
        ]  # noqa: E501
        if len(directions) != len(numbers):
            raise ValueError(f"jvp: {len(numbers)} primals but {len(directions)} tangents")
        for _attempt in range(2):
            for tape in self._tapes_for(len(numbers)):
                if tape.tangents is None:
                    tape.tangents = _compile(tape.tangent_source, tape, "tangents")
                try:
                    return tape.tangents(numbers, directions, data_of(tape.leaves))
                except Retrace:
                    continue
                except (ArithmeticError, ValueError):
                    self.fn(*[Value(x) for x in numbers])  # the engine's own error, naming the op
                    raise
            self._record(numbers)
        raise RuntimeError("jvp: the new tape's guards did not hold")  # pragma: no cover - defensive

    def _tapes_for(self, count: int) -> list[Tape]:
        with self._lock:
            return [t for t in self.tapes if len(t.inputs) == count]

    def _use(self, tape: Tape) -> None:
        if self.tapes[0] is not tape:  # most recently used first: the next call tries it first
            with self._lock:
                if tape in self.tapes:
                    self.tapes.remove(tape)
                    self.tapes.insert(0, tape)
        self.tape = tape

    def _record(self, numbers: list[float]) -> tuple[Value, list[Value], Tape]:
        if len(self._tapes_for(len(numbers))) >= MAX_TAPES:
            raise RuntimeError(
                f"trace: {self.name} has been traced {MAX_TAPES} times for {len(numbers)} arguments: its "
                "graph changes with its data (a comparison, float() or .data read decides what it "
                "computes), so a tape cannot be reused; call the function itself instead"
            )
        out, also, tape, _slots = record(self.fn, numbers, self.name)
        with self._lock:
            self.traces += 1
            self.also = bool(tape.also) or self.also
            self.tapes.insert(0, tape)
        self.tape = tape
        return out, also, tape

    def _eager(self, numbers: list[float]) -> Any:
        out, also = _returned(self.fn(*[Value(x) for x in numbers]), self.name)
        with WRITING:
            backward(out)
        return (out.data, [v.data for v in also]) if also else out.data


def trace(fn: Callable[..., Any]) -> Traced:
    """Record ``fn`` once as a tape and return a function that replays it: ``step(*numbers)``
    returns ``fn``'s output as a float and adds its gradient into every captured leaf's ``.grad``,
    as ``fn(*numbers).backward()`` would, bit for bit. ``fn`` returns a Value, or a tuple of a
    Value and other Values (or lists of them) whose numbers come back too: ``(out, [numbers])``.

    The rule: ``fn`` must be a pure function of its arguments and of the ``.data`` of the Values
    it captured. Python numbers read from outside ``fn``, side effects, and a captured Value
    replaced by another object are seen only while tracing. Branches on a Value are guards (traced
    again when they turn); ``detach``/``no_grad`` inside are recomputed on every call; a backward
    pass inside is refused. A tape of more than ``COMPILED_UP_TO`` statements is interpreted
    rather than compiled, with the same numbers. The module docstring says more.

    >>> from autograd import Value
    >>> w, b = Value(0.5, label="w"), Value(0.1, label="b")
    >>> step = trace(lambda x, y: (w * x + b - y) ** 2)
    >>> [round(v, 12) for v in (step(2.0, 1.0), w.grad, b.grad)]   # (0.5·2 + 0.1 − 1)², 2(0.1)·2, 2(0.1)
    [0.01, 0.4, 0.2]
    >>> [round(v, 12) for v in (step(1.0, 0.0), w.grad, b.grad)]   # replayed: the grads add up
    [0.36, 1.6, 1.4]
    """
    return Traced(fn)
